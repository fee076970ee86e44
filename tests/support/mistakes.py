"""A class with known misconceptions: real result documents of the autodiff mutants, graded by
the real grader, handed in by several students over time (for the misconception map, the
stuck list, the escalating hints and behavioural similarity)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

from grader.db import get_session
from grader.grading.assignments import load_assignments
from grader.models import Role, Submission, User
from tests.support.live import REPOSITORY

MUTANTS = REPOSITORY / "assignments" / "autodiff" / "mutants"
SOURCES = {
    "not-summed": MUTANTS / "not_summed.py",
    "double-counted": MUTANTS / "double_counted.py",
    "wrong-seed": MUTANTS / "wrong_seed.py",
    "solution": REPOSITORY / "reference" / "solutions" / "autodiff" / "gradient.py",
}
# The not_summed mutant's bug, rewritten by hand: other names, a helper, a while loop, an
# index walk. copydetect finds nothing shared; the grader's wrong values are the same.
RENAMED_COPY = '''"""My gradient: walk the graph from the output back to the inputs."""
import autodiff as ad


def _walk_backwards(root):
    return list(ad.topological_sort([root]))[::-1]


def gradient(out):
    adjoint_of = dict()
    adjoint_of[out] = ad.ones_like(out)
    walk = _walk_backwards(out)
    position = 0
    while position < len(walk):
        current = walk[position]
        position += 1
        if current not in adjoint_of:
            adjoint_of[current] = ad.zeros_like(current)
        if len(current.inputs) == 0:
            continue
        pieces = current.op.gradient(current, adjoint_of[current])
        for k in range(len(current.inputs)):
            if pieces[k] is None:
                continue
            adjoint_of[current.inputs[k]] = pieces[k]
    return adjoint_of
'''
CLASSMATES = ("carol", "dave")
# Hours before now of each hand-in, oldest first; SPLIT_HOURS falls between them.
HAND_INS = {
    "alice": [(5, "not-summed"), (4, "not-summed"), (3, "not-summed")],
    "bob": [(5, "not-summed"), (1, "solution")],
    "carol": [(2, "double-counted")],
    "dave": [(6, "wrong-seed"), (1, "not-summed")],
    "prof": [(1, "wrong-seed")],  # an instructor's trial: never counted as the class's
}
SPLIT_HOURS = 2.5


def grade(slug: str, source_path) -> dict:
    """The result document the real grader gives the file (`autograder grade --json`)."""
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "grade", slug, str(source_path), "--json"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def graded_sources(paths: dict) -> dict[str, tuple[str, dict]]:
    """(source, result document) of each autodiff file, by name."""
    return {name: (path.read_text(), grade("autodiff", path)) for name, path in paths.items()}


def real_course():
    """The real assignments, without dates (the visible tests are what a student sees)."""
    return {slug: dataclasses.replace(assignment, due=None, hard_close=None)
            for slug, assignment in load_assignments().items()}


def add_classmates(session, names=CLASSMATES) -> None:
    cheap = generate_password_hash("classmate-pass", method="pbkdf2:sha256:1000")
    session.add_all(User(username=name, role=Role.STUDENT, password_hash=cheap)
                    for name in names)
    session.flush()


def hand_in(session, username: str, graded: tuple[str, dict], submitted_at: datetime,
            slug: str = "autodiff") -> Submission:
    """A graded submission of the given (source, result document)."""
    source, result = graded
    row = Submission(user=User.by_username(session, username), assignment_slug=slug,
                     filename="gradient.py", source=source, status="graded",
                     submitted_at=submitted_at, finished_at=submitted_at, attempts=1,
                     result=result, raw_score=result["score"], score=result["score"],
                     max_score=result["max_score"])
    session.add(row)
    session.flush()
    return row


def seed_class(app, graded: dict[str, tuple[str, dict]], now: datetime) -> dict[str, list[int]]:
    """Hand in HAND_INS on the real autodiff assignment; return each person's ids, oldest
    first."""
    app.extensions["grader.course"] = real_course()
    ids: dict[str, list[int]] = {}
    with app.app_context():
        session = get_session()
        add_classmates(session)
        for username, hand_ins in HAND_INS.items():
            for hours, name in hand_ins:
                row = hand_in(session, username, graded[name], now - timedelta(hours=hours))
                ids.setdefault(username, []).append(row.id)
        session.commit()
    return ids
