"""What the dashboard shows, computed from result documents: histogram, pass rates, categories."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.grades import Grade
from grader.models import Status, Submission, utcnow

BINS = 10  # the histogram's bins: 0-10 %, 10-20 %, ..., 90-100 % (100 % in the last)


def histogram(fractions: list[float], bins: int = BINS) -> list[int]:
    """Count scores (fractions of the maximum, 0..1) per equal-width bin."""
    counts = [0] * bins
    for fraction in fractions:
        index = min(bins - 1, max(0, int(fraction * bins + 1e-9)))
        counts[index] += 1
    return counts


def bin_labels(bins: int = BINS) -> list[str]:
    """Name each bin by its range in percent."""
    width = 100 // bins
    return [f"{i * width}–{(i + 1) * width}" for i in range(bins)]


@dataclass
class PassRate:
    """How many of the counted submissions passed one test."""

    name: str
    passed: int
    total: int

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def pass_rates(results: list[dict[str, Any]]) -> list[PassRate]:
    """Count, per test name (in the order tests first appear), how many results passed it."""
    rates: dict[str, PassRate] = {}
    for result in results:
        for test in result.get("tests", []):
            name = str(test.get("name", "?"))
            rate = rates.setdefault(name, PassRate(name, 0, 0))
            rate.total += 1
            rate.passed += test.get("status") == "passed"
    return list(rates.values())


def category_counts(results: list[dict[str, Any]]) -> Counter:
    """Count diagnosis categories over the failed tests (their tags) of all results."""
    counts: Counter = Counter()
    for result in results:
        for test in result.get("tests", []):
            if test.get("status") != "passed":
                counts.update(str(tag) for tag in test.get("tags") or [])
    return counts


@dataclass
class Summary:
    """The dashboard's numbers for one assignment."""

    students: int
    submitted: int
    graded: int
    histogram: list[int]
    labels: list[str]
    pass_rates: list[PassRate]
    categories: list[tuple[str, int]]
    mean: float | None = None
    extra: dict = field(default_factory=dict)


def summarize(grades: list[Grade]) -> Summary:
    """Summarize the class from each student's counted submission."""
    counted = [g for g in grades if g.submission is not None]
    results = [g.submission.result for g in counted if g.submission.result]
    fractions = [g.score / g.max_score for g in counted if g.max_score]
    return Summary(
        students=len(grades),
        submitted=sum(1 for g in grades if g.submissions),
        graded=len(counted),
        histogram=histogram(fractions),
        labels=bin_labels(),
        pass_rates=pass_rates(results),
        categories=category_counts(results).most_common(),
        mean=sum(fractions) / len(fractions) if fractions else None,
    )


def queue_state(session: Session, stale_after: timedelta, slug: str | None = None) -> dict:
    """Count queued and running submissions and name the workers with a fresh heartbeat."""
    query = select(Submission.status, func.count()).where(
        Submission.status.in_([Status.QUEUED, Status.RUNNING]))
    if slug:
        query = query.where(Submission.assignment_slug == slug)
    counts = dict(session.execute(query.group_by(Submission.status)).all())
    busy = session.scalars(
        select(Submission.claimed_by).distinct().where(
            Submission.status == Status.RUNNING,
            Submission.heartbeat_at > utcnow() - stale_after,
        )
    ).all()
    return {
        "queued": counts.get(Status.QUEUED.value, 0),
        "running": counts.get(Status.RUNNING.value, 0),
        "busy_workers": sorted(w for w in busy if w),
    }


def celery_workers(celery, timeout: float = 1.0) -> list[str] | None:
    """Ask the broker which workers answer a ping; None when it cannot tell (no broker, ...).

    The ping runs in a thread we wait on at most about timeout seconds, so an unreachable
    broker (whose connection retries take longer) never holds the page up.
    """
    answer: dict = {}

    def ping() -> None:
        try:
            answer["workers"] = celery.control.inspect(timeout=timeout).ping()
        except Exception as error:  # no broker, a transport without broadcast, ...
            answer["error"] = error

    thread = threading.Thread(target=ping, daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    if "workers" not in answer:
        return None
    return sorted(answer["workers"] or {})
