"""The dashboard: numbers computed right from known result documents, charts, table, access."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grader.instructor.stats import category_counts, histogram, pass_rates
from grader.models import utcnow
from tests.support.documents import FULL, graded_result
from tests.support.routes import UNCHECKED_METHODS, fill, site_rules

NOW = utcnow()


@pytest.fixture
def seeded(app, make_submission):
    """alice: 1 then 3 of 4 (best counts: 3); bob: 1 of 4; carol is not a student here."""
    early = NOW - timedelta(hours=3)
    make_submission("alice", result=graded_result(["a"], {"b": "wrong_value", "c": "wrong_value",
                                                        "d": "missing_adjoint"}),
                    submitted_at=early)
    make_submission("alice", result=graded_result(["a", "b", "c"], {"d": "missing_adjoint"}),
                    submitted_at=NOW - timedelta(hours=2))
    make_submission("bob", result=graded_result(["a"], {"b": "wrong_shape", "c": "wrong_value",
                                                      "d": "missing_adjoint"}),
                    submitted_at=NOW - timedelta(hours=1))
    make_submission("bob", status="queued", submitted_at=NOW)


def test_histogram_bins_include_the_maximum_in_the_last_bin():
    assert histogram([0.0, 0.05, 0.1, 0.55, 0.999, 1.0]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]


def test_pass_rates_and_categories_from_result_documents():
    results = [graded_result(["a", "b"], {"c": "wrong_value"}),
               graded_result(["a"], {"b": "wrong_seed", "c": "wrong_value"})]
    assert [(r.name, r.passed, r.total) for r in pass_rates(results)] == [
        ("a", 2, 2), ("b", 1, 2), ("c", 0, 2)]
    assert category_counts(results) == {"wrong_value": 2, "wrong_seed": 1}


def test_dashboard_summarizes_the_counted_submissions(client, auth, seeded):
    auth.login("prof")
    page = client.get("/instructor/assignments/numerical").get_data(as_text=True)
    assert re.search(r'data-stat="submitted">2</span> of 2 students', page)
    assert 'data-stat="graded">2<' in page
    # Counted: alice 3/4 (75 %), bob 1/4 (25 %): mean 50 %; the bins of 20-30 and 70-80.
    assert 'data-stat="mean">50<' in page
    alt = re.search(r'data-chart="histogram"[^>]*alt="([^"]*)"', page).group(1)
    assert "20–30 %: 1" in alt and "70–80 %: 1" in alt and "0–10 %: 0" in alt
    pass_alt = re.search(r'data-chart="pass-rates"[^>]*alt="([^"]*)"', page).group(1)
    assert "a 100 %; b 50 %; c 50 %; d 0 %" in pass_alt
    # Categories over the counted submissions only: alice's first try does not count.
    categories = re.search(r'data-table="categories".*?</table>', page, re.S).group(0)
    rows = re.findall(r"<td>(\w+)</td><td class=\"num\">(\d+)</td>", categories)
    assert rows == [("missing_adjoint", "2"), ("wrong_shape", "1"), ("wrong_value", "1")]
    assert re.search(r'data-queue="queued">1<', page)


@pytest.mark.parametrize("name", ["histogram", "pass-rates", "categories"])
def test_charts_are_svg_documents_with_bars(client, auth, seeded, name):
    auth.login("prof")
    response = client.get(f"/instructor/assignments/numerical/charts/{name}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg" in svg and "<script" not in svg
    assert svg.count("<path") > 4  # bars and axes
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_table_filters_and_sorts(client, auth, seeded):
    auth.login("prof")

    def students(query: str) -> list[str]:
        page = client.get(f"/instructor/assignments/numerical?{query}").get_data(as_text=True)
        table = re.search(r'data-table="submissions".*?</table>', page, re.S).group(0)
        return re.findall(r'<tr data-submission="\d+"[^>]*>\s*<td>\d+</td>\s*<td>(\w+)</td>', table)

    assert students("") == ["bob", "bob", "alice", "alice"]  # newest first
    assert students("student=ali") == ["alice", "alice"]
    assert students("status=queued") == ["bob"]
    # 3, then the two 1s newest first, then the ungraded one last
    assert students("sort=score&order=desc") == ["alice", "bob", "alice", "bob"]
    assert students("min_score=50") == ["alice"]  # percent of the maximum: 3 of 4 is 75 %
    assert students("sort=student&order=asc&status=graded") == ["alice", "alice", "bob"]


def test_instructor_sees_hidden_test_details_and_results_json(client, auth, app,
                                                              make_submission):
    submission_id = make_submission("alice", result=graded_result([], {"secret": "wrong_seed"}))
    auth.login("prof")
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "wrong_seed" in page
    download = client.get(f"/instructor/submissions/{submission_id}/results.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.json["tests"][0]["extra_data"]["diagnosis"]["category"] == "wrong_seed"
    assert download.json["score"] == 0


def test_queue_json_answers_without_a_reachable_worker(client, auth, seeded):
    auth.login("prof")
    state = client.get("/instructor/queue.json?assignment=numerical").json
    assert state["queued"] == 1 and state["running"] == 0
    assert state["workers"] in (None, [])  # nobody consumes the in-memory test broker
    assert state["batches"] == []


# Values for the instructor routes' URL arguments: the role check refuses before any lookup.
ROUTE_ARGUMENTS = {"slug": "numerical", "submission_id": 1, "first": 1, "second": 2,
                   "name": "histogram", "user_id": 1, "change": "disable", "extension_id": 1,
                   "accommodation_id": 1, "request_id": 1, "context_id": 1,
                   "category": "wrong-value", "feature": "fan-out"}


def test_instructor_pages_refuse_students_and_anonymous(app, client, auth, seeded):
    """Every route of the instructor blueprint, found in the URL map, whatever its method."""
    calls = [(method, fill(rule, ROUTE_ARGUMENTS)) for rule in site_rules(app)
             if rule.endpoint.startswith("instructor.")
             for method in sorted(rule.methods - UNCHECKED_METHODS)]
    assert ("POST", "/instructor/roster") in calls and ("GET", "/instructor/people") in calls

    def call(method, path):  # forms carry a valid CSRF token: the role check is what refuses
        if method == "GET":
            return client.get(path)
        token = auth.csrf("/auth/account" if logged_in else "/auth/login")
        return client.open(path, method=method, data={"csrf_token": token})

    logged_in = False
    for method, path in calls:
        anonymous = call(method, path)
        assert anonymous.status_code == 302, (method, path)
        assert "/auth/login" in anonymous.headers["Location"], (method, path)
    auth.login("alice")
    logged_in = True
    for method, path in calls:
        assert call(method, path).status_code == 403, (method, path)


def test_dashboard_rows_render_the_rows_asked_for_and_the_grades(client, auth, seeded):
    auth.login("prof")
    answer = client.get("/instructor/assignments/numerical/rows.json?ids=1,3,x,99")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert set(answer.json["rows"]) == {"1", "3"}
    assert "<tr" in answer.json["rows"]["3"]
    assert "alice" in answer.json["grades"] and "bob" in answer.json["grades"]
    assert client.get("/instructor/assignments/nothing/rows.json").status_code == 404


@pytest.mark.parametrize("path", [
    "/instructor/assignments/numerical/policy",
    "/instructor/assignments/numerical/extensions",
    "/instructor/assignments/numerical/regrade",
    "/instructor/roster",
    "/instructor/users/2/disable",
])
def test_forms_need_a_csrf_token(client, auth, seeded, path, audit_actions):
    auth.login("prof")
    response = client.post(path, data={"username": "alice", "due": "2030-01-01T00:00"})
    assert response.status_code in (302, 400)
    assert audit_actions() == []  # nothing changed


def test_the_late_column_gives_the_penalty_the_score_carries(app, client, auth, make_submission,
                                                            course):
    # Stored without a penalty (handed in when the due date was later), late under today's.
    late = make_submission("alice", slug="backprop", result=graded_result(FULL, {}),
                           submitted_at=course["backprop"].due + timedelta(hours=1))
    waiting = make_submission("bob", slug="backprop", status="queued",
                              submitted_at=course["backprop"].due + timedelta(days=1, hours=1))
    auth.login("prof")
    page = client.get("/instructor/assignments/backprop").get_data(as_text=True)
    row = re.search(rf'<tr data-submission="{late}".*?</tr>', page, re.S).group(0)
    assert "late −10 %" in row
    assert re.search(r'<td class="num" data-late>10 %</td>', row)
    queued = re.search(rf'<tr data-submission="{waiting}".*?</tr>', page, re.S).group(0)
    assert re.search(r'<td class="num" data-late>20 %</td>', queued)  # late, graded or not
