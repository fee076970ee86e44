"""Feedback: per-test table, diagnosis, hidden tests, and student text shown as text only."""

from datetime import UTC, datetime, timedelta

import pytest

from grader.feedback import visible_result
from grader.models import Role, User
from tests.support.course import CourseAssignment
from tests.support.documents import case, result_document

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


DIAGNOSIS = {
    "category": "adjoint-not-summed", "node": "x1 * w1", "op": "mul",
    "expected": [[1.0, 2.0]], "received": [[1.0, 2.5]], "abs_error": 0.5, "rel_error": 0.2,
    "hint": "The adjoint of a product multiplies by the other input.",
}


def graded_page(client, auth, make_submission, tests, viewer="alice", slug="numerical", **kw):
    submission_id = make_submission("alice", slug=slug, result=result_document(tests), **kw)
    auth.login(viewer)
    return client.get(f"/submissions/{submission_id}").get_data(as_text=True)


def test_score_table_and_diagnosis(client, auth, make_submission):
    html = graded_page(client, auth, make_submission, [
        case("test 1"),
        case("test 2", "failed", output="values differ", diagnosis=DIAGNOSIS),
    ])
    assert "1 / 2" in html
    assert "✓ passed" in html and "✗ failed" in html
    assert "x1 * w1" in html
    assert "<dt>Problem</dt><dd>adjoint-not-summed</dd>" in html
    assert "[[1, 2.5]]" in html
    assert "The adjoint of a product multiplies by the other input." in html
    assert "values differ" in html


@pytest.mark.parametrize("where", ["output", "test_output", "test_name", "diagnosis", "source"])
def test_student_controlled_text_is_escaped(client, auth, make_submission, where):
    tests = [case("test 1", "failed",
                  output=XSS if where == "test_output" else "",
                  diagnosis={**DIAGNOSIS, "hint": XSS, "received": XSS}
                  if where == "diagnosis" else None)]
    if where == "test_name":
        tests[0]["name"] = XSS
    result = result_document(tests)
    if where == "output":
        result["output"] = XSS
    kwargs = {"source": f"# {XSS}\nx = '{XSS}'\n"} if where == "source" else {}
    submission_id = make_submission("alice", result=result, **kwargs)
    auth.login("alice")
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    fragment = client.get(f"/submissions/{submission_id}/status").json["html"]
    for body in (page, fragment):
        assert "<script>alert" not in body
        assert "<img src=x" not in body
    assert "&lt;script&gt;" in page  # shown, as text
    if where != "source":
        assert "&lt;script&gt;" in fragment


def test_error_message_with_html_is_text(client, auth, make_submission):
    submission_id = make_submission("alice", status="error", error_message=XSS)
    auth.login("alice")
    body = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body


SECRET = "expected 42 for the hidden case"


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date", "after_published"])
def test_hidden_output_is_withheld_from_students_before_due(client, auth, make_submission,
                                                            visibility, bearer):
    tests = [case("test 1"), case("test 2", "failed", visibility=visibility, output=SECRET,
                                 diagnosis={**DIAGNOSIS, "hint": SECRET})]
    submission_id = make_submission("alice", result=result_document(tests))
    auth.login("alice")
    for url in (f"/submissions/{submission_id}", f"/submissions/{submission_id}/status"):
        body = client.get(url).get_data(as_text=True)
        assert SECRET not in body
        assert "test 2" in body  # the name and outcome stay
    api = client.get(f"/api/v1/submissions/{submission_id}", headers=bearer("alice")).json
    hidden = api["result"]["tests"][1]
    assert hidden["hidden"] is True and hidden["status"] == "failed"
    assert not hidden["output"] and not hidden["extra_data"]
    assert SECRET not in str(api)


def test_instructors_see_hidden_output(client, auth, make_submission):
    html = graded_page(client, auth, make_submission,
                       [case("test 1", "failed", visibility="hidden", output=SECRET)],
                       viewer="prof")
    assert SECRET in html


def test_after_due_date_tests_open_after_the_due_date():
    now = datetime.now(UTC)
    student = User(username="s", role=Role.STUDENT)
    result = result_document([case("test 1", visibility="after_due_date", output=SECRET),
                              case("test 2", visibility="hidden", output=SECRET)])
    before = CourseAssignment("a", "A", due=now + timedelta(days=1))
    after = CourseAssignment("a", "A", due=now - timedelta(days=1))
    assert not visible_result(result, before, student, now)["tests"][0]["output"]
    assert visible_result(result, after, student, now)["tests"][0]["output"] == SECRET
    assert not visible_result(result, after, student, now)["tests"][1]["output"]
    assert result["tests"][0]["output"] == SECRET  # the stored document is untouched


def test_late_penalty_is_shown(client, auth, make_submission):
    html = graded_page(client, auth, make_submission, [case("test 1")], slug="backprop",
                       late_penalty=0.3)
    # The counted score leads, the raw one beside it (3 started days late at 10 % a day).
    assert '<span class="big-score"><span data-counted="0.7">0.7 / 1</span>' in html
    assert "(raw 1 / 1, late −30 %)" in html


def test_pending_submission_page_polls(client, auth, make_submission):
    submission_id = make_submission("alice", status="running", progress="test 3 of 9")
    auth.login("alice")
    html = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert 'data-final="false"' in html
    assert f'data-status-url="/submissions/{submission_id}/status"' in html
    assert "test 3 of 9" in html


def test_only_the_first_failure_opens(client, auth, make_submission):
    html = graded_page(client, auth, make_submission, [
        case("test 1", output="fine"),
        case("test 2", "failed", diagnosis=DIAGNOSIS),
        case("test 3", "failed", diagnosis=DIAGNOSIS),
    ])
    assert html.count("<details open>") == 1
    assert html.count("<details") == 3


def test_the_specific_sentence_leads_and_the_generic_hint_comes_last(client, auth,
                                                                     make_submission):
    html = graded_page(client, auth, make_submission, [
        case("test 1", "failed", output="the adjoint of x1 * w1 misses one partial adjoint",
             diagnosis=DIAGNOSIS)])
    sentence = html.index("the adjoint of x1 * w1 misses one partial adjoint")
    assert sentence < html.index("<dt>Problem</dt>") < html.index(DIAGNOSIS["hint"])


@pytest.mark.parametrize("status", ["queued", "running", "error"])
def test_a_regrade_keeps_the_last_final_grade_on_show(client, auth, bearer, make_submission,
                                                      status):
    submission_id = make_submission("alice", status=status, result=result_document(
        [case("test 1"), case("test 2", status="failed")]), progress="Starting")
    auth.login("alice")
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert 'class="big-score"><span data-counted="1">' in page and "data-regrading" in page
    assert "✓ passed" in page and "✗ failed" in page  # the last final feedback, whole
    fragment = client.get(f"/submissions/{submission_id}/status").json
    assert 'data-counted="1"' in fragment["html"] and 'data-counted="1"' in fragment["history"]
    document = client.get(f"/api/v1/submissions/{submission_id}", headers=bearer("alice")).json
    assert (document["status"], document["score"], document["raw_score"]) == (status, 1.0, 1.0)
    assert document["regrading"] is (status != "error") and document["result"]["score"] == 1.0
    listing = client.get("/assignments").get_data(as_text=True)
    assert 'data-counted="1" data-grade="numerical"' in listing
