"""Student pages: assignment list, README, starter, submitting, the submission page."""

import io
import zipfile

import pytest
from sqlalchemy import select

from grader.db import get_session
from grader.models import Submission
from tests.support.forms import GOOD, count_submissions, submit_form


def test_pages_need_login(client):
    response = client.get("/assignments")
    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]


def test_assignment_list(client, auth):
    auth.login("alice")
    html = client.get("/assignments").get_data(as_text=True)
    for title in ("Numerical differentiation", "Backpropagation", "Automatic differentiation"):
        assert title in html
    assert "late penalty applies" in html  # backprop
    assert "closed" in html  # autodiff


def test_readme_is_rendered_and_sanitised(client, auth):
    auth.login("alice")
    html = client.get("/assignments/numerical").get_data(as_text=True)
    assert "<h1" in html and "Title" in html
    assert "<code>gradient</code>" in html
    assert "<script>alert" not in html


def test_unknown_assignment_is_404(client, auth):
    auth.login("alice")
    assert client.get("/assignments/nope").status_code == 404


def test_starter_download(client, auth):
    auth.login("alice")
    response = client.get("/assignments/numerical/starter.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist()


def test_paste_submission_is_stored_and_queued(app, client, auth):
    auth.login("alice")
    response = submit_form(client, code=GOOD)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "queued" in html
    assert "numerical_gradient" in html  # the code, highlighted
    with app.app_context():
        submission = get_session().scalars(select(Submission)).one()
        assert submission.source == GOOD
        assert submission.status == "queued"
        assert submission.filename == "numerical.py"
        assert submission.submitted_at is not None
        assert submission.queued_at is not None  # the broker accepted the job
        assert submission.late_penalty == 0


def test_upload_submission(app, client, auth):
    auth.login("alice")
    response = submit_form(client, file=(io.BytesIO(GOOD.encode()), "mine.py"))
    assert response.status_code == 302
    assert count_submissions(app) == 1


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", 400, "not UTF-8"),
        (b"def broken(:\n", 400, "not valid Python"),
        (b"   \n", 400, "empty"),
        (b"x = 1\n" * 11500, 413, "limit is 65536 bytes"),
    ],
)
def test_bad_uploads_are_refused_and_not_stored(app, client, auth, payload, status, message):
    auth.login("alice")
    response = submit_form(client, file=(io.BytesIO(payload), "gradient.py"))
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count_submissions(app) == 0


def test_request_over_the_hard_limit_gets_413(app, client, auth):
    auth.login("alice")
    response = submit_form(client, file=(io.BytesIO(b"#" * 200_000), "gradient.py"))
    assert response.status_code == 413
    assert "limit is 64 KiB" in response.get_data(as_text=True)
    assert count_submissions(app) == 0


def test_nothing_chosen(client, auth):
    auth.login("alice")
    response = submit_form(client)
    assert response.status_code == 400
    assert "Choose a file" in response.get_data(as_text=True)


def test_submit_needs_csrf(app, client, auth):
    auth.login("alice")
    response = client.post("/assignments/numerical/submissions", data={"code": GOOD})
    assert response.status_code == 400
    assert count_submissions(app) == 0


def test_late_submission_records_penalty(app, client, auth):
    auth.login("alice")
    submit_form(client, slug="backprop", code=GOOD)
    with app.app_context():
        submission = get_session().scalars(select(Submission)).one()
        assert submission.late_penalty == pytest.approx(0.3)  # 2 days 1 hour: 3 started days


def test_closed_assignment_refuses(app, client, auth):
    auth.login("alice")
    response = submit_form(client, slug="autodiff", code=GOOD)
    assert response.status_code == 403
    assert "closed" in response.get_data(as_text=True)
    assert count_submissions(app) == 0


def test_submission_status_json(client, auth):
    auth.login("alice")
    location = submit_form(client, code=GOOD).headers["Location"]
    data = client.get(location + "/status").json
    assert data["status"] == "queued"
    assert data["final"] is False
    assert "Waiting for a grader" in data["html"]


def test_source_download_is_plain_text(client, auth):
    auth.login("alice")
    location = submit_form(client, code=GOOD).headers["Location"]
    response = client.get(location + "/source")
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == GOOD


def test_submit_rate_limit(app, client, auth):
    app.config["SUBMIT_RATE_LIMIT"] = "2 per minute"
    auth.login("alice")
    assert submit_form(client, code=GOOD).status_code == 302
    assert submit_form(client, code=GOOD).status_code == 302
    assert submit_form(client, code=GOOD).status_code == 429
