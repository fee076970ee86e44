"""Every page, as a student and as an instructor, on a 390 px phone and a 1280 px screen.

The pages are found in the app's URL map (every GET route that answers HTML, its arguments
filled from the seeded data), so a new page is checked by existing.

Each page must fit the screen (wide tables scroll in their own box), log no console error,
pass axe-core without a serious or critical violation, have one h1, unique ids and named
table headers. Screenshots of every page at both widths land in build/screenshots/.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import timedelta

import pytest

from grader.db import get_session
from grader.grading.assignments import load_assignments
from grader.models import (
    Accommodation,
    Extension,
    Group,
    GroupMember,
    GroupSize,
    LateDayAllowance,
    LateDayBank,
    LateDayGrant,
    PointsAdjustment,
    RegradeRequest,
    Submission,
    User,
    utcnow,
)
from tests.support.accounts import AuthActions
from tests.support.live import REPOSITORY, ServerThread
from tests.support.pages import PageWatcher, axe_script, log_in
from tests.support.routes import fill, page_candidates, requested_by

WIDTHS = (390, 1280)
MUTANT = REPOSITORY / "assignments" / "numerical" / "mutants" / "forward_difference.py"
SOLUTION = REPOSITORY / "reference" / "solutions" / "numerical" / "numerical.py"


@pytest.fixture(scope="module")
def graded_mutant() -> dict:
    """A real result document: the forward-difference mutant graded by `autograder grade`."""
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "grade", "numerical", str(MUTANT), "--json"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_script()


LECTURE_SLUGS = ("numerical", "backprop", "autodiff")


def real_course(now):
    """The real assignments: one open, one past due (late penalty), one closed."""
    catalog = load_assignments()
    return {
        "numerical": dataclasses.replace(catalog["numerical"], due=now + timedelta(days=3),
                                         hard_close=now + timedelta(days=10)),
        "backprop": dataclasses.replace(catalog["backprop"], due=now - timedelta(days=2),
                                        hard_close=None),
        "autodiff": dataclasses.replace(catalog["autodiff"], due=now - timedelta(days=9),
                                        hard_close=now - timedelta(days=1)),
        # every other folder, open: an assignment gets the page checks by being a folder
        **{slug: dataclasses.replace(assignment, due=now + timedelta(days=5), hard_close=None)
           for slug, assignment in catalog.items() if slug not in LECTURE_SLUGS},
    }


def seed(app, result: dict) -> dict[str, int]:
    """Submissions in every state, an extension and audit entries; return their ids by name."""
    now = utcnow()
    ids = {}
    with app.app_context():
        session = get_session()
        alice, bob, prof = (User.by_username(session, n) for n in ("alice", "bob", "prof"))
        alice.name, alice.email = "Alice Liddell", "alice@example.org"

        def add(name, user, slug="numerical", status="graded", hours=1, **fields):
            row = Submission(user=user, assignment_slug=slug, filename="numerical.py",
                             source=fields.pop("source", MUTANT.read_text()), status=status,
                             submitted_at=now - timedelta(hours=hours), **fields)
            if status == "graded":
                row.result = result
                row.raw_score = row.score = result["score"]
                row.max_score = result["max_score"]
            session.add(row)
            session.flush()
            ids[name] = row.id

        add("graded", alice)
        add("bob-copy", bob, hours=2)
        add("queued", alice, status="queued", hours=0, progress=None)
        add("error", alice, status="error", hours=3,
            error_message="The grader could not finish: the sandbox was killed.\n" * 3)
        add("late", alice, slug="backprop", hours=1, late_penalty=0.1)
        session.add(Extension(user=bob, assignment_slug="backprop", due=now + timedelta(days=1),
                              granted_by_id=prof.id))
        # The course rules: a late-day bank that the late backprop submission spends, an
        # accommodation, and a regrade request answered with points beside an open one.
        session.add_all([LateDayBank(id=1, days=3),
                         LateDayAllowance(assignment_slug="backprop", max_days=2),
                         LateDayAllowance(assignment_slug="numerical", max_days=1),
                         LateDayGrant(user=bob, days=1, reason="illness", granted_by_id=prof.id),
                         Accommodation(user=bob, extra_days=2, extra_submissions_per_day=3,
                                       note="DRC letter 42", granted_by_id=prof.id)])
        graded = session.get(Submission, ids["graded"])
        tests = [test["name"] for test in result["tests"]]
        answered = RegradeRequest(submission=graded, user=alice, test_name=tests[-1],
                                  message="My differences are central; why is this one off?",
                                  status="answered", answer="The step was too large: agreed.",
                                  answered_by=prof, answered_at=now)
        session.add_all([answered, RegradeRequest(
            submission=graded, user=alice, test_name=tests[0], message="Please check this too.")])
        session.flush()
        session.add(PointsAdjustment(submission=graded, test_name=tests[-1], points=0.5,
                                     reason="partial credit", request_id=answered.id,
                                     adjusted_by_id=prof.id))
        # Partners on numerical: alice and bob, confirmed.
        group = Group(assignment_slug="numerical", created_by_id=alice.id)
        session.add_all([GroupSize(assignment_slug="numerical", max_size=3), group,
                         GroupMember(group=group, user=alice, assignment_slug="numerical",
                                     confirmed_at=now),
                         GroupMember(group=group, user=bob, assignment_slug="numerical",
                                     invited_by_id=alice.id, confirmed_at=now)])
        from grader import audit

        audit.record(session, prof, "policy.update", "numerical",
                     changes={"due": ["2026-12-04T23:59:00+00:00", None],
                              "late_penalty_per_day": [0.1, 0.2]})
        audit.record(session, prof, "extension.grant", "backprop", student="bob",
                     due=(now + timedelta(days=1)).isoformat())
        session.commit()
    return ids


@pytest.fixture
def site(app, graded_mutant):
    """The web app over HTTP (SQLite, no worker: queued stays queued), with seeded pages."""
    app.extensions["grader.course"] = real_course(utcnow())
    app.config["SERVER_NAME"] = None
    ids = seed(app, graded_mutant)
    server = ServerThread(app)
    yield server.url, ids
    server.stop()


def route_arguments(ids: dict[str, int]) -> dict[str, object]:
    """Seeded values for the routes' URL arguments (tests.support.routes.fill names any missing)."""
    return {"slug": "numerical", "submission_id": ids["graded"], "first": ids["graded"],
            "second": ids["bob-copy"], "name": "histogram", "filename": "style.css",
            # a misconception cell of the seeded forward-difference mutant
            "category": "forward-difference", "feature": "non-scalar-input",
            "launch_id": "no-such-launch"}  # the deep-link picker: only from a real launch


# States of a page beyond the one its route is opened in, by role.
STATES = {
    "student": lambda ids: [
        ("assignment-late", "/assignments/backprop"),
        ("assignment-closed", "/assignments/autodiff"),
        ("feedback-late", f"/submissions/{ids['late']}"),
        ("feedback-error", f"/submissions/{ids['error']}"),
        ("feedback-queued", f"/submissions/{ids['queued']}"),
        ("not-found", "/assignments/nothing-here"),
        *[(f"assignment-{slug}", f"/assignments/{slug}") for slug in load_assignments()
          if slug not in LECTURE_SLUGS],
    ],
    "instructor": lambda ids: [
        ("dashboard-sorted", "/instructor/assignments/numerical?sort=score&order=asc"),
        ("dashboard-bad-filter", "/instructor/assignments/numerical?min_score=abc"),
        ("policy-extensions", "/instructor/assignments/backprop/policy"),
        ("similar-threshold", "/instructor/assignments/numerical/similar?threshold=30"),
        ("misconceptions-split",
         "/instructor/assignments/numerical/misconceptions?split=2026-12-01"),
    ],
}
ROLES = {"alice": "student", "prof": "instructor"}


def pages_of(app, username: str, ids: dict[str, int]) -> tuple[list, list[str]]:
    """The pages username can open, found in the URL map: every GET route outside the API (a
    student's outside the instructor's blueprint too) that answers them with HTML, then the
    extra states. Also the problems: a GET route that is no page and that no test requests."""
    client = app.test_client()
    AuthActions(client).login(username)
    pages, problems = [], []
    for rule in page_candidates(app):
        if ROLES[username] == "student" and rule.endpoint.startswith("instructor."):
            continue
        path = fill(rule, route_arguments(ids))
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append((rule.endpoint.replace(".", "-"), path))
        elif not requested_by(rule, ("test_every_page.py", "test_routes_covered.py")):
            problems.append(f"{path} ({rule.endpoint}) answers {username} "
                            f"{response.status_code} {response.mimetype}: not a page, and no "
                            "test requests it")
        response.close()
    return pages + STATES[ROLES[username]](ids), problems


def test_every_page_fits_and_passes_axe(app, browser, site, axe):
    url, ids = site
    problems = []
    anonymous = PageWatcher(browser.new_context(), url, axe)
    for width in WIDTHS:
        problems += anonymous.check("/auth/login", "anonymous-login", width)
    for username, role in ROLES.items():
        pages, unchecked = pages_of(app, username, ids)
        problems += unchecked
        context = browser.new_context()
        watcher = PageWatcher(context, url, axe)
        log_in(watcher.page, url, username)
        for name, path in pages:
            for width in WIDTHS:
                problems += watcher.check(path, f"{role}-{name}", width)
        if username == "prof":  # the roster import's answer is a page of its own
            for width in WIDTHS:
                watcher.page.set_viewport_size({"width": width, "height": 900})
                watcher.page.goto(url + "/instructor/people")
                watcher.page.set_input_files("input[name=file]", files=[{
                    "name": "roster.csv", "mimeType": "text/csv",
                    "buffer": f"username,name,email\nnew{width},New Student,n{width}@example.org\n"
                              "Bad Name,x,\n".encode()}])
                watcher.page.click("input[value=Import]")
                watcher.page.wait_for_selector("[data-roster-totals]")
                problems += watcher.inspect("/instructor/roster", f"{role}-roster-report", width)
        context.close()
    assert problems == [], "\n".join(problems)
