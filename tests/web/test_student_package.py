"""The student package: built from the repository, served by the app and put in the starter
zip, installed with one pip command into a fresh venv, where `autograder test` gives the
grader's own diagnosis and `autograder submit` reaches a live server and worker."""

import ast
import inspect
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import student_wheel
from grader.grading.assignments import REPOSITORY, get_assignment, load_assignments
from grader.grading.pipeline import grade_submission
from tests.support.accounts import AuthActions
from tests.support.forms import post_file
from tests.support.live import ServerThread, require_redis

WHEEL_URL = f"/student-package/{student_wheel.WHEEL_NAME}"
AUTODIFF = get_assignment("autodiff")
OP_GRADIENTS = get_assignment("op_gradients")  # instructor-written tests (the `tests` kind)


@pytest.fixture(scope="module")
def wheel_bytes() -> bytes:
    return student_wheel.wheel().read_bytes()


def wheel_texts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_wheel_ships_the_kit_and_visible_cases_but_no_solution_or_hidden_case(wheel_bytes):
    texts = wheel_texts(wheel_bytes)
    kit = {path.name for path in (REPOSITORY / "reference/kit/autodiff").glob("*.py")}
    assert {f"autodiff/{name}" for name in kit} <= set(texts)
    assert "autodiff_student/cli.py" in texts and "autodiff_student/harness/run.py" in texts
    everything = "\n".join(texts.values())
    for assignment in load_assignments().values():
        solution = assignment.solution.read_text()
        body = solution[solution.index("def "):]  # the solution's code, docstring aside
        assert body not in everything
        for mutant in assignment.mutants():
            assert mutant.read_text() not in everything
        shipped = json.loads(texts[f"autodiff_student/assignments/{assignment.slug}.json"])
        visible = [c.name for c in assignment.cases() if c.visibility == "visible"]
        assert [c["fields"]["name"] for c in shipped["cases"]] == visible
        assert {c["fields"]["visibility"] for c in shipped["cases"]} == {"visible"}
        hidden_payloads = [json.dumps(c.payload()) for c in assignment.cases()
                           if c.visibility != "visible"]
        assert not [p for p in hidden_payloads if p in json.dumps(shipped)]
    assert not [name for name in texts if name.startswith(("reference/", "grader/", "workers/"))]


def test_the_wheel_ships_the_instructors_visible_tests_and_no_hidden_one(wheel_bytes):
    texts = wheel_texts(wheel_bytes)
    everything = "\n".join(texts.values())
    written = [a for a in load_assignments().values() if (a.folder / "tests.py").is_file()]
    assert [a.slug for a in written] == ["op_gradients"]  # the `tests` kind's, checked here
    for assignment in written:
        shipped = texts[f"autodiff_student/assignments/{assignment.slug}/tests.py"]
        assert shipped == (assignment.folder / "tests.py").read_text().replace(
            "from grader.grading.instructor_tests", "from autodiff_student.grading.instructor_tests")
        hidden = [case for case in assignment.cases() if case.visibility != "visible"]
        assert hidden and (assignment.folder / "hidden_tests.py").is_file()
        for case in hidden:  # neither its name nor its code nor its description
            assert case.function.__name__ not in everything, case.name
            assert case.name not in everything and case.description not in everything
            assert inspect.getsource(case.function) not in everything
        # nor a helper only the hidden tests use
        tree = ast.parse((assignment.folder / "hidden_tests.py").read_text())
        assigned = [target.id for node in tree.body if isinstance(node, ast.Assign)
                    for target in node.targets if isinstance(target, ast.Name)]
        assert assigned and not [name for name in assigned if name in everything]
        assert not [name for name in texts if name.endswith("hidden_tests.py")]


def test_the_wheel_is_served_at_a_stable_url_without_login(client, wheel_bytes):
    response = client.get(WHEEL_URL)
    try:
        assert response.status_code == 200
        assert response.data == wheel_bytes
    finally:
        response.close()  # the file it streams
    assert client.get("/student-package/other-0.1.0-py3-none-any.whl").status_code == 404


def test_the_starter_zip_holds_the_wheel(app, wheel_bytes):
    app.extensions["grader.course"] = {"autodiff": AUTODIFF}  # the real folder, not a stand-in
    client = app.test_client()
    AuthActions(client).login("alice")
    response = client.get("/assignments/autodiff/starter.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.read(f"autodiff-starter/{student_wheel.WHEEL_NAME}") == wheel_bytes
        assert "autodiff-starter/gradient.py" in archive.namelist()


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=600, **kwargs)


LOCAL_TESTS = """
import json, sys
from autodiff_student import local
document = local.run_tests(local.load_assignment(sys.argv[1]), sys.argv[2])
print(json.dumps([[t["name"], t["status"], t["output"], t["tags"],
                   t["extra_data"].get("diagnosis")] for t in document["tests"]]))
"""


def local_outcomes(python: Path, slug: str, path: Path, env: dict | None = None) -> list:
    done = run([python, "-c", LOCAL_TESTS, slug, path], env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def grader_outcomes(slug: str, path: Path) -> list:
    document = json.loads(json.dumps(grade_submission(slug, path.read_text(), public_only=True)))
    return [[t["name"], t["status"], t["output"], t["tags"], t["extra_data"].get("diagnosis")]
            for t in document["tests"]]


def test_pip_install_from_the_server_then_test_and_submit(live_env, web, worker_factory,
                                                          tmp_path):
    require_redis()
    worker_factory(live_env)
    app = web(live_env)
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    try:
        venv = tmp_path / "venv"
        run([sys.executable, "-m", "venv", venv])
        python, autograder = venv / "bin" / "python", venv / "bin" / "autograder"
        done = run([python, "-m", "pip", "install", "--quiet", server.url + WHEEL_URL])
        assert done.returncode == 0, done.stderr[-3000:]

        # `autograder test`: the reference passes every visible test, a mutant fails
        done = run([autograder, "test", "autodiff", AUTODIFF.solution], cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "score: 19 / 19" in done.stdout
        mutant = AUTODIFF.folder / "mutants" / "not_summed.py"
        done = run([autograder, "test", "autodiff", mutant], cwd=tmp_path)
        assert done.returncode == 1
        assert "adjoint-not-summed" in done.stdout and "Hint: " in done.stdout

        # the same diagnosis as the grader's, test by test
        for slug, path in [("autodiff", mutant),
                           ("autodiff", AUTODIFF.folder / "mutants" / "constant_adjoints.py"),
                           ("backprop", get_assignment("backprop").folder / "mutants"
                            / "wrong_order.py"),
                           ("numerical", get_assignment("numerical").folder / "mutants"
                            / "forward_difference.py"),
                           ("op_gradients", OP_GRADIENTS.folder / "mutants" / "quotient_sign.py")]:
            assert local_outcomes(python, slug, path) == grader_outcomes(slug, path), path.name

        # `autograder submit` with a token, against the live server and worker
        source = REPOSITORY / "assignments" / "numerical" / "mutants" / "forward_difference.py"
        done = run([autograder, "submit", "numerical", source, "--server", server.url,
                    "--token", app.tokens["alice"]])
        assert done.returncode == 0, done.stdout + done.stderr
        assert "score: 10 / 21" in done.stdout and "forward-difference" in done.stdout

        # the starter download: its wheel installs with one pip command, and tests the starter
        client = app.test_client()
        AuthActions(client).login("alice")
        response = client.get("/assignments/autodiff/starter.zip")
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            archive.extractall(tmp_path / "starter")
        folder = tmp_path / "starter" / "autodiff-starter"
        done = run([python, "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps",
                    student_wheel.WHEEL_NAME], cwd=folder)
        assert done.returncode == 0, done.stderr[-3000:]
        done = run([autograder, "test", "autodiff", "gradient.py"], cwd=folder)
        assert done.returncode == 1
        assert "NotImplementedError: build the gradient graph" in done.stdout
    finally:
        server.stop()


@pytest.fixture(scope="module")
def staged_package(tmp_path_factory) -> Path:
    """The student package's source tree, as the wheel holds it (importable as is)."""
    root = tmp_path_factory.mktemp("student-package")
    student_wheel.stage(root)
    return root


NUMERICAL = (REPOSITORY / "reference" / "solutions" / "numerical" / "numerical.py").read_bytes()
# What editors write, and what no grading takes: the server and the local checks agree on each.
FILES = {
    "utf-8 byte-order mark": b"\xef\xbb\xbf" + NUMERICAL,
    "CRLF line endings": NUMERICAL.replace(b"\n", b"\r\n"),
    "no newline at the end": NUMERICAL.rstrip(b"\n"),
    "empty": b"\xef\xbb\xbf \n",
    "NUL bytes": NUMERICAL + b"\x00",
    "latin-1 text": NUMERICAL + "# café\n".encode("latin-1"),
    "syntax error": NUMERICAL + b"def broken(:\n",
    "too large": NUMERICAL + b"#" * 70_000 + b"\n",
}


@pytest.mark.parametrize("name", list(FILES))
def test_the_local_checks_take_and_refuse_what_the_server_does(client, bearer, staged_package,
                                                               tmp_path, name):
    path = tmp_path / "numerical.py"
    path.write_bytes(FILES[name])
    answer = post_file(client, bearer("alice"), FILES[name])
    accepted = answer.status_code == 201
    env = {**os.environ, "PYTHONPATH": str(staged_package)}
    local = run([sys.executable, "-m", "autodiff_student", "test", "numerical", path],
                cwd=tmp_path, env=env)
    grade = run([sys.executable, "-m", "grader.cli", "grade", "numerical", path],
                cwd=REPOSITORY) if not accepted or name == "utf-8 byte-order mark" else None
    if accepted:
        assert local.returncode == 0, local.stdout + local.stderr  # the reference passes
        assert "score: 21 / 21" in grade.stdout if grade else True
        stored = client.get(answer.json["url"], headers=bearer("alice")).json
        assert stored["status"] == "queued"
        assert name in ("utf-8 byte-order mark", "CRLF line endings", "no newline at the end")
    else:
        message = answer.json["error"]["message"]
        assert f"the server would refuse {path}: {message}" in " ".join(local.stderr.split())
        assert local.returncode == 1
        assert f"{message}" in " ".join(grade.stderr.split()) and grade.returncode == 1


def test_the_package_is_offered_where_students_look(client, auth):
    command = f"python -m pip install http://grader.test{WHEEL_URL}"
    auth.login("alice")
    for page in ("/assignments/numerical", "/auth/account"):
        html = client.get(page).get_data(as_text=True)
        assert f"<code id=\"install-command\" data-install-command>{command}</code>" in html, page
    assert "autograder test numerical numerical.py" in client.get(
        "/assignments/numerical").get_data(as_text=True)
    for assignment in load_assignments().values():  # the README in every starter download
        readme = (assignment.folder / "README.md").read_text()
        assert f"python -m pip install {student_wheel.WHEEL_NAME}\n" in readme
        assert f"autograder test {assignment.slug} {assignment.submit_file}\n" in readme
        assert "count different tests" in readme  # why pytest's count is not autograder's


def test_autograder_test_says_how_its_tests_differ_from_the_starters(staged_package, tmp_path):
    numerical = get_assignment("numerical")
    env = {**os.environ, "PYTHONPATH": str(staged_package)}
    done = run([sys.executable, "-m", "autodiff_student", "test", "numerical",
                numerical.solution], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    visible = sum(case.visibility == "visible" for case in numerical.cases())
    said = " ".join(done.stdout.split())
    assert f"These are the grader's {visible} visible tests of numerical" in said
    assert "The starter's test_numerical.py is a separate pytest check" in said


def test_autograder_test_runs_the_instructors_visible_tests(staged_package, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(staged_package)}
    visible = sum(case.points for case in OP_GRADIENTS.cases() if case.visibility == "visible")
    done = run([sys.executable, "-m", "autodiff_student", "test", "op_gradients",
                OP_GRADIENTS.solution], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"score: {visible:g} / {visible:g}" in done.stdout
    assert "visible tests of op_gradients" in " ".join(done.stdout.split())
    mutant = OP_GRADIENTS.folder / "mutants" / "broadcast_not_summed.py"
    done = run([sys.executable, "-m", "autodiff_student", "test", "op_gradients", mutant],
               cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stdout.split())
    assert f"score: {visible - 2:g} / {visible:g}" in said
    assert "8. broadcast to: the partial adjoint of input 0 of broadcast_to (x, shape (3,)) has " \
           "shape (2, 3)" in said
    assert "Problem: wrong-shape" in said and "Hint: " in said


@pytest.mark.parametrize("path", [OP_GRADIENTS.solution, *OP_GRADIENTS.mutants()],
                         ids=lambda path: path.stem)
def test_the_instructors_visible_tests_judge_here_as_on_the_server(staged_package, path):
    env = {**os.environ, "PYTHONPATH": str(staged_package)}

    def file_named_alike(outcomes: list) -> str:  # a traceback names the file where it ran
        return re.sub(r'File \\"[^"\\]*\\"', 'File \\"op_gradients.py\\"', json.dumps(outcomes))

    local = local_outcomes(sys.executable, "op_gradients", path, env)
    graded = grader_outcomes("op_gradients", path)
    assert file_named_alike(local) == file_named_alike(graded)
    # the reference passes every visible test; each mutant fails one here already
    assert all(test[1] == "passed" for test in local) == (path == OP_GRADIENTS.solution)
