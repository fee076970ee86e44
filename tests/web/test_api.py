"""The JSON API: OpenAPI accuracy, submitting, status, errors, instructor routes."""

import dataclasses
import re

import pytest
from sqlalchemy import select

from grader.db import get_session
from grader.models import Grading, Submission
from tests.support.apps import ON_BOTH_DATABASES
from tests.support.documents import result_document
from tests.support.forms import GOOD_UPLOAD as GOOD
from tests.support.forms import post_file


def operations_of(path_item: dict) -> dict:
    """The operations of an OpenAPI path item (its other keys are shared fields)."""
    return {key: value for key, value in path_item.items() if key in HTTP_METHODS}


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_openapi_document_matches_the_routes(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert set().union(*document["paths"].values()) <= HTTP_METHODS | {"parameters"}
    documented = {
        (path, method.upper())
        for path, path_item in document["paths"].items()
        for method in operations_of(path_item)
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
    for path, path_item in document["paths"].items():
        for operation in operations_of(path_item).values():
            parameters = path_item.get("parameters", []) + operation.get("parameters", [])
            names = {p["name"] for p in parameters if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), path
            assert operation["summary"], path
            assert all(re.fullmatch(r"[1-5]\d\d", code) for code in operation["responses"])
            assert any(code.startswith("2") for code in operation["responses"]), path


def test_openapi_says_who_may_call(client):
    """The access decorators of the views give each call its security and 401/403 answers."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert paths["/health"]["get"]["security"] == []
    assert "401" not in paths["/health"]["get"]["responses"]
    assert "security" not in paths["/me"]["get"]  # the document's default: a bearer token
    assert {"401"} <= set(paths["/me"]["get"]["responses"]) < {"200", "401"} | {"403"}
    assert "403" not in paths["/me"]["get"]["responses"]
    assert {"401", "403"} <= set(paths["/submissions"]["get"]["responses"])


def test_openapi_refs_resolve(client):
    document = client.get("/api/v1/openapi.json").json
    refs = set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(document).replace(
        "'", '"')))
    assert refs <= set(document["components"]["schemas"])


def test_list_assignments(client, bearer, make_submission, course):
    make_submission("alice", slug="numerical", result=result_document(
        [{"name": "t", "status": "passed", "score": 4.0, "max_score": 10.0}]))
    data = client.get("/api/v1/assignments", headers=bearer("alice")).json
    slugs = [a["slug"] for a in data["assignments"]]
    assert slugs == list(course)  # the course the app serves, in its order
    first = data["assignments"][0]
    assert first["submit_file"] == "numerical.py"
    assert first["best_score"] == 4.0
    assert first["due"].endswith("+00:00")


def test_submit_then_poll(app, client, bearer):
    response = post_file(client, bearer("alice"))
    assert response.status_code == 201
    body = response.json
    assert set(body) >= {"id", "status", "url"}
    assert body["status"] == "queued"
    assert response.headers["Location"] == body["url"]
    poll = client.get(body["url"], headers=bearer("alice")).json
    assert poll["id"] == body["id"]
    assert poll["status"] == "queued"
    assert poll["result"] is None
    listed = client.get("/api/v1/assignments/numerical/submissions", headers=bearer("alice"))
    assert [s["id"] for s in listed.json["submissions"]] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "field", "status", "code"),
    [
        (GOOD, "upload", 400, "missing_file"),
        (b"\xff\xfe\x00binary", "file", 400, "not_utf8"),
        (b"this is : not python(", "file", 400, "syntax_error"),
        (b"", "file", 400, "empty"),
        (b"# x\n" * 17000, "file", 413, "too_large"),
        (b"# x\n" * 60000, "file", 413, "too_large"),
    ],
)
def test_bad_uploads(app, client, bearer, payload, field, status, code):
    response = post_file(client, bearer("alice"), payload, field=field)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    with app.app_context():
        assert get_session().scalars(select(Submission)).all() == []


def test_unknown_assignment(client, bearer):
    response = post_file(client, bearer("alice"), slug="nope")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_closed_assignment(client, bearer):
    response = post_file(client, bearer("alice"), slug="autodiff")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "closed"


def test_submission_rate_limit(app, client, bearer):
    app.config["SUBMIT_RATE_LIMIT"] = "2 per minute"
    assert post_file(client, bearer("alice")).status_code == 201
    assert post_file(client, bearer("alice")).status_code == 201
    response = post_file(client, bearer("alice"))
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in response.headers
    assert post_file(client, bearer("bob")).status_code == 201  # limits are per account


def test_method_not_allowed_is_json(client, bearer):
    response = client.delete("/api/v1/assignments", headers=bearer("alice"))
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "message": response.json["error"][
        "message"]}}


def test_instructor_lists_everyone(client, bearer, make_submission):
    make_submission("alice")
    make_submission("bob", status="queued")
    data = client.get("/api/v1/submissions", headers=bearer("prof")).json
    assert {s["user"] for s in data["submissions"]} == {"alice", "bob"}
    queued = client.get("/api/v1/submissions?status=queued", headers=bearer("prof")).json
    assert [s["user"] for s in queued["submissions"]] == ["bob"]
    bad = client.get("/api/v1/submissions?status=lost", headers=bearer("prof"))
    assert bad.status_code == 400


def test_regrade_keeps_earlier_gradings(app, client, bearer, make_submission):
    submission_id = make_submission("alice", result=result_document([]))
    with app.app_context():
        session = get_session()
        session.add(Grading(submission_id=submission_id, attempt=1, token="t-1",
                            status="graded", result=result_document([])))
        session.commit()
    url = f"/api/v1/submissions/{submission_id}/regrade"
    response = client.post(url, headers=bearer("prof"))
    assert response.status_code == 202
    assert client.post(url, headers=bearer("prof")).status_code == 409  # already waiting
    with app.app_context():
        submission = get_session().get(Submission, submission_id)
        assert submission.status == "queued"
        assert len(submission.gradings) == 1


def test_broker_down_still_accepts(app, client, bearer, caplog):
    # A closed port: publishing fails at once, as when Redis is down.
    app.extensions["celery"].conf.broker_url = "redis://127.0.0.1:9/0"
    response = post_file(client, bearer("alice"))
    assert response.status_code == 201
    assert response.json["status"] == "queued"
    with app.app_context():
        submission = get_session().get(Submission, response.json["id"])
        assert submission.queued_at is None  # stored, waiting for the sweep
    assert "Could not queue submission" in caplog.text


def test_daily_submission_limit(app, client, bearer, course):
    app.extensions["grader.course"]["numerical"] = dataclasses.replace(
        course["numerical"], max_submissions_per_day=2)
    assert post_file(client, bearer("alice")).status_code == 201
    assert post_file(client, bearer("alice")).status_code == 201
    response = post_file(client, bearer("alice"))
    assert response.status_code == 429
    assert response.json["error"]["code"] == "daily_limit"
    assert "limit is 2" in response.json["error"]["message"]
    assert post_file(client, bearer("prof")).status_code == 201  # instructors are not limited


@ON_BOTH_DATABASES
@pytest.mark.parametrize("path", ["/api/v1/submissions/{id}", "/submissions/{id}",
                                  "/submissions/{id}/status"])
def test_a_row_id_past_the_largest_is_not_found(client, bearer, auth, path):
    """Past the tables' INTEGER keys the database would refuse the lookup: no such page."""
    auth.login("alice")
    for row_id in (2**31 - 1, 2**31, 2**64 + 1):
        response = client.get(path.format(id=row_id), headers=bearer("alice"))
        assert response.status_code == 404, row_id


def test_a_wrong_method_says_which_are_allowed(client, bearer, auth):
    """RFC 9110: a 405 names the methods the resource has, in JSON and on the pages alike."""
    response = client.put("/api/v1/assignments/numerical/submissions", headers=bearer("alice"))
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    auth.login("alice")
    page = client.delete("/assignments")
    assert page.status_code == 405
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_bad_filter_is_refused_with_its_reason(client, bearer):
    for query, word in [("limit=0", "limit"), ("limit=many", "limit"), ("status=lost", "status")]:
        response = client.get(f"/api/v1/submissions?{query}", headers=bearer("prof"))
        assert response.status_code == 400, query
        assert word in response.json["error"]["message"]
    assert client.get("/api/v1/submissions?limit=1000", headers=bearer("prof")).status_code == 200
