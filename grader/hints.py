"""Hints that escalate: the more attempts in a row fail alike, the more a student is shown.

For each category the submission's *visible* tests fail with, count the student's graded
submissions in a row (ending with this one) whose visible tests fail with it
(grader.misconceptions.streaks), and climb the assignment's ladder (grader.hint_ladder):

1. the category's sentence;
2. and the smallest failing visible test's graph, drawn with the node whose adjoint is
   wrong marked, with its expected and received values;
3. and the step of the lecture's algorithm it violates, quoted from the README.

Only visible tests count and only visible cases are drawn: a hidden test's category, graph
or values never reach a student through a hint. The graph is the case's own, rebuilt from
the assignment's cases.py; the submission contributes only the wrong node's name (matched
against the graph's own names) and two numbers' previews.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from grader.case_profiles import CaseProfile, case_profiles, profile_of
from grader.grading.feedback_text import format_value
from grader.grading.naming import NodeNames
from grader.grading.results import VISIBLE
from grader.graph_drawing import draw
from grader.hint_ladder import LadderError, Quote, first_rung, load_ladder
from grader.misconceptions import failed_categories, streaks_of
from grader.models import Submission

TOP_RUNG = 3
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """The smallest failing visible test of a category, and (for a graph) its drawing."""

    test: str
    node: str | None
    expected: str | None
    received: str | None
    drawing: Markup | None


@dataclass(frozen=True)
class Hint:
    """What one category's rung shows."""

    category: str
    attempts: int            # graded submissions in a row failing with it, this one included
    rung: int                # 1, 2 or 3
    sentence: str
    example: Example | None  # from rung 2
    quotes: tuple[Quote, ...]  # rung 3


def visible_failures(result: dict[str, Any] | None) -> dict[str, list[dict]]:
    """The failed tests a student may read in full (visible ones), by category."""
    visible = {"tests": [t for t in (result or {}).get("tests", [])
                         if t.get("visibility") == VISIBLE]}
    return failed_categories(visible)


def attempts_until(session: Session, submission: Submission) -> list[Submission]:
    """The owner's graded submissions to the assignment up to this one, oldest first (their
    documents are read by streaks_of, only as far back as needed)."""
    rows = session.scalars(
        select(Submission).options(load_only(Submission.id, Submission.submitted_at))
        .where(Submission.user_id == submission.user_id,
                                 Submission.assignment_slug == submission.assignment_slug,
                                 Submission.raw_score.is_not(None),
                                 Submission.result.is_not(None))
        .order_by(Submission.submitted_at, Submission.id)).all()
    mark = (submission.submitted_at, submission.id)
    return [row for row in rows if (row.submitted_at, row.id) <= mark]


def hints_for(session: Session, submission: Submission, assignment) -> list[Hint]:
    """The hints of a graded submission, one per category its visible tests fail with."""
    if submission.raw_score is None or not submission.result or assignment is None:
        return []
    current = visible_failures(submission.result)
    if not current:
        return []
    lengths = streaks_of(session, {"owner": attempts_until(session, submission)},
                         visible_failures)["owner"]
    try:
        ladder = load_ladder(getattr(assignment, "folder", None))
    except LadderError as error:  # a broken edit must not take the feedback page down
        log.error("hint ladder of %s: %s", assignment.slug, error)
        ladder = {}
    profiles = case_profiles(assignment)
    hints = []
    for category, tests in sorted(current.items(), key=lambda item: _first_number(item[1])):
        attempts = max(1, lengths.get(category, 1))
        rung = min(attempts, TOP_RUNG)
        rungs = ladder.get(category)
        hints.append(Hint(
            category, attempts, rung, first_rung(ladder, category),
            smallest_example(tests, profiles) if rung >= 2 else None,
            rungs.quotes if rungs is not None and rung >= 3 else ()))
    return hints


def _first_number(tests: list[dict]) -> int:
    return min(int(t.get("number") or 0) for t in tests)


def smallest_example(tests: list[dict], profiles: dict[str, CaseProfile]) -> Example | None:
    """The smallest of these failing tests whose case is visible, drawn where it can be."""
    candidates = []
    for test in tests:
        profile = profile_of(profiles, str(test.get("name")))
        if profile.visibility == VISIBLE:  # the case as defined now, not only as graded
            candidates.append((profile.size, profile.number, test, profile))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[:2])
    for _size, _number, test, profile in candidates:
        diagnosis = _diagnosis(test)
        node = node_in(profile, diagnosis.get("node")) if profile.drawable else None
        if node is not None:
            return _example(test, diagnosis, drawing_of(profile, node, diagnosis["node"]))
    _size, _number, test, _profile = candidates[0]
    return _example(test, _diagnosis(test), None)


def _diagnosis(test: dict) -> dict:
    found = (test.get("extra_data") or {}).get("diagnosis")
    return found if isinstance(found, dict) else {}


def _example(test: dict, diagnosis: dict, drawing: Markup | None) -> Example:
    def shown(key):
        return format_value(diagnosis[key]) if key in diagnosis else None

    node = diagnosis.get("node")
    return Example(str(test.get("name")), str(node) if node is not None else None,
                   shown("expected"), shown("received"), drawing)


_names: dict[int, dict[str, object]] = {}
_names_lock = threading.Lock()


def node_in(profile: CaseProfile, name) -> object | None:
    """The node of the case's graph that the diagnosis names (names as the judge gives them)."""
    if not isinstance(name, str):
        return None
    with _names_lock:
        key = id(profile.case)
        if key not in _names:
            graph = profile.graph
            names = NodeNames(graph.order, graph.order[graph.out])
            _names[key] = {names.name(node): node for node in graph.order}
        return _names[key].get(name)


def drawing_of(profile: CaseProfile, wrong, wrong_name: str) -> Markup:
    graph = profile.graph
    out = graph.order[graph.out]
    names = NodeNames(graph.order, out)
    title = (f"The graph of test {profile.name}: {len(graph.order)} nodes, inputs at the top, "
             f"out at the bottom. The node whose adjoint is wrong, {wrong_name}, is marked.")
    return draw(graph.order, out, wrong, title=title, names=names.name)
