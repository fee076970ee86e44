"""What a student meets on the pages: one grade everywhere, honest badges, limits said up front."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from grader.db import get_session
from grader.models import Submission, utcnow
from tests.support.apps import ON_BOTH_DATABASES
from tests.support.documents import FULL, case, graded_result, result_document
from tests.support.forms import GOOD, count_submissions, post_file, set_policy, submit_form


def test_the_list_shows_the_counted_grade_of_the_gradebook(app, client, auth, make_submission,
                                                           course):
    # The case: a late submission, then a policy change. The list, the feedback page,
    # the history and grades.csv must all give the same counted score, the raw one beside it.
    due = course["backprop"].due
    submission = make_submission("alice", slug="backprop", result=graded_result(FULL, {}),
                                 submitted_at=due + timedelta(hours=1))
    auth.login("prof")
    set_policy(client, auth, slug="backprop", late_penalty_per_day="0.3")
    csv_score = client.get("/instructor/assignments/backprop/grades.csv").get_data(
        as_text=True).splitlines()[1].split(",")[2]
    assert float(csv_score) == 2.8
    dashboard = client.get("/instructor/assignments/backprop").get_data(as_text=True)
    assert 'data-counted="2.8"' in dashboard
    auth.logout()
    auth.login("alice")
    listing = client.get("/assignments").get_data(as_text=True)
    cell = re.search(r'data-grade="backprop">(.*?)</td>', listing, re.S).group(1)
    assert "2.8 / 4" in cell and "raw 4 / 4" in cell and "late −30 %" in cell
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    assert page.count('data-counted="2.8"') == 2  # the big score and the history row
    assert "raw 4 / 4" in page


def test_a_submission_after_the_hard_close_says_it_does_not_count(client, auth, make_submission,
                                                                  course):
    submission = make_submission("alice", slug="autodiff", result=graded_result(FULL, {}),
                                 submitted_at=course["autodiff"].hard_close + timedelta(hours=1))
    auth.login("alice")
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    assert "not counted" in page and "after the hard close" in page


def hidden_tests_page(client, auth, make_submission, viewer):
    submission = make_submission("alice", result=result_document([
        case("test 1", "failed", visibility="hidden", output="secret"),
        case("test 2", "failed", visibility="after_due_date", output="later"),
        case("test 3")]))
    auth.login(viewer)
    return client.get(f"/submissions/{submission}").get_data(as_text=True)


def test_hidden_badges_say_what_will_be_shown_and_when(client, auth, make_submission):
    page = hidden_tests_page(client, auth, make_submission, "alice")
    assert page.count('data-withheld="always"') == 1
    assert page.count('data-withheld="until_due"') == 1
    assert "hidden until the due date" in page
    note = re.search(r"data-withheld-note>(.*?)</p>", page, re.S).group(1)
    assert "their details are never shown" in note  # no promise for tests that stay hidden
    assert "after the due date" in note and "UTC" in note
    assert "Details are shown after the due date" not in page
    assert "secret" not in page and "later" not in page


def test_instructors_see_the_badges_the_student_saw(client, auth, make_submission):
    page = hidden_tests_page(client, auth, make_submission, "prof")
    assert 'data-withheld="always"' in page and 'data-withheld="until_due"' in page
    assert "Students see only the outcome" in page
    assert "secret" in page  # and still the details


def test_an_upload_over_the_request_limit_gets_the_form_back_with_the_limit(app, client, auth):
    auth.login("alice")
    response = submit_form(client, file=(io.BytesIO(b"#" * 200_000), "numerical.py"))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That upload is too large: the limit is 64 KiB" in page
    assert 'action="/assignments/numerical/submissions"' in page  # the form, not an error page
    assert "Back to the start page" not in page
    assert count_submissions(app) == 0


def test_a_file_with_another_name_is_graded_with_a_warning(app, client, auth):
    auth.login("alice")
    response = submit_form(client, file=(io.BytesIO(GOOD.encode()), "my_numerics.py"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You uploaded my_numerics.py, but this assignment expects numerical.py" in page
    right = submit_form(client, file=(io.BytesIO(GOOD.encode()), "numerical.py"))
    assert "You uploaded" not in client.get(right.headers["Location"]).get_data(as_text=True)


def test_the_daily_allowance_and_when_it_resets_are_shown(app, client, auth):
    auth.login("prof")
    set_policy(client, auth, max_submissions_per_day="2")
    auth.logout()
    auth.login("alice")
    page = client.get("/assignments/numerical").get_data(as_text=True)
    assert "2 of 2</strong> submissions left" in page
    submit_form(client, code=GOOD)
    with app.app_context():
        first = get_session().query(Submission).one().submitted_at
    page = client.get("/assignments/numerical").get_data(as_text=True)
    assert "1 of 2</strong> submissions left" in page
    frees = (first + timedelta(days=1)).strftime("%Y-%m-%d %H:%M UTC")
    assert "One more frees up at <time" in page and frees in page
    submit_form(client, code=GOOD)
    refused = submit_form(client, code=GOOD)
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "0 of 2</strong> submissions left" in text
    assert f"your next submission is possible at {frees[:-4]} UTC" in text


@ON_BOTH_DATABASES
def test_a_submission_the_grader_failed_on_does_not_count_against_the_allowance(
        app, client, auth, bearer, make_submission):
    auth.login("prof")
    set_policy(client, auth, max_submissions_per_day="2")
    auth.logout()
    make_submission("alice", slug="numerical", status="error",
                    error_message="The grader failed on this submission, not your code.")
    make_submission("alice", slug="numerical", status="graded")
    auth.login("alice")
    page = client.get("/assignments/numerical").get_data(as_text=True)
    assert "1 of 2</strong> submissions left" in page
    assert "A submission the grader failed on (status error) does not count." in page
    assert submit_form(client, code=GOOD).status_code == 302
    refused = post_file(client, bearer("alice"))
    assert refused.status_code == 429
    assert "submitted Numerical differentiation 2 times" in refused.json["error"]["message"]


def test_the_submitted_banner_is_marked_to_go_when_grading_ends(client, auth):
    auth.login("alice")
    location = submit_form(client, code=GOOD).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert re.search(r'<div class="flash[^"]*"[^>]*data-until-final>Submitted\.', page)


def test_the_readme_starts_below_the_page_title(client, auth):
    auth.login("alice")
    page = client.get("/assignments/numerical").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "<h2" in page.split('id="readme"')[1]
    # The form comes before the README in the document: first on a phone.
    assert page.index('id="submit"') < page.index('id="readme"')


def test_times_are_labelled_utc_and_carry_the_moment_for_local_time(client, auth, course):
    auth.login("alice")
    page = client.get("/assignments/numerical").get_data(as_text=True)
    due = course["numerical"].due
    assert f'<time datetime="{due.isoformat()}">{due:%Y-%m-%d %H:%M} UTC</time>' in page


def test_every_page_has_a_favicon(client, auth):
    auth.login("alice")
    page = client.get("/assignments").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    with client.get(href) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_code_block_can_be_reached_by_keyboard(client, auth, make_submission):
    submission = make_submission("alice", status="queued")
    auth.login("alice")
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    assert re.search(r'<div class="scroll-box" tabindex="0" role="region" '
                     r'aria-label="Code of gradient.py"><div class="highlight">', page)


def test_an_old_submission_page_still_counts_with_the_policy_now(app, client, auth,
                                                                make_submission, course):
    # Stored score says 4 (graded before the due date moved); the policy now makes it late.
    submission = make_submission("alice", result=graded_result(FULL, {}),
                                 submitted_at=utcnow() - timedelta(hours=30))
    auth.login("prof")
    set_policy(client, auth, due=(utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    auth.logout()
    auth.login("alice")
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    assert 'data-counted="3.6"' in page  # 1 started day late at 10 %


def test_the_api_gives_the_counted_score_too(app, client, auth, bearer, make_submission, course):
    submission = make_submission("alice", slug="backprop", result=graded_result(FULL, {}),
                                 submitted_at=course["backprop"].due + timedelta(hours=1))
    auth.login("prof")
    set_policy(client, auth, slug="backprop", late_penalty_per_day="0.3")
    document = client.get(f"/api/v1/submissions/{submission}", headers=bearer("alice")).json
    assert (document["score"], document["raw_score"], document["late_penalty"]) == (2.8, 4.0, 0.3)
