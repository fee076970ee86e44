"""What an instructor meets: one unit for scores, errors said, readable audit, passwords handed
out from the page, forms that do not collide, a breadcrumb back to the dashboard."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest

from grader.db import get_session
from grader.models import User
from tests.support.documents import graded_result
from tests.support.forms import import_roster, set_policy
from tests.support.live import REPOSITORY

SOLUTION = (REPOSITORY / "reference/solutions/numerical/numerical.py").read_text()


def similar_pair(make_submission):
    make_submission("alice", source=SOLUTION, result=graded_result(["a"], {}))
    make_submission("bob", source=SOLUTION.replace("eps", "h"), result=graded_result(["a"], {}))


def test_the_similarity_threshold_is_typed_in_percent(client, auth, make_submission):
    similar_pair(make_submission)
    auth.login("prof")
    page = client.get("/instructor/assignments/numerical/similar?threshold=30")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "at or above 30 % shared code" in text and 'value="30"' in text
    assert "/instructor/similar/1/2" in text


@pytest.mark.parametrize("typed, message", [
    ("abc", "is not a number"),
    ("0.3", "must be between 10 and 100 %"),
    ("300", "must be between 10 and 100 %"),
])
def test_a_threshold_that_is_not_a_percentage_is_an_error(client, auth, typed, message):
    auth.login("prof")
    page = client.get(f"/instructor/assignments/numerical/similar?threshold={typed}")
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)


def test_a_score_filter_that_is_not_a_number_is_an_error(client, auth, make_submission):
    make_submission("alice", result=graded_result(["a"], {"b": "wrong_value"}))
    auth.login("prof")
    page = client.get("/instructor/assignments/numerical?min_score=abc")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Score ≥: &#39;abc&#39; is not a number; type a percentage such as 50." in text
    assert 'value="abc"' in text  # what was typed stays in the field


def test_sorted_columns_show_their_order(client, auth):
    auth.login("prof")
    page = client.get("/instructor/assignments/numerical?sort=score&order=asc").get_data(
        as_text=True)
    assert re.search(r'<th class="num" aria-sort="ascending"><a [^>]*>Score</a></th>', page)
    assert page.count('aria-sort="none"') == 3
    default = client.get("/instructor/assignments/numerical").get_data(as_text=True)
    assert re.search(r'<th aria-sort="descending"><a [^>]*>Submitted</a></th>', default)


def test_audit_details_are_worded_and_a_reset_records_the_old_values(app, client, auth,
                                                                       course):
    auth.login("prof")
    set_policy(client, auth, due="2030-01-02T03:04", late_penalty_per_day="0.25")
    token = auth.csrf("/instructor/assignments/numerical/policy")
    client.post("/instructor/assignments/numerical/policy/reset", data={"csrf_token": token})
    page = client.get("/instructor/audit").get_data(as_text=True)
    assert "{" not in page.split('data-table="audit"')[1]  # no raw dicts
    # The old value is the one that was in force: the manifest's, not "none".
    manifest_due = course["numerical"].due.strftime("%Y-%m-%d %H:%M UTC")
    assert f"due: {manifest_due} → 2030-01-02 03:04 UTC" in page
    assert "late penalty per day: 0.1 → 0.25" in page
    assert "none →" not in page
    # The reset says what it dropped and what the manifest puts back.
    assert "due: 2030-01-02 03:04 UTC → " in page
    assert "late penalty per day: 0.25 → 0.1" in page


def test_detail_lines_word_every_recorded_shape():
    from grader.instructor.audit_pages import detail_lines

    assert detail_lines({"student": "bob", "due": "2030-01-02T03:04:00+00:00"}) == [
        "student: bob", "due: 2030-01-02 03:04 UTC"]
    assert detail_lines({"created": ["a", "b"], "skipped": 0, "errors": 1}) == [
        "created: a, b", "skipped: 0", "errors: 1"]
    assert detail_lines({"changes": {"score_policy": [None, "last"]}}) == [
        "score that counts: none → last"]
    assert detail_lines({}) == []


def test_roster_passwords_download_as_csv_and_one_error_is_singular(client, auth):
    auth.login("prof")
    page = import_roster(client, auth, "username,name,email\ncarol,Carol,c@example.edu\n"
                                       "Bad Name,x,\n").get_data(as_text=True)
    assert "1 created · 0 skipped · 1 error</p>" in page
    link = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)" download="initial-passwords.csv"',
                     page).group(1)
    rows = list(csv.DictReader(io.StringIO(unquote(link))))
    shown = re.search(r'class="password">([^<]+)<', page).group(1)
    assert rows == [{"username": "carol", "password": shown}]
    assert auth.logout() and auth.login("carol", shown).status_code == 302


def test_an_instructor_resets_a_password_on_the_people_page(app, client, auth, audit_actions):
    auth.login("prof")
    with app.app_context():
        alice_id = User.by_username(get_session(), "alice").id
    page = client.get("/instructor/people").get_data(as_text=True)
    assert f'action="/instructor/users/{alice_id}/reset-password"' in page
    assert "data-confirm=\"Give alice a new password?" in page
    response = client.post(f"/instructor/users/{alice_id}/reset-password",
                           data={"csrf_token": auth.csrf("/instructor/people")})
    assert response.status_code == 200
    password = re.search(r'data-new-password>.*?class="password">([^<]+)<',
                         response.get_data(as_text=True), re.S).group(1)
    assert audit_actions()[-1] == ("prof", "user.reset_password", "alice")
    auth.logout()
    assert auth.login("alice").status_code != 302  # the old password no longer works
    assert auth.login("alice", password).status_code == 302


def test_destructive_forms_ask_for_confirmation(client, auth):
    auth.login("prof")
    people = client.get("/instructor/people").get_data(as_text=True)
    assert re.search(r'/disable"\s+data-confirm="Disable alice\?', people)
    set_policy(client, auth, late_penalty_per_day="0.2")
    policy = client.get("/instructor/assignments/numerical/policy").get_data(as_text=True)
    assert re.search(r'/policy/reset"\s+data-confirm="Drop every override', policy)
    dashboard = client.get("/instructor/assignments/numerical").get_data(as_text=True)
    assert re.search(r'data-confirm="Regrade every submission[^"]*" data-confirm-if-empty="username"',
                     dashboard)


def test_the_extension_form_does_not_share_names_or_ids_with_the_policy_form(client, auth):
    auth.login("prof")
    set_policy(client, auth, due="2030-01-02T03:04")
    response = client.post("/instructor/assignments/numerical/extensions", data={
        "csrf_token": auth.csrf("/instructor/assignments/numerical/policy"),
        "extension-username": "nobody", "extension-due": "2031-05-06T07:08"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "No student called &#39;nobody&#39;" in page
    # The extension's field keeps what was typed; the policy's keeps the policy's date.
    assert re.search(r'name="extension-due"[^>]*value="2031-05-06T07:08"', page)
    assert re.search(r'name="due"[^>]*value="2030-01-02 03:04"', page)  # 24-hour UTC
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_policy_form_shows_every_error_at_once(client, auth):
    auth.login("prof")
    response = set_policy(client, auth, due="2030-01-02T03:04", hard_close="2030-01-01T00:00",
                          late_penalty_per_day="2")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "must not come before" in page and "Number must be between 0 and 1" in page


def test_the_breadcrumb_of_an_instructor_leads_to_the_dashboard(client, auth, make_submission):
    submission = make_submission("alice", result=graded_result(["a"], {}))
    auth.login("prof")
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', page, re.S).group(1)
    assert 'href="/instructor/assignments/numerical"' in crumbs
    auth.logout()
    auth.login("alice")
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', page, re.S).group(1)
    assert 'href="/assignments/numerical"' in crumbs


def test_no_empty_table_header_on_the_people_and_policy_pages(client, auth):
    auth.login("prof")
    for path in ("/instructor/people", "/instructor/assignments/numerical/policy"):
        assert "<th></th>" not in client.get(path).get_data(as_text=True)
