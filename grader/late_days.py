"""The late-day bank: how many late days each student has, where they may go, and where they go.

The course grants every student the same number of days for the term (`late_day_bank`), an
instructor may add days to one student (`late_day_grants`), and each assignment that accepts
them says how many at most (`late_day_allowances`; an assignment without a row takes none).

A late day spent on an assignment removes one started day's penalty from every submission of
the student on it (grader.course.late_penalty); it never reopens a hard close. Days are never
stored as spent: grader.grades spends them each time it computes a grade, with `spend` below,
so a regrade or a policy change moves them at once and a day that no longer helps comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.models import LateDayAllowance, LateDayBank, LateDayGrant

# Scores equal to this many places are equal: a spending never depends on float noise.
PLACES = 9


@dataclass(frozen=True)
class LateDayRules:
    """The course's late days: per student, the cap per assignment, and each student's grants."""

    days: int = 0
    max_days: dict[str, int] = field(default_factory=dict)  # by assignment slug
    granted: dict[int, int] = field(default_factory=dict)  # extra days by user id

    def budget(self, user_id: int) -> int:
        """How many late days the student has for the term."""
        return self.days + self.granted.get(user_id, 0)

    def accepts(self, slug: str) -> bool:
        """Tell whether late days may be spent on the assignment."""
        return self.max_days.get(slug, 0) > 0


def bank_row(session: Session) -> LateDayBank | None:
    return session.get(LateDayBank, 1)


def load_rules(session: Session, user_ids: Iterable[int]) -> LateDayRules:
    """Read the bank, the allowances, and the grants of the given students."""
    row = bank_row(session)
    allowances = {a.assignment_slug: a.max_days for a in session.scalars(select(LateDayAllowance))}
    ids = list(user_ids)
    granted = dict(session.execute(
        select(LateDayGrant.user_id, func.sum(LateDayGrant.days))
        .where(LateDayGrant.user_id.in_(ids)).group_by(LateDayGrant.user_id)
    ).all()) if ids else {}
    return LateDayRules(row.days if row else 0, allowances,
                        {user_id: int(days) for user_id, days in granted.items()})


def spend(scores: dict[str, Sequence[float]], budget: int) -> dict[str, int]:
    """Decide how many days go to each assignment: the spending that helps the student most.

    scores[slug][d] is the student's counted score on the assignment with d days spent on it
    (d from 0 to the most it may take); the keys are in the course's order. The spending
    maximises the sum of counted scores within the budget; among equal sums it spends the
    fewest days, and among those it puts days on earlier assignments first. A knapsack by
    dynamic programming: each assignment is an item with one weight per number of days.
    (A course has a handful of assignments and days: the exact program is a few lines with
    its tie-breaks in plain sight, where a solver library would add a dependency and leave
    the choice among equal spendings to the solver.)
    """
    slugs = list(scores)
    # best[spent] = (total, days per assignment so far): the best way to spend exactly `spent`.
    best: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
    for slug in slugs:
        following: dict[int, tuple[float, tuple[int, ...]]] = {}
        for spent, (total, days) in best.items():
            for extra, score in enumerate(scores[slug]):
                if spent + extra > budget:
                    break
                candidate = (round(total + score, PLACES), (*days, extra))
                if spent + extra not in following or candidate > following[spent + extra]:
                    following[spent + extra] = candidate
        best = following
    _, _, days = max((total, -spent, days) for spent, (total, days) in best.items())
    return dict(zip(slugs, days, strict=True))
