"""The app factory, configuration from the environment and response headers."""

from grader import create_app
from grader.config import broker_url, database_url


def test_testing_flag(app, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path / "other"))
    assert not create_app({"DATABASE_URL": "sqlite://"}).testing
    assert app.testing


def test_defaults_are_local_and_safe(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'grader.sqlite'}"
    assert app.config["CELERY_BROKER_URL"].startswith("sqla+sqlite:///")
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    # A random key, kept private in the instance folder and reused by the next process.
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"] == key_file.read_text()
    assert len(app.config["SECRET_KEY"]) >= 32


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/grader")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/2")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://u@db/grader"
    assert broker_url(str(tmp_path)) == "redis://cache:6379/2"
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_home_redirects_by_role(client, auth):
    assert client.get("/").headers["Location"].endswith("/auth/login")
    auth.login("alice")
    assert client.get("/").headers["Location"].endswith("/assignments")
    auth.logout()
    auth.login("prof")
    assert client.get("/").headers["Location"].endswith("/instructor/")


def test_unknown_page_is_friendly_html(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "nothing here" in response.get_data(as_text=True)


def test_client_address_behind_a_trusted_proxy(app, client, auth):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "1 per minute"
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxied.extensions["grader.course"] = app.extensions["grader.course"]
    from tests.support.accounts import AuthActions

    browser = AuthActions(proxied.test_client())
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    attempts = (("203.0.113.7", 401), ("203.0.113.7", 429), ("203.0.113.8", 401))
    for number, (address, expected) in enumerate(attempts):
        forwarded["X-Forwarded-For"] = address
        token = browser.csrf()
        response = browser._client.post(  # a new username each time: only the address counts
            "/auth/login", headers=forwarded,
            data={"username": f"user-{number}", "password": "x", "csrf_token": token})
        assert response.status_code == expected
    proxied.extensions["grader.engine"].dispose()
