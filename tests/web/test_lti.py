"""LTI 1.3 end to end against a platform the project did not write (tests/support/lti_platform.py,
on the lti1p3platform package): registration, keys, login and launch, accounts, refusals,
deep linking and roster sync, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from grader.cli import cli
from grader.db import get_session
from grader.lti.accounts import NO_PASSWORD
from grader.models import AuditEntry, LtiContext, LtiEnrolment, LtiIdentity, Role, User
from tests.support.accounts import AuthActions, csrf_from
from tests.support.apps import ON_BOTH_DATABASES
from tests.support.live import ServerThread
from tests.support.lti_platform import (
    INSTRUCTOR,
    LEARNER,
    TEACHING_ASSISTANT,
    TestPlatform,
    parse_form,
    rsa_private_pem,
)

DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


@pytest.fixture
def tool(app):
    """The app over real HTTP (the platform fetches its keys from it)."""
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    yield server.url
    server.stop()


@pytest.fixture
def cli_env(app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "test-only-secret")
    return CliRunner()


@pytest.fixture
def platform(tool, cli_env):
    """A platform registered with the tool through `autograder lti add-platform`."""
    lms = TestPlatform(tool)
    result = cli_env.invoke(cli, ["lti", "add-platform", *lms.registration_options])
    assert result.exit_code == 0, result.output
    lms.add_person("learner-1", "Ada Lovelace", "ada@example.edu", [LEARNER])
    lms.add_person("teacher-1", "Grace Hopper", "grace@example.edu", [INSTRUCTOR])
    lms.add_person("ta-1", "Alan Turing", "alan@example.edu", [TEACHING_ASSISTANT])
    yield lms
    lms.stop()


def account(app, subject: str) -> User | None:
    with app.app_context():
        session = get_session()
        user = session.scalar(select(User).join(LtiIdentity, LtiIdentity.user_id == User.id)
                              .where(LtiIdentity.subject == subject))
        if user is not None:
            session.expunge(user)
        return user


def refused(response: requests.Response) -> bool:
    return response.status_code == 403 and "data-refused" in response.text


@ON_BOTH_DATABASES
def test_a_learners_first_launch_creates_the_account_and_opens_the_assignment(app, platform):
    browser = requests.Session()
    answer = platform.launch(browser, "learner-1", custom={"assignment": "numerical"})
    assert answer.status_code == 200, answer.text[-2000:]
    assert answer.url.endswith("/assignments/numerical")
    assert "Ada Lovelace" in answer.text or "ada" in answer.text
    user = account(app, "learner-1")
    assert (user.name, user.email, user.role) == ("Ada Lovelace", "ada@example.edu", Role.STUDENT)
    assert user.password_hash == NO_PASSWORD and not user.check_password("")
    # The same person again is the same account; the session opens their own pages.
    again = platform.launch(requests.Session(), "learner-1")
    assert again.status_code == 200 and again.url.endswith("/assignments")
    assert account(app, "learner-1").id == user.id
    with app.app_context():
        session = get_session()
        assert session.scalar(select(LtiContext.memberships_url)) == (
            f"{platform.url}/courses/{platform.context_id}/memberships")
        assert session.scalars(select(LtiEnrolment.role)).all() == [Role.STUDENT]


@ON_BOTH_DATABASES
def test_instructor_and_teaching_assistant_launches_open_the_dashboard(app, platform):
    answer = platform.launch(requests.Session(), "teacher-1", custom={"assignment": "numerical"})
    assert answer.status_code == 200 and answer.url.endswith("/instructor/assignments/numerical")
    assert account(app, "teacher-1").role == Role.INSTRUCTOR
    answer = platform.launch(requests.Session(), "ta-1")
    assert answer.status_code == 200 and answer.url.endswith("/instructor/")
    assert account(app, "ta-1").role == Role.INSTRUCTOR


def test_a_launch_url_naming_the_assignment_opens_it(platform):
    answer = platform.launch(requests.Session(), "learner-1",
                             target=platform.tool_url + "/lti/launch?assignment=backprop")
    assert answer.status_code == 200 and answer.url.endswith("/assignments/backprop")


def test_the_login_first_offers_a_new_window_inside_a_frame(platform):
    browser = requests.Session()
    page = browser.get(platform.tool_url + "/lti/login",
                       params={"iss": platform.issuer, "login_hint": "learner-1",
                               "target_link_uri": platform.tool_url + "/lti/launch",
                               "client_id": platform.client_id}, timeout=30)
    assert page.status_code == 200 and "data-lti-new-window" in page.text
    assert "lti1p3_new_window=1" in page.text  # the link goes on in a window of its own


@ON_BOTH_DATABASES
def test_a_replayed_launch_is_refused(app, platform):
    browser = requests.Session()
    form = platform.login(browser, "learner-1")
    assert platform.post_form(browser, form).status_code == 200
    assert refused(platform.post_form(browser, form))
    # Nor from another browser that copied the form.
    assert refused(platform.post_form(requests.Session(), form))


def test_a_launch_signed_by_another_key_is_refused(app, platform):
    platform.foreign_key = rsa_private_pem()  # same key id, someone else's key
    assert refused(platform.launch(requests.Session(), "learner-1"))
    assert account(app, "learner-1") is None


def test_the_platforms_keys_are_cached_and_fetched_again_for_a_new_key(app, platform):
    assert platform.launch(requests.Session(), "learner-1").ok
    assert platform.launch(requests.Session(), "learner-1").ok
    assert platform.jwks_requests == 1  # the second launch used the cached key set
    platform.rotate_key()  # the cached key set lacks the new kid: fetched once more
    answer = platform.launch(requests.Session(), "learner-1")
    assert answer.status_code == 200 and not refused(answer)
    assert platform.jwks_requests == 2


@pytest.mark.parametrize("claims", [
    {"aud": "someone-elses-tool", "azp": "someone-elses-tool"},
    {DEPLOYMENT_CLAIM: "deployment-unknown"},
    {"iss": "https://lms.elsewhere.example"},
], ids=["wrong-audience", "unknown-deployment", "unknown-issuer"])
def test_launches_for_someone_else_are_refused(app, platform, claims):
    platform.launch_overrides = claims
    assert refused(platform.launch(requests.Session(), "learner-1"))
    assert account(app, "learner-1") is None


def test_clocks_a_few_seconds_apart_are_tolerated_not_more(app, platform):
    # The platform's clock runs ahead: its token is valid only from a few seconds on.
    platform.launch_overrides = {"nbf": int(time.time()) + 5}
    assert platform.launch(requests.Session(), "learner-1").status_code == 200
    platform.launch_overrides = {"nbf": int(time.time()) + 120}
    assert refused(platform.launch(requests.Session(), "learner-1"))


@ON_BOTH_DATABASES
def test_a_local_account_is_linked_once(app, platform, cli_env):
    listed = cli_env.invoke(cli, ["lti", "list"])
    platform_id = listed.output.split("\t")[0]
    linked = cli_env.invoke(cli, ["lti", "link-account", "alice", "--platform", platform_id,
                                  "--subject", "learner-1"])
    assert linked.exit_code == 0, linked.output
    platform.launch(requests.Session(), "learner-1")
    user = account(app, "learner-1")
    assert user.username == "alice" and user.password_hash != NO_PASSWORD  # her own, kept
    again = cli_env.invoke(cli, ["lti", "link-account", "alice", "--platform", platform_id,
                                 "--subject", "teacher-1"])
    assert again.exit_code != 0 and "linked" in again.output


@ON_BOTH_DATABASES
def test_keys_are_made_once_published_and_rotated(app, platform, cli_env):
    first = requests.get(platform.tool_url + "/lti/jwks", timeout=10).json()["keys"]
    assert len(first) == 1 and first[0]["alg"] == "RS256" and "d" not in first[0]
    assert requests.get(platform.tool_url + "/lti/jwks", timeout=10).json()["keys"] == first
    rotated = cli_env.invoke(cli, ["lti", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    keys = requests.get(platform.tool_url + "/lti/jwks", timeout=10).json()["keys"]
    assert [k["kid"] for k in keys][1:] == [first[0]["kid"]]  # the new one first, the old kept
    assert keys[0]["kid"] in rotated.output


def test_the_lms_page_rotates_the_key_for_instructors_only(app, platform):
    first = requests.get(platform.tool_url + "/lti/jwks", timeout=10).json()["keys"]
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("alice")
    refused = client.post("/instructor/lti/rotate-key",
                          data={"csrf_token": auth.csrf("/assignments")})
    assert refused.status_code in (403, 404)
    auth.logout()
    auth.login("prof")
    rotated = client.post("/instructor/lti/rotate-key",
                          data={"csrf_token": auth.csrf("/instructor/lti")})
    assert rotated.status_code == 302
    keys = requests.get(platform.tool_url + "/lti/jwks", timeout=10).json()["keys"]
    assert len(keys) == 2 and keys[1]["kid"] == first[0]["kid"]  # the old one still published
    with app.app_context():
        entry = get_session().scalar(select(AuditEntry).where(AuditEntry.action == "lti.rotate_key"))
        assert entry is not None and entry.actor.username == "prof"


def test_the_json_tool_configuration_names_the_tools_own_urls(platform):
    """What Canvas reads ("Paste JSON" / "Enter URL"): every URL is one the tool answers."""
    config = requests.get(platform.tool_url + "/lti/config.json", timeout=10).json()
    assert config["oidc_initiation_url"] == platform.tool_url + "/lti/login"
    assert config["target_link_uri"] == platform.tool_url + "/lti/launch"
    assert config["public_jwk_url"] == platform.tool_url + "/lti/jwks"
    assert requests.get(config["public_jwk_url"], timeout=10).json()["keys"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
    placements = config["extensions"][0]["settings"]["placements"]
    assert any(p["message_type"] == "LtiDeepLinkingRequest" for p in placements)


def test_registration_refuses_bad_urls_and_lists_and_removes(platform, cli_env):
    bad = cli_env.invoke(cli, ["lti", "add-platform", "--issuer", "x", "--client-id", "c",
                               "--deployment-id", "d", "--auth-login-url", "ftp://x",
                               "--token-url", "http://t", "--jwks-url", "http://j"])
    assert bad.exit_code != 0 and "auth_login_url" in bad.output
    listed = cli_env.invoke(cli, ["lti", "list"])
    assert platform.issuer in listed.output and platform.deployment_id in listed.output
    removed = cli_env.invoke(cli, ["lti", "remove", listed.output.split("\t")[0]])
    assert removed.exit_code == 0
    assert "no LMS registered" in cli_env.invoke(cli, ["lti", "list"]).output
    login = requests.get(platform.tool_url + "/lti/login", timeout=30, params={
        "iss": platform.issuer, "login_hint": "learner-1", "client_id": platform.client_id,
        "lti1p3_new_window": "1"})
    assert login.status_code == 400 and "registration" in login.text


@ON_BOTH_DATABASES
def test_deep_linking_returns_a_signed_link_the_platform_verifies(app, platform):
    browser = requests.Session()
    picker = platform.launch(browser, "teacher-1", deep_link=True)
    assert picker.status_code == 200 and 'name="assignment"' in picker.text
    launch_id = picker.url.rsplit("/", 1)[1]  # the picker answers on its launch's own URL
    assert picker.url == f"{platform.tool_url}/lti/deep-link/{launch_id}"
    token = csrf_from(picker.text)
    answer = browser.post(picker.url, data={"csrf_token": token, "assignment": "backprop"},
                          timeout=30)
    assert answer.status_code == 200
    assert "form-action 'self' " + platform.url in answer.headers["Content-Security-Policy"]
    form = parse_form(answer.text, "data-auto-submit")
    assert form["action"] == platform.url + "/deep_link_return"
    returned = requests.post(form["action"], data={"JWT": form["fields"]["JWT"]}, timeout=30)
    assert returned.status_code == 200, returned.text  # verified against the tool's JWKS
    (item,) = platform.deep_link_items
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"assignment": "backprop"}
    assert item["lineItem"]["resourceId"] == "backprop"
    # The link, launched by a learner, opens that assignment.
    launched = platform.launch(requests.Session(), "learner-1", custom=item["custom"])
    assert launched.url.endswith("/assignments/backprop")
    # The answer is given once; a learner gets no picker.
    assert browser.post(picker.url, data={"csrf_token": token, "assignment": "numerical"},
                        timeout=30).status_code == 404
    assert refused(platform.launch(requests.Session(), "learner-1", deep_link=True))


@ON_BOTH_DATABASES
def test_roster_sync_creates_updates_and_deactivates(app, platform, cli_env, client, auth):
    platform.launch(requests.Session(), "learner-1")  # the course is known from a launch
    platform.add_person("learner-2", "Emmy Noether", "emmy@example.edu", [LEARNER])
    platform.people["learner-1"].name = "Ada King"
    synced = cli_env.invoke(cli, ["lti", "sync-roster", platform.context_id])
    assert synced.exit_code == 0, synced.output
    assert "created" in synced.output
    assert account(app, "learner-2").name == "Emmy Noether"
    assert account(app, "learner-1").name == "Ada King"
    assert account(app, "ta-1").role == Role.INSTRUCTOR
    # Ada leaves the course (the LMS marks her inactive), Emmy is dropped from it.
    platform.people["learner-1"].status = "Inactive"
    del platform.people["learner-2"]
    auth.login("prof", "prof-pass-3")
    page = client.get("/instructor/lti")
    token = csrf_from(page.get_data(as_text=True))
    with app.app_context():
        context_id = get_session().scalar(select(LtiContext.id))
    answer = client.post(f"/instructor/lti/courses/{context_id}/sync",
                         data={"csrf_token": token}, follow_redirects=True)
    assert "2 deactivated" in answer.get_data(as_text=True)
    assert account(app, "learner-1").disabled_at is not None
    assert account(app, "learner-2").disabled_at is not None
    assert account(app, "teacher-1").disabled_at is None


def test_behind_https_the_login_cookies_work_inside_an_lms_frame(app, platform):
    """Over HTTPS (as the proxy says, docs/lti.md) the state cookie is SameSite=None; Secure."""
    client = app.test_client()
    answer = client.get("/lti/login", base_url="https://grader.example.edu", query_string={
        "iss": platform.issuer, "login_hint": "learner-1", "client_id": platform.client_id,
        "target_link_uri": "https://grader.example.edu/lti/launch", "lti1p3_new_window": "1"})
    assert answer.status_code == 302 and answer.location.startswith(platform.url + "/auth?")
    cookies = answer.headers.getlist("Set-Cookie")
    state = [c for c in cookies if c.startswith("lti1p3-state-")]
    assert state and all(p in state[0] for p in ("Secure", "SameSite=None", "Partitioned"))


def test_a_session_cookie_for_frames_needs_https(monkeypatch, tmp_path):
    from grader.config import from_environment

    monkeypatch.setenv("SESSION_COOKIE_SAMESITE", "None")
    with pytest.raises(ValueError, match="SESSION_COOKIE_SECURE"):
        from_environment(str(tmp_path))
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    config = from_environment(str(tmp_path))
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "None"


def test_pages_may_be_framed_by_the_lms_only_when_configured(app, client):
    closed = client.get("/auth/login")
    assert "frame-ancestors 'none'" in closed.headers["Content-Security-Policy"]
    assert closed.headers["X-Frame-Options"] == "DENY"
    app.config["FRAME_ANCESTORS"] = "https://canvas.example.edu"
    framed = client.get("/auth/login")
    assert "frame-ancestors https://canvas.example.edu" in framed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in framed.headers
