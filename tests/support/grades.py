"""Reading a student's counted grade off every surface that shows it, and seeding graded work
with its grading runs (as the workers leave them)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta

from grader.models import Grading, GradingStatus, Submission, User

# Pages show scores rounded to two decimals; documents carry them whole.
PLACES = 2


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, PLACES)


def graded_work(session, user: User, slug: str, submitted_at: datetime,
                runs: list[float], finished: list[datetime] | None = None,
                max_score: float = 10.0, status: str = "graded",
                source: str = "x = 1\n") -> Submission:
    """A submission graded once per raw score in runs (the last is on the row), each run a
    `gradings` row finished at its time in finished (else a minute after the one before);
    status may say that it waits for a grading again."""
    row = Submission(user=user, assignment_slug=slug, filename="numerical.py", source=source,
                     status=status, submitted_at=submitted_at, attempts=len(runs),
                     raw_score=runs[-1] if runs else None, score=runs[-1] if runs else None,
                     max_score=max_score if runs else None)
    session.add(row)
    session.flush()
    for number, raw in enumerate(runs, start=1):
        ended = finished[number - 1] if finished else submitted_at + timedelta(minutes=number)
        session.add(Grading(submission_id=row.id, attempt=number, token=str(uuid.uuid4()),
                            reason="submitted" if number == 1 else "regrade",
                            status=GradingStatus.GRADED, started_at=ended, score=raw,
                            max_score=max_score, finished_at=ended))
    return row


def student_page_grades(client) -> dict[str, float | None]:
    """The counted grade per assignment on the student's /assignments page."""
    page = client.get("/assignments").get_data(as_text=True)
    return {slug: None if value == "none" else float(value)
            for value, slug in re.findall(r'data-counted="([^"]+)" data-grade="([\w-]+)"', page)}


def dashboard_grades(client, slug: str) -> dict[str, float | None]:
    """The counted grade per student in the dashboard's table of counted grades."""
    page = client.get(f"/instructor/assignments/{slug}").get_data(as_text=True)
    return {name: None if value == "none" else float(value)
            for name, value in re.findall(r'data-grade-of="([\w-]+)" data-counted="([^"]+)"',
                                          page)}


def csv_grades(text: str) -> dict[str, tuple[float | None, float | None]]:
    """(counted score, raw score) per student in a grades.csv."""
    return {row["username"]: (float(row["score"]) if row["score"] else None,
                              float(row["raw_score"]) if row["raw_score"] else None)
            for row in csv.DictReader(io.StringIO(text))}


def page_counted(html: str) -> float | None:
    """The counted score a submission's page shows (its big score)."""
    found = re.search(r'class="big-score"><span data-counted="([^"]+)"', html)
    return float(found.group(1)) if found else None
