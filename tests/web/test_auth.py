"""Logging in and out, where login sends you next, cookies, and personal API tokens."""

import pytest

from grader.db import get_session
from grader.models import ApiToken, User, hash_token


def test_login_page_renders(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_login_and_logout(client, auth):
    response = auth.login("alice")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assignments")
    assert client.get("/assignments").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/assignments").status_code == 302


def test_session_cookie_flags(client, auth):
    response = auth.login("alice")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong"), ("nobody", "alice-pass-1"), ("alice", "")],
)
def test_login_rejects_bad_credentials(auth, username, password):
    response = auth.login(username, password)
    assert response.status_code in (200, 401)
    assert "Log in" in response.get_data(as_text=True)


def test_username_is_case_insensitive(auth):
    assert auth.login("ALICE", "alice-pass-1").status_code == 302


def test_login_without_csrf_is_refused(client):
    response = client.post("/auth/login", data={"username": "alice", "password": "alice-pass-1"})
    assert response.status_code == 400
    assert client.get("/assignments").status_code == 302


def test_logout_needs_csrf(client, auth):
    auth.login("alice")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/assignments").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_login_never_redirects_off_site(client, auth, target):
    token = auth.csrf()
    response = client.post(
        f"/auth/login?next={target}",
        data={"username": "alice", "password": "alice-pass-1", "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/assignments")


def test_login_follows_local_next(client, auth):
    token = auth.csrf()
    response = client.post(
        "/auth/login?next=/assignments/numerical",
        data={"username": "alice", "password": "alice-pass-1", "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/assignments/numerical")


@pytest.mark.parametrize("target", [
    "/%0D%0ASet-Cookie:x=1",            # CR LF: a header injection
    "/assignments%0A",                  # a lone LF at the end
    "/%00",                             # NUL
    "/%09/evil.example",                # a tab, which browsers drop: //evil.example
    "/%7F",                             # DEL
    "/\\evil.example",                  # a backslash, which browsers read as a slash
    "\\\\evil.example",
    "/assignments\\..\\x",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "evil.example/assignments",
    " /assignments",                    # a space before the slash
    "/assignments with space",
    "/caf%C3%A9",                       # non-ASCII
    "/%E2%80%AEtxt.exe",                # a right-to-left override
    "",
])
def test_an_odd_next_falls_back_to_the_start_page(client, auth, target):
    token = auth.csrf()
    response = client.post(
        f"/auth/login?next={target}",
        data={"username": "alice", "password": "alice-pass-1", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/assignments"
    assert not any(c.startswith("x=") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/assignments").status_code == 200


@pytest.mark.parametrize("target", ["/assignments/numerical", "/submissions/1?tab=code#top",
                                    "/instructor/?student=alice&page=2"])
def test_a_local_next_is_followed(client, auth, target):
    token = auth.csrf()
    response = client.post(
        f"/auth/login?next={target.replace('&', '%26').replace('#', '%23').replace('?', '%3F')}",
        data={"username": "alice", "password": "alice-pass-1", "csrf_token": token},
    )
    assert response.headers["Location"] == target


def test_passwords_are_hashed(app):
    with app.app_context():
        user = User.by_username(get_session(), "alice")
        assert "alice-pass-1" not in user.password_hash
        assert user.check_password("alice-pass-1")


def test_create_and_revoke_token(app, client, auth, bearer):
    auth.login("alice")
    page = client.get("/auth/account").get_data(as_text=True)
    from tests.support.accounts import csrf_from

    response = client.post("/auth/account", data={"name": "laptop", "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    plain = html.split('id="new-token">')[1].split("<")[0]
    assert plain.startswith("agt_")
    with app.app_context():
        row = get_session().query(ApiToken).filter_by(name="laptop").one()
        assert row.token_hash == hash_token(plain) and plain not in row.token_hash
        token_id = row.id
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).json["username"] == "alice"

    page = client.get("/auth/account").get_data(as_text=True)
    client.post(f"/auth/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(page)})
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(app, client, auth):
    with app.app_context():
        bobs = get_session().query(ApiToken).join(User).filter(User.username == "bob").one().id
    auth.login("alice")
    token = auth.csrf("/auth/account")
    assert client.post(f"/auth/tokens/{bobs}/revoke", data={"csrf_token": token}).status_code == 404


def change_password(client, auth, current, new, confirm=None):
    return client.post("/auth/password", data={
        "current": current, "new": new, "confirm": new if confirm is None else confirm,
        "csrf_token": auth.csrf("/auth/account")})


def test_change_password(client, auth):
    auth.login("alice")
    response = change_password(client, auth, "alice-pass-1", "a-much-longer-secret")
    assert response.status_code == 302
    auth.logout()
    assert auth.login("alice", "alice-pass-1").status_code == 401
    assert auth.login("alice", "a-much-longer-secret").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong", "a-much-longer-secret", None, "not your current password"),
        ("alice-pass-1", "short", None, "between 10 and 256 characters"),
        ("alice-pass-1", "a-much-longer-secret", "something-else-x", "The two entries differ"),
    ],
)
def test_change_password_refusals(client, auth, current, new, confirm, message):
    auth.login("alice")
    response = change_password(client, auth, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    auth.logout()
    assert auth.login("alice").status_code == 302  # unchanged
