"""The class's misconceptions, read from stored result documents.

A failed test carries its diagnosis category (its tag); its case carries the graph features
the category shows on (grader.case_profiles). The map crosses the two and counts students,
not submissions: each student's latest graded submission counts once. A student is *stuck*
on a category when their last few graded submissions in a row all fail with it; the hints
a student sees escalate along the same streak (grader.hints), so both read `streaks`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, load_only

from grader.case_profiles import FEATURES, CaseProfile, case_profiles, profile_of
from grader.models import Role, Submission, User

STUCK_AFTER = 3  # this many graded submissions in a row failing with one category: stuck
PAGE = 4         # result documents read per student at a time, newest first
IN_LIMIT = 500   # ids per IN (...) list


def failed_categories(result: dict[str, Any] | None) -> dict[str, list[dict]]:
    """The failed tests of a result document by diagnosis category (their tag)."""
    found: dict[str, list[dict]] = {}
    for test in (result or {}).get("tests", []):
        if test.get("status") != "failed":
            continue
        for category in test.get("tags") or [_diagnosed(test)]:
            found.setdefault(str(category), []).append(test)
    return found


def _diagnosed(test: dict) -> str:
    diagnosis = (test.get("extra_data") or {}).get("diagnosis") or {}
    return str(diagnosis.get("category") or "unexplained")


def streaks(attempts: list[Iterable[str]]) -> dict[str, int]:
    """How many attempts in a row, ending with the last, fail with each category.

    attempts: the categories each graded attempt fails with, oldest first. A category
    missing from the last attempt has no streak.
    """
    counts: dict[str, int] = {}
    alive: set[str] | None = None
    for categories in reversed(attempts):
        alive = set(categories) if alive is None else alive & set(categories)
        if not alive:
            break
        for category in alive:
            counts[category] = counts.get(category, 0) + 1
    return counts


def graded_submissions(session: Session, slug: str) -> list[Submission]:
    """Every student's submissions to slug that have a final grading, oldest first, without
    their documents (a class's results are megabytes: results_of reads those needed)."""
    return session.scalars(
        select(Submission).join(Submission.user)
        .options(load_only(Submission.id, Submission.user_id, Submission.assignment_slug,
                           Submission.submitted_at, Submission.raw_score, Submission.max_score),
                 contains_eager(Submission.user))
        .where(Submission.assignment_slug == slug, Submission.raw_score.is_not(None),
               Submission.result.is_not(None), User.role == Role.STUDENT)
        .order_by(Submission.submitted_at, Submission.id)
    ).all()


def by_student(submissions: list[Submission]) -> dict[str, list[Submission]]:
    found: dict[str, list[Submission]] = {}
    for submission in submissions:
        found.setdefault(submission.user.username, []).append(submission)
    return found


def results_of(session: Session, ids: Iterable[int]) -> dict[int, dict]:
    """The result documents of these submissions, by id."""
    wanted, found = sorted(set(ids)), {}
    for start in range(0, len(wanted), IN_LIMIT):
        chunk = wanted[start:start + IN_LIMIT]
        found.update(session.execute(select(Submission.id, Submission.result)
                                     .where(Submission.id.in_(chunk))).all())
    return found


def streaks_of(session: Session, attempts: dict[Hashable, list[Submission]],
               categorize: Callable[[dict | None], Iterable[str]] = failed_categories,
               ) -> dict[Hashable, dict[str, int]]:
    """`streaks` of each key's attempts (oldest first), reading their documents newest first,
    a page at a time for every key at once, and only as far back as a streak goes."""
    newest_first: dict[Hashable, list[set[str]]] = {key: [] for key in attempts}
    going = {key for key, rows in attempts.items() if rows}
    while going:
        pages = {}
        for key in going:
            rows, read = attempts[key], len(newest_first[key])
            pages[key] = rows[max(0, len(rows) - read - PAGE):len(rows) - read][::-1]
        results = results_of(session, [row.id for page in pages.values() for row in page])
        for key, page in pages.items():
            newest_first[key] += [set(categorize(results.get(row.id))) for row in page]
        going = {key for key in going if len(newest_first[key]) < len(attempts[key]) and
                 _longest(streaks(newest_first[key][::-1])) == len(newest_first[key])}
    return {key: streaks(found[::-1]) for key, found in newest_first.items()}


def _longest(counts: dict[str, int]) -> int:
    return max(counts.values(), default=0)


@dataclass
class Cell:
    """One category on one feature: who shows it, and the smallest case that shows it."""

    category: str
    feature: str
    submissions: dict[str, int] = field(default_factory=dict)  # student -> submission id
    smallest: CaseProfile | None = None

    @property
    def students(self) -> int:
        return len(self.submissions)


@dataclass
class MisconceptionMap:
    """Categories (rows, most students first) across features (columns, in FEATURES order)."""

    students: int                              # students whose latest submission counted
    cells: dict[tuple[str, str], Cell]
    totals: dict[str, set[str]]                # category -> students failing with it at all

    @property
    def categories(self) -> list[str]:
        return sorted(self.totals, key=lambda c: (-len(self.totals[c]), c))

    @property
    def features(self) -> list[str]:
        used = {feature for _, feature in self.cells}
        return [feature for feature in FEATURES if feature in used]

    def features_beside(self, other: MisconceptionMap | None) -> list[str]:
        """The features of this map and another, so two maps side by side line up."""
        used = set(self.features) | set(other.features if other else [])
        return [feature for feature in FEATURES if feature in used]

    def cell(self, category: str, feature: str) -> Cell | None:
        return self.cells.get((category, feature))


def build_map(latest: dict[str, Submission], results: dict[int, dict],
              profiles: dict[str, CaseProfile]) -> MisconceptionMap:
    """Cross each student's failures (in their latest submission) with the cases' features."""
    cells: dict[tuple[str, str], Cell] = {}
    totals: dict[str, set[str]] = {}
    for student, submission in latest.items():
        for category, tests in failed_categories(results.get(submission.id)).items():
            totals.setdefault(category, set()).add(student)
            for test in tests:
                case = profile_of(profiles, str(test.get("name")))
                for feature in case.features:
                    cell = cells.setdefault((category, feature), Cell(category, feature))
                    cell.submissions[student] = submission.id
                    if cell.smallest is None or (case.size, case.number) < (
                            cell.smallest.size, cell.smallest.number):
                        cell.smallest = case
    return MisconceptionMap(len(latest), cells, totals)


def latest_of(attempts: dict[str, list[Submission]], before: datetime | None = None,
              since: datetime | None = None) -> dict[str, Submission]:
    """Each student's latest graded submission, submitted before `before` or at/after `since`."""
    latest = {}
    for student, rows in attempts.items():
        chosen = [row for row in rows if (before is None or row.submitted_at < before)
                  and (since is None or row.submitted_at >= since)]
        if chosen:
            latest[student] = chosen[-1]
    return latest


@dataclass(frozen=True)
class Stuck:
    """A student whose last `attempts` graded submissions all fail with `category`."""

    student: str
    category: str
    attempts: int
    since: Submission
    latest: Submission


def stuck_students(session: Session, attempts: dict[str, list[Submission]],
                   at_least: int = STUCK_AFTER) -> list[Stuck]:
    """The students stuck on a category, the longest streaks first."""
    found = []
    for student, counts in streaks_of(session, attempts).items():
        rows = attempts[student]
        for category, length in counts.items():
            if length >= at_least:
                found.append(Stuck(student, category, length, rows[-length], rows[-1]))
    return sorted(found, key=lambda s: (-s.attempts, s.student, s.category))


@dataclass
class ClassMistakes:
    """What the misconception page shows: the map now (or before and after a date), stuck."""

    now: MisconceptionMap
    before: MisconceptionMap | None
    after: MisconceptionMap | None
    stuck: list[Stuck]

    def changes(self) -> list[Change]:
        """Each category's share of the counted students before and after the date."""
        if self.before is None or self.after is None:
            return []
        categories = sorted(set(self.before.totals) | set(self.after.totals))
        found = [Change(c, len(self.before.totals.get(c, ())), self.before.students,
                        len(self.after.totals.get(c, ())), self.after.students)
                 for c in categories]
        return sorted(found, key=lambda change: (change.points, change.category))


@dataclass(frozen=True)
class Change:
    """How many of the counted students failed with a category before and after a date."""

    category: str
    before: int
    before_of: int
    after: int
    after_of: int

    @property
    def points(self) -> float:
        """The change of its share, in percentage points (negative: fewer students)."""
        def share(count, total):
            return 100 * count / total if total else 0.0

        return share(self.after, self.after_of) - share(self.before, self.before_of)


def class_mistakes(session: Session, assignment, split: datetime | None = None,
                   stuck: bool = True) -> ClassMistakes:
    """The map now (and before and after split) and, if asked, the stuck list."""
    attempts = by_student(graded_submissions(session, assignment.slug))
    profiles = case_profiles(assignment)
    chosen = {"now": latest_of(attempts)}
    if split is not None:
        chosen["before"] = latest_of(attempts, before=split)
        chosen["after"] = latest_of(attempts, since=split)
    results = results_of(session, [row.id for rows in chosen.values() for row in rows.values()])
    maps = {side: build_map(rows, results, profiles) for side, rows in chosen.items()}
    return ClassMistakes(maps["now"], maps.get("before"), maps.get("after"),
                         stuck_students(session, attempts) if stuck else [])
