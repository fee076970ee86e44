"""The course rules as an instructor sets them through the pages, and a student's counted grade
and late days read off every surface at once (student page, API, grades.csv, dashboard)."""

from __future__ import annotations

import csv
import io
import re

from grader.db import get_session
from grader.models import Submission
from tests.support.accounts import AuthActions
from tests.support.grades import dashboard_grades, page_counted, rounded, student_page_grades


def set_late_days(client, days: int, **most: int):
    """Save the late-day bank: days per student, and the most each named assignment takes."""
    data = {"csrf_token": AuthActions(client).csrf("/instructor/late-days"), "days": str(days)}
    data |= {f"max_{slug}": str(value) for slug, value in most.items()}
    return client.post("/instructor/late-days", data=data)


def grant_late_days(client, username: str, days: int, reason: str = ""):
    data = {"csrf_token": AuthActions(client).csrf("/instructor/late-days"),
            "grant-username": username, "grant-days": str(days), "grant-reason": reason}
    return client.post("/instructor/late-days/grants", data=data)


def set_accommodation(client, username: str, extra_days: int, extra_submissions: int = 0,
                      note: str = ""):
    data = {"csrf_token": AuthActions(client).csrf("/instructor/accommodations"),
            "username": username, "extra_days": str(extra_days),
            "extra_submissions_per_day": str(extra_submissions), "note": note}
    return client.post("/instructor/accommodations", data=data)


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {row["username"]: row for row in csv.DictReader(io.StringIO(text))}


def late_day_table(client) -> dict[str, dict[str, int]]:
    """Per student, the days spent per assignment and those left, off the instructor's page."""
    page = client.get("/instructor/late-days").get_data(as_text=True)
    table = {}
    for name, left, cells in re.findall(
            r'data-late-days-of="([\w-]+)" data-left="(\d+)">(.*?)</tr>', page, re.S):
        spent = {slug: int(days) for slug, days in
                 re.findall(r'data-spent-on="([\w-]+)">(\d+)<', cells)}
        table[name] = spent | {"left": int(left)}
    return table


def every_surface(app, staff, student, token: str, slug: str) -> dict[str, tuple]:
    """(counted score, late days spent) of the student on slug as each surface shows it.

    staff is a test client logged in as an instructor, student one logged in as the student.
    """
    own = {"Authorization": f"Bearer {token}"}
    document = student.get(f"/api/v1/assignments/{slug}", headers=own).json
    exported = csv_rows(staff.get(f"/instructor/assignments/{slug}/grades.csv")
                        .get_data(as_text=True))[document_user(app, token)]
    name = exported["username"]
    shown = {
        "student page": (student_page_grades(student)[slug], None),
        "dashboard": (dashboard_grades(staff, slug)[name], None),
        "API": (document["counted_score"], document["counted_late_days"]),
        "grades.csv": (float(exported["score"]) if exported["score"] else None,
                       int(exported["late_days"])),
        "late-day page": (None, late_day_table(staff).get(name, {}).get(slug, 0)),
    }
    if document["counted_submission"]:
        counted = document["counted_submission"]
        shown["submission page"] = (page_counted(student.get(f"/submissions/{counted}")
                                                 .get_data(as_text=True)), None)
        shown["API submission"] = (student.get(f"/api/v1/submissions/{counted}",
                                               headers=own).json["score"], None)
    return {surface: (rounded(score), days) for surface, (score, days) in shown.items()}


def agreed(shown: dict[str, tuple]) -> tuple:
    """The one (score, days) every surface shows; fails naming the surfaces that differ."""
    scores = {surface: score for surface, (score, _) in shown.items() if surface != "late-day page"}
    days = {surface: spent for surface, (_, spent) in shown.items() if spent is not None}
    assert len(set(scores.values())) == 1, scores
    assert len(set(days.values())) == 1, days
    return next(iter(scores.values())), next(iter(days.values()))


def document_user(app, token: str) -> str:
    from grader.models import ApiToken

    with app.app_context():
        return ApiToken.find_active(get_session(), token).user.username


def row_of(app, submission_id: int) -> Submission:
    with app.app_context():
        return get_session().get(Submission, submission_id)
