"""The `autograder` commands for accounts and remote submission, and their report."""

import io
import re
from html import unescape

import pytest
from click.testing import CliRunner
from rich.console import Console

from grader.cli import cli
from grader.cli.report import print_report
from grader.db import get_session
from grader.models import User
from tests.support.documents import case, result_document
from tests.support.live import ServerThread

GOOD = "def numerical_gradient(f, x, h=1e-6):\n    return x * 0\n"


@pytest.fixture
def cli_env(app, tmp_path, monkeypatch):
    """Point the commands at the test app's database."""
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "test-only-secret")
    return CliRunner()


def test_create_user_with_password(app, cli_env):
    result = cli_env.invoke(cli, ["create-user", "Carol", "--role", "instructor",
                                  "--password", "carol-pass"])
    assert result.exit_code == 0, result.output
    assert "created instructor carol" in result.output
    assert "carol-pass" not in result.output
    with app.app_context():
        carol = User.by_username(get_session(), "carol")
        assert carol.is_instructor and carol.check_password("carol-pass")


def test_create_user_generates_a_password(app, cli_env):
    result = cli_env.invoke(cli, ["create-user", "dave"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[1]
    with app.app_context():
        dave = User.by_username(get_session(), "dave")
        assert dave.role == "student" and dave.check_password(password)


def test_create_user_refuses_duplicates(cli_env):
    result = cli_env.invoke(cli, ["create-user", "alice", "--password", "x"])
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_token_works_against_the_api(app, client, cli_env):
    result = cli_env.invoke(cli, ["token", "alice"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["username"] == "alice"


def test_token_for_unknown_account(cli_env):
    result = cli_env.invoke(cli, ["token", "nobody"])
    assert result.exit_code == 1
    assert "no account called 'nobody'" in result.output


@pytest.fixture
def http_server(app):
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    yield server
    server.stop()


def test_submit_without_waiting(app, http_server, tmp_path):
    path = tmp_path / "numerical.py"
    path.write_text(GOOD)
    result = CliRunner().invoke(cli, [
        "submit", "numerical", str(path), "--server", http_server.url,
        "--token", app.tokens["alice"], "--no-wait", "--json",
    ])
    assert result.exit_code == 0, result.output
    assert '"status": "queued"' in result.output


@pytest.mark.parametrize(
    ("token", "slug", "content", "message"),
    [
        ("agt_wrong", "numerical", GOOD, "Invalid token. (HTTP 401)"),
        (None, "nope", GOOD, "HTTP 404"),
        (None, "numerical", "def broken(:\n", "not valid Python"),
    ],
)
def test_submit_reports_server_errors(app, http_server, tmp_path, token, slug, content,
                                      message):
    path = tmp_path / "numerical.py"
    path.write_text(content)
    result = CliRunner().invoke(cli, [
        "submit", slug, str(path), "--server", http_server.url,
        "--token", token or app.tokens["alice"],
    ])
    assert result.exit_code == 1
    assert message in result.output


def test_submit_to_a_dead_server(tmp_path):
    path = tmp_path / "numerical.py"
    path.write_text(GOOD)
    result = CliRunner().invoke(cli, ["submit", "numerical", str(path), "--server",
                                      "http://127.0.0.1:9", "--token", "agt_x"])
    assert result.exit_code == 1
    assert "cannot reach the server" in result.output


def test_submit_waits_and_prints_the_report(live_env, web, worker_factory, tmp_path):
    """The whole path: CLI upload, a real worker on Redis and PostgreSQL, the printed report."""
    from tests.support.live import REPOSITORY, require_redis

    require_redis()
    worker_factory(live_env)
    app = web(live_env)
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    try:
        source = REPOSITORY / "assignments" / "numerical" / "mutants" / "forward_difference.py"
        result = CliRunner().invoke(cli, [
            "submit", "numerical", str(source), "--server", server.url,
            "--token", app.tokens["alice"],
        ])
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert "score: 10 / 21" in result.output
    assert "Hint: " in result.output  # the diagnosis of the first failures, as on the page


# A diagnosis with every kind of entry: values, a node, both errors, an extra, the hint.
DIAGNOSIS = {"category": "wrong-value", "node": "x2", "op": "mul",
             "expected": {"values": [[1.0, 2.0]], "shape": [1, 2]}, "received": [[1.0, 3.21568]],
             "abs_error": 1.21568, "rel_error": 0.5123456, "tolerance": 1e-6,
             "hint": "Sum the partial adjoints."}


def page_lines(html: str) -> list[str]:
    """The diagnosis on the page as "Label: text" lines (tags and escapes undone)."""
    block = re.search(r'<dl class="diagnosis">(.*?)</dl>', html, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    return [f"{label}: {unescape(re.sub(r'<[^>]+>', '', text)).strip()}" for label, text in pairs]


def terminal_text(document: dict) -> str:
    console = Console(file=io.StringIO(), width=300, color_system=None)
    print_report(document, console)
    return console.file.getvalue()


def test_the_terminal_and_the_page_word_a_diagnosis_alike(client, auth, make_submission):
    document = result_document([case("test 1", "failed", output="values differ",
                                     diagnosis=DIAGNOSIS), case("test 2")])
    auth.login("alice")
    page = client.get(f"/submissions/{make_submission('alice', result=document)}")
    lines = page_lines(page.get_data(as_text=True))
    assert "Error: absolute 1.21568, relative 0.512346" in lines
    assert "Expected: [[1, 2]]  (shape 1×2)" in lines
    printed = [line.strip() for line in terminal_text(document).splitlines()]
    assert [line for line in lines if line in printed] == lines  # every line, word for word
    assert "score: 1 / 2" in printed


def test_submit_marks_the_hidden_tests_as_the_page_does(client, auth, bearer, make_submission,
                                                        course):
    document = result_document([case("test 1"), case("test 2", "failed", visibility="hidden"),
                                case("test 3", "failed", visibility="after_due_date")])
    submission = make_submission("alice", result=document)
    status = client.get(f"/api/v1/submissions/{submission}", headers=bearer("alice")).json
    printed = terminal_text(status["result"])  # what `autograder submit` prints of it
    assert "test 1 " in printed and "test 1 (" not in printed
    assert "test 2 (hidden)" in printed
    assert "test 3 (hidden until the due date)" in printed
    auth.login("alice")
    page = client.get(f"/submissions/{submission}").get_data(as_text=True)
    assert 'data-withheld="always">hidden</span>' in page
    assert 'data-withheld="until_due">hidden until the due date</span>' in page
