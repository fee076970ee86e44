"""The public tests' verdict while the rest runs: shown like final feedback, never a score."""

from __future__ import annotations

import csv
import io

from grader.db import get_session
from grader.models import Submission
from tests.support.documents import result_document

XSS = "<script>alert('x')</script>"


def entry(number: int, name: str, status: str, visibility: str = "visible",
          output: str = "") -> dict:
    return {"name": name, "number": str(number), "status": status, "visibility": visibility,
            "score": 1.0 if status == "passed" else 0.0, "max_score": 1.0, "output": output,
            "tags": [] if status == "passed" else ["wrong-value"], "extra_data": {}}


def pending(number: int, name: str, visibility: str) -> dict:
    return {"name": name, "number": str(number), "max_score": 2.0, "status": "pending",
            "visibility": visibility}


def partial_document() -> dict:
    """As results.build_document writes it for the public tests (1, 2 and 4) of four."""
    document = result_document([entry(1, "first public", "passed"),
                                entry(2, "second public", "failed", output=XSS),
                                entry(4, "third public", "passed")])
    document["output"] = ("Public tests: 2/3 passed — hidden and scale tests are running "
                          "(1 more); the score comes when they finish.")
    return {"partial": True, "pending_tests": [pending(3, "secret scale", "hidden")], **document}


def running_with_partial(make_submission) -> int:
    return make_submission("alice", status="running", partial_result=partial_document(),
                           progress="running 1 hidden and scale tests in the sandbox")


def test_the_page_shows_public_results_and_running_hidden_tests(client, auth, make_submission):
    submission_id = running_with_partial(make_submission)
    auth.login("alice")
    status = client.get(f"/submissions/{submission_id}/status").json
    assert status["final"] is False
    html = status["html"]
    assert "Public tests: 2/3 passed — hidden and scale tests are running" in html
    assert "data-partial" in html and "This is not your score yet" in html
    assert html.count("✓ passed") == 2 and html.count("✗ failed") == 1
    # The hidden test is listed as running, in its place, and never as failed.
    rows = html.split("<tr")
    third = next(row for row in rows if "secret scale" in row)
    assert "data-pending" in third and "running" in third and "failed" not in third
    assert html.index("second public") < html.index("secret scale") < html.index("third public")
    # The same escaping as final feedback: the output is text, not markup.
    assert XSS not in html and "&lt;script&gt;" in html
    assert "big-score" not in html
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "Public tests: 2/3 passed" in page and 'data-final="false"' in page


def test_the_api_reports_the_partial_result_and_no_score(client, make_submission, bearer):
    submission_id = running_with_partial(make_submission)
    answer = client.get(f"/api/v1/submissions/{submission_id}", headers=bearer("alice")).json
    assert answer["status"] == "running"
    assert answer["result"] is None and answer["score"] is None and answer["raw_score"] is None
    partial = answer["partial_result"]
    assert partial["partial"] is True
    assert [t["name"] for t in partial["tests"]] == ["first public", "second public",
                                                     "third public"]
    assert partial["pending_tests"][0]["status"] == "pending"
    assert partial["pending_tests"][0]["hidden"] is True  # its details are never shown


def test_a_finished_grading_shows_no_partial_result(client, auth, make_submission, bearer):
    final = result_document([entry(1, "first public", "passed")])
    submission_id = make_submission("alice", result=final, partial_result=partial_document())
    answer = client.get(f"/api/v1/submissions/{submission_id}", headers=bearer("alice")).json
    assert answer["partial_result"] is None and answer["result"]["score"] == 1.0
    auth.login("alice")
    html = client.get(f"/submissions/{submission_id}/status").json["html"]
    assert "Public tests" not in html and "data-pending" not in html


def test_a_partial_result_never_counts_as_a_grade(app, client, auth, make_submission):
    submission_id = running_with_partial(make_submission)
    with app.app_context():
        stored = get_session().get(Submission, submission_id)
        assert stored.score is None and stored.result is None
    auth.login("alice")
    listing = client.get("/assignments").get_data(as_text=True)
    assert "2 / 3" not in listing and "Public tests" not in listing
    auth.logout()
    auth.login("prof")
    grades = csv.DictReader(io.StringIO(client.get(
        "/instructor/assignments/numerical/grades.csv").get_data(as_text=True)))
    alice = next(row for row in grades if row["username"] == "alice")
    assert alice["score"] == "" and alice["submission_id"] == ""  # nothing graded counts
    dashboard = client.get("/instructor/assignments/numerical").get_data(as_text=True)
    assert "Public tests" not in dashboard


def test_the_cli_and_the_openapi_description_know_the_partial_result(client):
    from grader.cli.remote import status_line

    line = status_line({"status": "running", "progress": "running 1 hidden and scale tests",
                        "partial_result": partial_document()})
    assert line.startswith("running: Public tests: 2/3 passed — hidden and scale tests")
    assert status_line({"status": "queued", "progress": None}) == "queued…"
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert "partial_result" in schemas["Submission"]["properties"]
    assert schemas["PendingTest"]["properties"]["status"]["enum"] == ["pending"]
