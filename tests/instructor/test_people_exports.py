"""Roster import, disabling accounts, grades.csv, results.json, the Gradescope zip, similarity."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from grader.db import get_session
from grader.grading.assignments import load_assignments
from grader.models import User
from tests.support.documents import graded_result
from tests.support.forms import import_roster
from tests.support.live import REPOSITORY

ROSTER = (
    "Username,Name,Email\n"
    "carol,Carol Nguyen,carol@example.edu\n"
    "alice,Alice Again,alice@example.edu\n"
    "Bad Name!,Nobody,x@example.edu\n"
    "dave,\"=HYPERLINK(\"\"http://x\"\")\",dave@example.edu\n"
    "erin,Erin,not-an-email\n"
    "carol,Carol Twice,carol@example.edu\n"
)


def test_roster_import_reports_each_row_and_shows_passwords_once(app, client, auth,
                                                                 audit_actions):
    auth.login("prof")
    page = import_roster(client, auth, ROSTER).get_data(as_text=True)
    assert "2 created · 2 skipped · 2 errors" in page
    assert page.count('data-outcome="created"') == 2
    passwords = dict(zip(["carol", "dave"], __import__("re").findall(
        r'class="password">([^<]+)<', page), strict=True))
    auth.logout()
    assert auth.login("carol", passwords["carol"]).status_code == 302
    with app.app_context():
        carol = User.by_username(get_session(), "carol")
        assert (carol.name, carol.email, carol.role) == ("Carol Nguyen", "carol@example.edu",
                                                          "student")
    assert audit_actions() == [("prof", "roster.import", "students")]
    auth.logout()
    auth.login("prof")
    again = client.get("/instructor/people").get_data(as_text=True)
    assert "class=\"password\"" not in again  # shown once


def test_roster_without_the_columns_is_refused(client, auth):
    auth.login("prof")
    response = import_roster(client, auth, "user,mail\nx,y\n")
    assert response.status_code == 400
    assert "missing: username, name, email" in response.get_data(as_text=True)


def test_a_disabled_user_cannot_log_in_or_use_tokens(app, client, auth, bearer,
                                                     audit_actions):
    assert client.get("/api/v1/me", headers=bearer("alice")).status_code == 200
    auth.login("prof")
    with app.app_context():
        alice_id = User.by_username(get_session(), "alice").id
    token = auth.csrf("/instructor/people")
    assert client.post(f"/instructor/users/{alice_id}/disable",
                       data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me", headers=bearer("alice")).status_code == 401
    auth.logout()
    refused = auth.login("alice")
    assert refused.status_code == 403 and "disabled" in refused.get_data(as_text=True)
    auth.login("prof")
    client.post(f"/instructor/users/{alice_id}/enable",
                data={"csrf_token": auth.csrf("/instructor/people")})
    assert client.get("/api/v1/me", headers=bearer("alice")).status_code == 200
    assert [a[1:] for a in audit_actions()] == [("user.disable", "alice"),
                                                ("user.enable", "alice")]


def test_a_session_ends_when_its_account_is_disabled(app, client, auth):
    auth.login("alice")
    assert client.get("/assignments").status_code == 200
    with app.app_context():
        session = get_session()
        from grader.models import utcnow
        User.by_username(session, "alice").disabled_at = utcnow()
        session.commit()
    assert client.get("/assignments").status_code == 302


@pytest.mark.parametrize(("user", "status"), [("prof", 200), ("alice", 403), (None, 401)])
def test_grades_csv_api_access(client, bearer, user, status):
    headers = bearer(user) if user else {}
    response = client.get("/api/v1/assignments/numerical/grades.csv", headers=headers)
    assert response.status_code == status
    if status != 200:
        assert response.json["error"]["code"] in ("forbidden", "unauthorized")


def test_grades_csv_content(app, client, bearer, make_submission):
    with app.app_context():
        session = get_session()
        User.by_username(session, "alice").name = "Alice Liddell"
        session.commit()
    make_submission("alice", result=graded_result(["a", "b"], {"c": "x"}))
    make_submission("alice", result=graded_result(["a"], {"b": "x", "c": "x"}))
    response = client.get("/api/v1/assignments/numerical/grades.csv", headers=bearer("prof"))
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["username"] for r in rows] == ["alice", "bob"]  # students only, both listed
    alice, bob = rows
    assert (alice["name"], alice["score"], alice["max_score"], alice["late_penalty"]) == (
        "Alice Liddell", "2.0", "3.0", "0.0")
    assert alice["submitted_at"].endswith("+00:00") and alice["submission_id"] == "1"
    assert (bob["score"], bob["submitted_at"]) == ("", "")
    assert client.get("/api/v1/assignments/nope/grades.csv",
                      headers=bearer("prof")).status_code == 404


def test_autograder_zip_holds_this_assignment_only(client, auth):
    auth.login("prof")
    response = client.get("/instructor/assignments/numerical/autograder.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/__init__.py",
            "grader/grading/__main__.py", "grader/grading/pipeline.py",
            "grader/grading/sandbox/runner.py", "grader/grading/harness/run.py",
            "reference/kit/autodiff/__init__.py", "assignments/numerical/assignment.toml",
            "assignments/numerical/cases.py", "reference/solutions/numerical/numerical.py"} <= names
    # No other assignment's folder, not even its manifest: the judges' answers come from the
    # reference engine, which names its solution files by path.
    assert {n for n in names if n.startswith("assignments/")
            and not n.startswith("assignments/numerical/")} == set()
    assert not any(n.startswith("tests/") for n in names)
    assert not any("/mutants/" in n or n.startswith("grader/templates") for n in names)
    assert "reference/engine.py" in names
    run = archive.read("run_autograder").decode()
    assert ("python -m grader.grading numerical \"$SUBMISSION\"" in run
            and "/autograder/results/results.json" in run
            and "/autograder/submission/numerical.py" in run)
    assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
    assert "pip install" in archive.read("setup.sh").decode()


@pytest.mark.parametrize("slug", list(load_assignments()))
def test_autograder_zip_ships_the_grading_core_and_no_web_code(slug):
    from grader.gradescope import autograder_zip
    from grader.grading.assignments import get_assignment

    archive = zipfile.ZipFile(io.BytesIO(autograder_zip(get_assignment(slug))))
    names = set(archive.namelist())
    grader_files = {n for n in names if n.startswith("grader/")}
    # The web, its storage and its pages: none of it is imported by a grading.
    assert not {n for n in grader_files if n.startswith((
        "grader/models/", "grader/templates/", "grader/static/", "grader/cli/", "grader/api/",
        "grader/student/", "grader/instructor/", "grader/auth/"))}
    assert not {"grader/app.py", "grader/db.py", "grader/course.py", "grader/gradescope.py",
                "grader/import_graph.py", "grader/student_wheel.py"} & names
    assert all(n.startswith("grader/grading/") for n in grader_files - {"grader/__init__.py"})
    # The harness runs by path inside the sandbox: it travels whole, with the whole kit.
    harness = REPOSITORY / "grader/grading/harness"
    assert {f"grader/grading/harness/{p.name}" for p in harness.glob("*.py")} <= names
    kit = REPOSITORY / "reference/kit"
    assert {p.relative_to(REPOSITORY).as_posix() for p in kit.rglob("*.py")} <= names
    requirements = archive.read("requirements.txt").decode().split()
    assert [line.split(">=")[0] for line in requirements] == ["numpy", "pyseccomp"]


def test_the_zip_requirements_come_from_the_imports(monkeypatch):
    """A module the grading imports but REQUIREMENTS does not name stops the build."""
    from grader import gradescope
    from grader.grading.assignments import get_assignment

    monkeypatch.setattr(gradescope, "REQUIREMENTS", {"numpy": "numpy>=2.0"})
    with pytest.raises(gradescope.UnknownRequirement, match="pyseccomp"):
        gradescope.autograder_zip(get_assignment("numerical"))


@pytest.mark.parametrize("slug", list(load_assignments()))
def test_autograder_zip_grades_the_reference_from_its_own_files(tmp_path, slug):
    """Unpacked on its own, the zip's code grades a submission (as run_autograder would)."""
    import json
    import os
    import subprocess
    import sys

    from grader.gradescope import autograder_zip
    from grader.grading.assignments import get_assignment

    assignment = get_assignment(slug)
    zipfile.ZipFile(io.BytesIO(autograder_zip(assignment))).extractall(tmp_path)
    solution = tmp_path / "submission" / assignment.submit_file
    solution.parent.mkdir()
    solution.write_bytes(assignment.solution.read_bytes())
    # run_autograder's PYTHONPATH: the zip's own code, not this checkout's installed packages
    environment = {**os.environ, "PYTHONPATH": f"{tmp_path}:{tmp_path}/reference/kit"}
    assert "export PYTHONPATH=/autograder/source:/autograder/source/reference/kit" in \
        zipfile.ZipFile(io.BytesIO(autograder_zip(assignment))).read("run_autograder").decode()
    # The web's packages are made unimportable: the zip's code must grade without them.
    done = subprocess.run(
        [sys.executable, "-c", "import runpy, sys, grader, reference, autodiff; "
         f"assert grader.__file__.startswith({str(tmp_path)!r}); "
         f"assert reference.__file__.startswith({str(tmp_path)!r}); "
         f"assert autodiff.__file__.startswith({str(tmp_path)!r}), autodiff.__file__; "
         "sys.modules.update(dict.fromkeys(['flask', 'sqlalchemy', 'click', 'rich', "
         "'werkzeug', 'celery', 'requests'])); "
         f"sys.argv = ['grader.grading', {slug!r}, {str(solution)!r}]; "
         "runpy.run_module('grader.grading', run_name='__main__', alter_sys=True)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=environment,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["score"] == result["max_score"] > 0


def test_autograder_zip_ships_the_solutions_its_grading_loads():
    """Every zip ships the reference engine's solution files (reference/engine.py: the judges'
    answers) and the assignment's own solution (its limits are calibrated on it), no other."""
    from grader.gradescope import autograder_zip
    from grader.grading.assignments import get_assignment, load_assignments
    from reference import engine
    from reference.solutions import SOLUTIONS_DIR

    def solution_files_in(slug):
        names = zipfile.ZipFile(io.BytesIO(autograder_zip(get_assignment(slug)))).namelist()
        return {name for name in names if name.startswith("reference/solutions/")
                and name.endswith(".py") and name.count("/") == 3}

    engine_files = {f"reference/solutions/{path.relative_to(SOLUTIONS_DIR).as_posix()}"
                    for path in engine.files()}
    for slug, assignment in load_assignments().items():
        own = f"reference/solutions/{assignment.solution.relative_to(SOLUTIONS_DIR).as_posix()}"
        assert solution_files_in(slug) == engine_files | {own}, slug


def test_similarity_lists_pairs_and_escapes_the_code(client, auth, make_submission):
    solution = (REPOSITORY / "reference/solutions/numerical/numerical.py").read_text()
    evil = "# <script>alert('x')</script>\n" + solution
    first = make_submission("alice", source=evil, result=graded_result(["a"], {}))
    second = make_submission("bob", source=solution.replace("eps", "h"),
                             result=graded_result(["a"], {}))
    auth.login("prof")
    listing = client.get("/instructor/assignments/numerical/similar").get_data(as_text=True)
    assert f"/instructor/similar/{first}/{second}" in listing
    page = client.get(f"/instructor/similar/{first}/{second}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page
    assert page.count('<mark class="shared">') >= 2


def test_reset_password_prints_a_new_one(app, monkeypatch):
    from click.testing import CliRunner

    from grader.cli import cli

    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "test-only-secret")
    result = CliRunner().invoke(cli, ["reset-password", "alice"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[1]
    with app.app_context():
        assert User.by_username(get_session(), "alice").check_password(password)
