"""Similar submissions: pairs of students' latest submissions flagged by grader.similarity
(alike code; partners on the assignment, grader.groups, are never flagged to each other),
beside groups flagged by grader.behaviour (alike wrong answers; a group of partners alone is
not shown)."""

from __future__ import annotations

from itertools import combinations

from flask import abort, render_template, request
from markupsafe import Markup, escape
from sqlalchemy import func, select

from grader import groups
from grader.auth.access import instructor_required
from grader.behaviour import group_by_behaviour, side_by_side
from grader.course import assignment_in_force_or_404
from grader.db import get_session
from grader.instructor.views import bp
from grader.models import Submission
from grader.similarity import THRESHOLD, find_similar


def starter_source(assignment) -> str:
    """Return the starter file's text (boilerplate for the comparison), if there is one."""
    path = getattr(assignment, "starter_path", None)
    try:
        return path().read_text(encoding="utf-8") if path else ""
    except OSError:
        return ""


def latest_per_student(slug: str) -> list[Submission]:
    """Return each student's newest submission to the assignment."""
    session = get_session()
    newest = (select(func.max(Submission.id)).where(Submission.assignment_slug == slug)
              .group_by(Submission.user_id))
    return session.scalars(select(Submission).where(Submission.id.in_(newest))).all()


def same_work(first: Submission, second: Submission, partners: set[frozenset[int]]) -> bool:
    """Tell whether two submissions are one group's work: handed in by partners, or both for
    the same group."""
    return (frozenset((first.user_id, second.user_id)) in partners
            or (first.group_id is not None and first.group_id == second.group_id))


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching character ranges."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def highlight(source: str, spans: list[tuple[int, int]]) -> Markup:
    """Return source as escaped text with the shared ranges in <mark> (never raw HTML)."""
    parts, position = [], 0
    for start, end in merge(spans):
        start, end = max(start, position), min(end, len(source))
        if start >= end:
            continue
        parts.append(escape(source[position:start]))
        parts.append(Markup('<mark class="shared">') + escape(source[start:end])
                     + Markup("</mark>"))
        position = end
    parts.append(escape(source[position:]))
    return Markup("").join(parts)


MIN_PERCENT, MAX_PERCENT = 10, 100


def threshold_percent(text: str | None) -> tuple[float, str | None]:
    """Read the threshold typed in percent (30 means 30 %); return it and what was wrong."""
    default = THRESHOLD * 100
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return default, None
    try:
        percent = float(text)
    except ValueError:
        return default, f"The threshold {text!r} is not a number; type a percentage such as 60."
    if not MIN_PERCENT <= percent <= MAX_PERCENT:
        return default, (f"The threshold must be between {MIN_PERCENT} and {MAX_PERCENT} %; "
                         f"{percent:g} is not.")
    return percent, None


@bp.route("/assignments/<slug>/similar")
@instructor_required
def similar(slug: str):
    """List pairs of students whose latest submissions look alike, most alike first."""
    assignment = assignment_in_force_or_404(slug)
    percent, error = threshold_percent(request.args.get("threshold"))
    rows = {s.id: s for s in latest_per_student(slug)}
    partners = groups.partner_pairs(get_session(), slug)
    starter = starter_source(assignment)
    matches = [match for match in find_similar({i: s.source for i, s in rows.items()},
                                               starter=starter, threshold=percent / 100)
               if not same_work(rows[match.first], rows[match.second], partners)]
    alike = [group for group in group_by_behaviour({i: s.result for i, s in rows.items()})
             if not all(same_work(rows[a], rows[b], partners)
                        for a, b in combinations(group.members, 2))]
    page = render_template("instructor/similar.html", assignment=assignment, matches=matches,
                           rows=rows, percent=percent, error=error,
                           typed=request.args.get("threshold", ""), groups=alike,
                           code_scores=code_scores(alike, rows, starter))
    return page, 400 if error else 200


def code_scores(groups, rows: dict[int, Submission], starter: str) -> dict[tuple, float]:
    """copydetect's score of every pair inside a behavioural group (0 when nothing matched)."""
    scores = {}
    for group in groups:
        found = find_similar({i: rows[i].source for i in group.members}, starter=starter,
                             threshold=0.0)
        scores.update({(m.first, m.second): m.similarity for m in found})
        for pair in group.pairs:
            scores.setdefault(pair, 0.0)
    return scores


@bp.route("/similar/<int:first>/<int:second>")
@instructor_required
def compare(first: int, second: int):
    """Show two submissions side by side with their shared code highlighted."""
    session = get_session()
    a, b = session.get(Submission, first), session.get(Submission, second)
    if a is None or b is None or a.assignment_slug != b.assignment_slug:
        abort(404)
    assignment = assignment_in_force_or_404(a.assignment_slug)
    found = find_similar({a.id: a.source, b.id: b.source}, starter=starter_source(assignment),
                         threshold=0.0)
    match = found[0] if found else None
    spans = {a.id: [], b.id: []}
    if match is not None:
        spans = {match.first: match.first_spans, match.second: match.second_spans}
    return render_template(
        "instructor/compare.html", assignment=assignment, match=match,
        sides=[(s, highlight(s.source, spans[s.id])) for s in (a, b)],
        behaviour=side_by_side(a.result, b.result), first=a, second=b,
    )
