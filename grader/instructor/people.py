"""People: the roster import and the list of instructors and students, who can be disabled."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grader import audit, login_sessions
from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.db import get_session
from grader.instructor.forms import RosterForm
from grader.instructor.views import bp
from grader.models import User, utcnow
from grader.passwords import reset_password
from grader.roster import import_roster, passwords_csv

MAX_ROSTER_BYTES = 1_000_000


def render_people(form: RosterForm, reports=None, status: int = 200, new_password=None):
    """Render the people page, with an import's report or a reset password, shown once."""
    users = get_session().scalars(select(User).order_by(User.role.desc(), User.username)).all()
    # The passwords exist only in this answer, so their CSV travels inside it as a data: link.
    csv_link = None
    if reports and any(r.password for r in reports):
        csv_link = "data:text/csv;charset=utf-8," + quote(passwords_csv(reports))
    return render_template("instructor/people.html", users=users, form=form, reports=reports,
                           totals=Counter(r.outcome for r in reports or []),
                           passwords_link=csv_link, new_password=new_password,
                           action=ActionForm()), status


@bp.route("/people")
@instructor_required
def people():
    """List instructors and students."""
    return render_people(RosterForm())


@bp.post("/roster")
@instructor_required
def roster():
    """Import a CSV roster; show each row's outcome and the new passwords, once."""
    form = RosterForm()
    if not form.validate_on_submit():
        return render_people(form, status=400)
    data = form.file.data.read(MAX_ROSTER_BYTES + 1)
    try:
        if len(data) > MAX_ROSTER_BYTES:
            raise ValueError("The file is larger than 1 MB.")
        session = get_session()
        reports = import_roster(session, data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        form.file.errors.append(str(error) if isinstance(error, ValueError)
                                else "The file is not UTF-8 text.")
        return render_people(form, status=400)
    totals = Counter(r.outcome for r in reports)
    audit.record(session, current_user, "roster.import", "students",
                 created=[r.username for r in reports if r.outcome == "created"],
                 skipped=totals["skipped"], errors=totals["error"])
    session.commit()
    response = render_people(RosterForm(), reports)
    return response


@bp.post("/users/<int:user_id>/reset-password")
@instructor_required
def reset_user_password(user_id: int):
    """Give an account a new random password and show it once (as `autograder reset-password`)."""
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("instructor.people"))
    # Their sessions end; an instructor resetting their own password keeps this one.
    keep = current_user.get_id() if user.id == current_user.id else None
    password = reset_password(session, user, keep=keep)
    audit.record(session, current_user, "user.reset_password", user.username)
    session.commit()
    return render_people(RosterForm(), new_password=(user.username, password))


@bp.post("/users/<int:user_id>/<any(disable, enable):change>")
@instructor_required
def set_disabled(user_id: int, change: str):
    """Disable an account (no login, no tokens) or enable it again."""
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if ActionForm().validate_on_submit():
        if user.id == current_user.id:
            flash("You cannot disable your own account.", "error")
            return redirect(url_for("instructor.people"))
        user.disabled_at = utcnow() if change == "disable" else None
        if change == "disable":  # enabled again later, it starts from a fresh login
            login_sessions.end_all(session, user)
        audit.record(session, current_user, f"user.{change}", user.username)
        session.commit()
        flash(f"{user.username} is {change}d.", "success")
    return redirect(url_for("instructor.people"))
