"""Import a class roster from CSV (username, name, email): one report line per row."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from grader.models import Role, User
from grader.passwords import random_password

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
COLUMNS = ("username", "name", "email")


@dataclass
class RowReport:
    """What happened to one row: created (with its one-time password), skipped or error."""

    line: int
    username: str
    outcome: str  # "created", "skipped", "error"
    message: str = ""
    password: str | None = None


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Parse the CSV; the header must name username, name and email (any order, any case)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"The header must name the columns {', '.join(COLUMNS)}; "
                         f"missing: {', '.join(missing)}.")
    reader.fieldnames = header
    return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
            for row in reader]


def import_roster(session: Session, text: str) -> list[RowReport]:
    """Create a student account for each new row; the caller commits."""
    reports = []
    seen: set[str] = set()
    for line, row in read_rows(text):
        username = row.get("username", "").lower()
        name, email = row.get("name", ""), row.get("email", "")
        if not USERNAME.fullmatch(username):
            reports.append(RowReport(line, username, "error",
                                     "username must be 1-64 of a-z 0-9 . _ - (letter or digit "
                                     "first)"))
        elif email and not EMAIL.fullmatch(email):
            reports.append(RowReport(line, username, "error", f"not an email address: {email}"))
        elif len(name) > 255 or len(email) > 255:
            reports.append(RowReport(line, username, "error", "name or email too long"))
        elif username in seen or User.by_username(session, username) is not None:
            reports.append(RowReport(line, username, "skipped", "account exists"))
        else:
            password = random_password()
            user = User(username=username, name=name or None, email=email or None,
                        role=Role.STUDENT)
            user.set_password(password)
            session.add(user)
            reports.append(RowReport(line, username, "created", password=password))
        seen.add(username)
    return reports


def passwords_csv(reports: list[RowReport]) -> str:
    """Write the new accounts' initial passwords as CSV: username, password."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["username", "password"])
    for report in reports:
        if report.password:
            writer.writerow([report.username, report.password])
    return out.getvalue()
