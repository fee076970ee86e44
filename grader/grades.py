"""Counted grades: the one place a student's grade on an assignment is computed.

Every surface shows what this module returns: the student's pages, the instructor's pages,
every API document and grades.csv. A grade is the best or last counted submission of the
student, its late penalty computed here from the policy in force (overrides, the student's
standing accommodation and extension included) less the late days spent on it, never taken
from the row: a changed due date or an extension changes the grade at once. Submissions
after the (student's) hard close never count. A submission's raw score is its grading's with
the points an instructor set for a test in place of the grading's (grader.regrade_requests).
A student's submissions are their own and those handed in for their group (grader.groups).

Late days (grader.late_days) are spent here, each time a grade is computed: where they raise
the student's counted scores the most, so a regrade or a policy change moves them at once.

A submission counts with its last final grading: a regrade keeps the row's score until the
new grading replaces it in one write. A regrade of several submissions of one student would
still show intermediate grades (one submission regraded, another not yet), so while any of
the student's submissions waits for a regrade, their grade is the one they had when that
regrade started (each submission's last final grading before it), under today's policy;
when none waits any more, the new grade replaces it in one step.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from grader.course import assignments_in_force, is_closed, late_penalty
from grader.groups import confirmed_groups
from grader.late_days import LateDayRules, load_rules, spend
from grader.models import (
    Accommodation,
    Extension,
    Grading,
    GradingStatus,
    RegradeBatch,
    Role,
    Status,
    Submission,
    User,
)
from grader.policy import score_policy, with_extension

if TYPE_CHECKING:
    from grader.grading.assignments import Assignment

PENDING = (Status.QUEUED.value, Status.RUNNING.value)


@dataclass(frozen=True)
class Outcome:
    """What a submission's last final grading gave: its raw score (before any penalty)."""

    raw_score: float
    max_score: float | None


@dataclass
class Grade:
    """A student's standing on one assignment."""

    user: User
    policy: Assignment  # the assignment as it applies to this student: extension included
    submission: Submission | None = None  # the one that counts
    raw_score: float | None = None
    late_penalty: float = 0.0  # fraction of raw_score lost
    score: float | None = None  # the counted grade: raw_score less the late penalty
    max_score: float | None = None
    submitted_at: datetime | None = None
    submissions: int = 0
    # While a regrade of the student's work runs: when it started (the grade is the one before).
    held_since: datetime | None = None
    late_days: int = 0  # of the student's late-day bank, spent on this assignment
    late_days_left: int | None = None  # in the bank after every assignment's (None: no bank)
    late_days_budget: int | None = None  # the student's bank for the term (None: no bank)
    late_days_max: int = 0  # the most this assignment takes (0: it takes none)


def adjusted_raw(raw: float, result: dict | None, adjustments) -> float:
    """The raw score with each adjusted test's points in place of those the grading gave it;
    an adjustment whose test the grading does not have changes nothing (it was replaced)."""
    if not adjustments:
        return raw
    tests = {test.get("name"): test for test in (result or {}).get("tests", [])}
    for adjustment in adjustments:
        test = tests.get(adjustment.test_name)
        if test is not None:
            raw += adjustment.points - float(test.get("score") or 0.0)
    return raw


def last_final(row: Submission) -> Outcome | None:
    """The outcome of the row's last final grading (kept on the row while a regrade runs)."""
    if row.raw_score is None:
        return None
    return Outcome(adjusted_raw(row.raw_score, row.result, row.adjustments), row.max_score)


def score_under(policy: Assignment, row: Submission, outcome: Outcome | None,
                late_days: int = 0) -> tuple[float, float] | None:
    """Return (counted score, penalty) of outcome, handed in as row was, with late_days of the
    student's bank spent on the assignment; None if it cannot count."""
    if outcome is None or is_closed(policy, row.submitted_at):
        return None
    penalty = late_penalty(policy, row.submitted_at, late_days)
    return outcome.raw_score * (1.0 - penalty), penalty


def counted_score(policy: Assignment, row: Submission,
                  late_days: int = 0) -> tuple[float, float] | None:
    """Return (score, penalty) of one submission under policy (its owner's) with the late days
    its owner's grade spends on the assignment, None if it cannot count: what its own page and
    API document show, its last final grading scored."""
    return score_under(policy, row, last_final(row), late_days)


def counted(assignment: Assignment, user: User, rows: list[Submission], extension=None,
            outcomes: dict[int, Outcome | None] | None = None,
            held_since: datetime | None = None, accommodation: Accommodation | None = None,
            late_days: int = 0) -> Grade:
    """Pick the submission that counts among user's rows (oldest first) and score it.

    outcomes gives each row's outcome as it counts (its last final grading unless given);
    late_days are those of the student's bank spent on the assignment.
    """
    policy = with_extension(assignment, extension, accommodation)
    grade = Grade(user=user, policy=policy, submissions=len(rows), held_since=held_since,
                  late_days=late_days)
    candidates = []
    for row in rows:
        outcome = outcomes[row.id] if outcomes is not None else last_final(row)
        scored = score_under(policy, row, outcome, late_days)
        if scored is not None:
            candidates.append((*scored, outcome, row))
    if not candidates:
        return grade
    if score_policy(assignment) == "last":
        chosen = candidates[-1]
    else:  # best; the earliest of equal scores
        chosen = max(candidates, key=lambda c: (c[0], -c[3].submitted_at.timestamp()))
    score, penalty, outcome, row = chosen
    grade.submission, grade.raw_score, grade.late_penalty = row, outcome.raw_score, penalty
    grade.score, grade.max_score, grade.submitted_at = score, outcome.max_score, row.submitted_at
    return grade


def regrade_starts(session: Session, slug: str, pending: list[Submission]
                   ) -> dict[int, datetime]:
    """When the regrade each of the pending submissions waits for started (the newest batch
    naming it); a submission waiting for its first grading is in none."""
    starts: dict[int, datetime] = {}
    ids = {row.id for row in pending}
    earliest = min(row.submitted_at for row in pending)  # no batch regrades what came later
    batches = session.scalars(
        select(RegradeBatch)
        .where(RegradeBatch.assignment_slug == slug, RegradeBatch.started_at >= earliest)
        .order_by(RegradeBatch.id)
    )
    for batch in batches:
        for submission_id in ids.intersection(batch.submission_ids or ()):
            starts[submission_id] = batch.started_at
    return starts


def held_outcomes(session: Session, rows: list[Submission], since: datetime
                  ) -> dict[int, Outcome | None]:
    """Each row's outcome as it stood when a regrade started at `since`.

    That is its last graded run finished by then; a row handed in later counts as it is (the
    student's own new work), and so does a row with no recorded run at all (seeded data).
    """
    runs: dict[int, list[Grading]] = {}
    for run in session.scalars(
        select(Grading)
        .where(Grading.submission_id.in_([row.id for row in rows]),
               Grading.status == GradingStatus.GRADED)
        .order_by(Grading.finished_at, Grading.id)
    ):
        runs.setdefault(run.submission_id, []).append(run)
    held: dict[int, Outcome | None] = {}
    for row in rows:
        if row.submitted_at > since or row.id not in runs:
            held[row.id] = last_final(row)
            continue
        before = [run for run in runs[row.id] if run.finished_at and run.finished_at <= since]
        held[row.id] = (Outcome(adjusted_raw(before[-1].score, before[-1].result,
                                             row.adjustments), before[-1].max_score)
                        if before else None)
    return held


# A student's grade on one assignment with a given number of late days spent on it.
Grading_with = Callable[[int], Grade]


def student_grades(session: Session, assignment: Assignment,
                   users: Iterable[User]) -> dict[int, Grade]:
    """Return each user's grade on assignment, by user id: the function behind every surface."""
    users = list(users)
    rules = load_rules(session, [user.id for user in users])
    if not rules.max_days:  # no assignment takes late days: there is no bank to spend
        return {user_id: grading(0)
                for user_id, grading in gradings(session, assignment, users).items()}
    banked, left = bank_grades(session, course_with(assignment), users, rules)
    if assignment.slug in banked:
        return banked[assignment.slug]
    grades = {user_id: grading(0)
              for user_id, grading in gradings(session, assignment, users).items()}
    for user_id, grade in grades.items():
        grade.late_days_left, grade.late_days_budget = left[user_id], rules.budget(user_id)
    return grades


def course_with(assignment: Assignment) -> dict[str, Assignment]:
    """The course in force, in its order, with assignment as given (the caller's copy)."""
    course = dict(assignments_in_force())
    course[assignment.slug] = assignment
    return course


def bank_grades(session: Session, course: dict[str, Assignment], users: list[User],
                rules: LateDayRules) -> tuple[dict[str, dict[int, Grade]], dict[int, int]]:
    """Spend each user's late days where they help most; return their grades on the
    assignments that take late days (by slug, then user id) and the days each has left."""
    taking = [slug for slug in course if rules.accepts(slug)]
    ready = {slug: gradings(session, course[slug], users) for slug in taking}
    grades: dict[str, dict[int, Grade]] = {slug: {} for slug in taking}
    left: dict[int, int] = {}
    for user in users:
        budget = rules.budget(user.id)
        options = {slug: [ready[slug][user.id](days)
                          for days in range(min(rules.max_days[slug], budget) + 1)]
                   for slug in taking}
        spent = spend({slug: [grade.score or 0.0 for grade in choice]
                       for slug, choice in options.items()}, budget)
        left[user.id] = budget - sum(spent.values())
        for slug in taking:
            grade = options[slug][spent[slug]]
            grade.late_days_left, grade.late_days_budget = left[user.id], budget
            grade.late_days_max = rules.max_days[slug]
            grades[slug][user.id] = grade
    return grades, left


def gradings(session: Session, assignment: Assignment,
             users: list[User]) -> dict[int, Grading_with]:
    """Load what user's grades on assignment need once; return, by user id, the grade as a
    function of the late days spent on it."""
    ids = [user.id for user in users]
    group_of = confirmed_groups(session, assignment.slug, ids)  # partners share submissions
    rows = session.scalars(
        select(Submission)
        .where(Submission.assignment_slug == assignment.slug,
               or_(Submission.user_id.in_(ids), Submission.group_id.in_(set(group_of.values()))))
        .order_by(Submission.submitted_at, Submission.id)
    ).all()
    members: dict[int, list[int]] = {}
    for user_id, group_id in group_of.items():
        members.setdefault(group_id, []).append(user_id)
    by_user: dict[int, list[Submission]] = {user.id: [] for user in users}
    for row in rows:
        sharing = set(members.get(row.group_id, ())) if row.group_id else set()
        for user_id in sharing | ({row.user_id} & by_user.keys()):
            by_user[user_id].append(row)
    extensions = {
        e.user_id: e for e in session.scalars(
            select(Extension).where(Extension.assignment_slug == assignment.slug,
                                    Extension.user_id.in_(list(by_user))))
    }
    accommodations = {
        a.user_id: a for a in session.scalars(
            select(Accommodation).where(Accommodation.user_id.in_(list(by_user))))
    }
    pending = [row for row in rows if row.status in PENDING]
    starts = regrade_starts(session, assignment.slug, pending) if pending else {}
    ready = {}
    for user in users:
        mine = by_user[user.id]
        waiting = [starts[row.id] for row in mine if row.id in starts]
        since = min(waiting) if waiting else None
        outcomes = held_outcomes(session, mine, since) if since else None
        ready[user.id] = partial(counted, assignment, user, mine, extensions.get(user.id),
                                 outcomes, since, accommodations.get(user.id))
    return {user_id: (lambda days, grade=grade: grade(late_days=days))
            for user_id, grade in ready.items()}


@dataclass(frozen=True)
class Standing:
    """A student's late-day bank as their grades spend it."""

    budget: int
    left: int
    spent: dict[str, int]  # days spent, by the slug of each assignment that takes them
    max_days: dict[str, int]  # the most each of those assignments takes


def late_day_standings(session: Session, users: list[User]) -> dict[int, Standing] | None:
    """Each student's late-day bank as their grades spend it now, by user id; None: the
    course has none (no assignment takes late days)."""
    rules = load_rules(session, [user.id for user in users])
    course = assignments_in_force()
    if not any(rules.accepts(slug) for slug in course):
        return None
    banked, left = bank_grades(session, course, users, rules)
    return {user.id: Standing(rules.budget(user.id), left[user.id],
                              {slug: grades[user.id].late_days for slug, grades in banked.items()},
                              {slug: rules.max_days[slug] for slug in banked})
            for user in users}


def late_day_standing(session: Session, user: User) -> Standing | None:
    """The student's late-day bank as their grades spend it now; None: the course has none."""
    standings = late_day_standings(session, [user])
    return None if standings is None else standings[user.id]


def grade_of(session: Session, assignment: Assignment, user: User) -> Grade:
    """Return user's grade on assignment."""
    return student_grades(session, assignment, [user])[user.id]


def class_grades(session: Session, assignment: Assignment) -> list[Grade]:
    """Return every student's grade on assignment, by username (students without any too)."""
    students = session.scalars(
        select(User).where(User.role == Role.STUDENT).order_by(User.username)
    ).all()
    grades = student_grades(session, assignment, students)
    return [grades[user.id] for user in students]


CSV_COLUMNS = ["username", "name", "score", "max_score", "late_penalty", "submitted_at",
               "submission_id", "raw_score", "late_days", "late_days_left"]


def grades_csv(grades: list[Grade]) -> str:
    """Write one row per student: counted score, max, penalty applied (a fraction), time, the
    raw score before the penalty, the late days spent on the assignment and those left in the
    student's bank (empty: the course has none); the newer columns last, so that older
    readers of the file still work."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for grade in grades:
        writer.writerow([
            grade.user.username,
            safe_cell(grade.user.name or ""),
            "" if grade.score is None else round(grade.score, 4),
            "" if grade.max_score is None else grade.max_score,
            round(grade.late_penalty, 4),
            grade.submitted_at.isoformat() if grade.submitted_at else "",
            grade.submission.id if grade.submission else "",
            "" if grade.raw_score is None else round(grade.raw_score, 4),
            grade.late_days,
            "" if grade.late_days_left is None else grade.late_days_left,
        ])
    return out.getvalue()


def safe_cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
