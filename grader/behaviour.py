"""Behavioural similarity: submissions that fail the same tests with the same wrong values.

Token similarity (grader.similarity) misses a copy whose code was rewritten: renamed,
reordered, loops turned around. Its behaviour stays: the grader evaluates every submission
at the same points (each case seeds its random points with its name), so one bug gives the
same wrong adjoint, to the digit, in every copy. A submission's *signature* is the set of
its failed tests that carry a received value, each with the node named and that value; the
submissions sharing a signature form a group. A common misconception, reached
independently, groups students too: a large group is a lesson to teach, a pair sharing a
rare signature is a reason to read both files.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SIGNIFICANT = 6  # digits of each received value compared: the same bug agrees far beyond


@dataclass(frozen=True)
class Evidence:
    """One failed test as a signature sees it."""

    test: str
    category: str
    node: str
    received: tuple[str, ...]   # values at SIGNIFICANT digits, in order
    shape: tuple[int, ...]


Signature = frozenset[Evidence]


def signature(result: dict[str, Any] | None) -> Signature:
    """The failed tests of a result document that carry a received value."""
    found = set()
    for test in (result or {}).get("tests", []):
        if test.get("status") != "failed":
            continue
        diagnosis = (test.get("extra_data") or {}).get("diagnosis") or {}
        received = diagnosis.get("received")
        if not isinstance(received, dict) or "values" not in received:
            continue
        found.add(Evidence(
            str(test.get("name")), str(diagnosis.get("category") or ""),
            str(diagnosis.get("node") or ""),
            tuple(_digits(v) for v in received.get("values") or []),
            tuple(received.get("shape") or ())))
    return frozenset(found)


def _digits(value) -> str:
    if isinstance(value, (int, float)):
        return f"{float(value):.{SIGNIFICANT}g}"
    return str(value)  # "NaN", "Infinity" as the strict document names them


@dataclass(frozen=True)
class Group:
    """Submissions (ids, one per student) that share one signature."""

    members: tuple[int, ...]
    evidence: tuple[Evidence, ...]  # in the order of the tests' names

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return list(itertools.combinations(self.members, 2))


def group_by_behaviour(results: Mapping[int, dict | None], min_evidence: int = 1) -> list[Group]:
    """Groups of two or more submissions sharing a signature of at least min_evidence tests,
    the smallest groups first (a pair is more telling than a crowd), then the most evidence."""
    by_signature: dict[Signature, list[int]] = {}
    for submission_id, result in sorted(results.items()):
        found = signature(result)
        if len(found) >= min_evidence:
            by_signature.setdefault(found, []).append(submission_id)
    groups = [Group(tuple(ids), tuple(sorted(found, key=lambda e: (e.test, e.node))))
              for found, ids in by_signature.items() if len(ids) >= 2]
    return sorted(groups, key=lambda g: (len(g.members), -len(g.evidence), g.members))


@dataclass(frozen=True)
class SideBySide:
    """One test as two submissions failed it (None: that one passed it or shows no value)."""

    test: str
    first: Evidence | None
    second: Evidence | None

    @property
    def same(self) -> bool:
        return self.first is not None and self.first == self.second


def side_by_side(first: dict | None, second: dict | None) -> list[SideBySide]:
    """The evidence of two result documents, test by test (tests either of them failed)."""
    a = {e.test: e for e in signature(first)}
    b = {e.test: e for e in signature(second)}
    names: Iterable[str] = sorted(set(a) | set(b))
    return [SideBySide(name, a.get(name), b.get(name)) for name in names]
