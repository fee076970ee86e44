"""Who may see and do what: owners, other students, instructors, anonymous visitors."""

import pytest

from tests.support.routes import UNCHECKED_METHODS, fill, is_api, site_rules

PAGES = ["/submissions/{id}", "/submissions/{id}/status", "/submissions/{id}/source"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("viewer", "status"), [("alice", 200), ("bob", 404), ("prof", 200)]
)
def test_submission_pages(client, auth, make_submission, path, viewer, status):
    submission_id = make_submission("alice")
    auth.login(viewer)
    assert client.get(path.format(id=submission_id)).status_code == status


@pytest.mark.parametrize("path", PAGES)
def test_submission_pages_need_login(client, make_submission, path):
    response = client.get(path.format(id=make_submission("alice")))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_missing_submission_looks_like_a_foreign_one(client, auth, make_submission):
    foreign = make_submission("bob")
    auth.login("alice")
    assert client.get(f"/submissions/{foreign}").status_code == 404
    assert client.get("/submissions/99999").status_code == 404


@pytest.mark.parametrize(
    ("viewer", "status"), [("alice", 200), ("bob", 404), ("prof", 200)]
)
def test_submission_api(client, bearer, make_submission, viewer, status):
    submission_id = make_submission("alice")
    response = client.get(f"/api/v1/submissions/{submission_id}", headers=bearer(viewer))
    assert response.status_code == status
    if status == 404:
        assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(("viewer", "status"), [("alice", 403), ("prof", 200)])
def test_instructor_page(client, auth, viewer, status):
    auth.login(viewer)
    assert client.get("/instructor/").status_code == status


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/submissions"), ("post", "/api/v1/submissions/{id}/regrade")],
)
@pytest.mark.parametrize(("viewer", "status"), [("alice", 403), ("bob", 403)])
def test_instructor_api_refuses_students(client, bearer, make_submission, method, path,
                                         viewer, status):
    url = path.format(id=make_submission("alice"))
    response = getattr(client, method)(url, headers=bearer(viewer))
    assert response.status_code == status
    assert response.json["error"]["code"] == "forbidden"


# The API's calls anyone may make; every other route of the API, found in the URL map, must
# refuse a request without a valid token (a new call that forgets its decorator fails here).
PUBLIC_API = {"api.openapi", "api.health"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer agt_not-a-real-token"},
        {"Authorization": "Basic YWxpY2U6YWxpY2UtcGFzcy0x"},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "bad-token", "basic", "empty"],
)
def test_api_needs_a_valid_token(app, client, headers):
    calls = [(method, fill(rule, {"slug": "numerical", "submission_id": 1}))
             for rule in site_rules(app) if is_api(rule) and rule.endpoint not in PUBLIC_API
             for method in sorted(rule.methods - UNCHECKED_METHODS)]
    assert ("POST", "/api/v1/assignments/numerical/submissions") in calls
    for method, path in calls:
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.json["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_ignores_session_cookies(client, auth):
    # The API is exempt from CSRF, so it must never act on a browser's cookie.
    auth.login("alice")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(("path"), ["/api/v1/openapi.json", "/api/v1/health"])
def test_public_api_routes(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("viewer", "status"), [("alice", 403), ("prof", 302)])
def test_regrade_button(app, client, auth, make_submission, viewer, status):
    from tests.support.accounts import csrf_from

    submission_id = make_submission("alice")
    auth.login(viewer)
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert ("Regrade" in page) is (viewer == "prof")
    response = client.post(f"/instructor/submissions/{submission_id}/regrade",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == status
    if viewer == "prof":
        assert client.get(f"/submissions/{submission_id}/status").json["status"] == "queued"
