"""The late-day bank: the course's days per student, the assignments that take them, the extra
days granted to one student, and where each student's days go (grader.late_days, grades)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grader import audit
from grader.auth.access import instructor_required
from grader.course import assignments_in_force
from grader.db import get_session
from grader.grade_changes import course_grades_may_have_changed
from grader.grades import late_day_standings
from grader.instructor.forms import LateDayGrantForm, late_day_bank_form
from grader.instructor.views import bp
from grader.late_days import bank_row
from grader.models import LateDayAllowance, LateDayBank, LateDayGrant, Role, User


def allowances() -> dict[str, LateDayAllowance]:
    return {row.assignment_slug: row
            for row in get_session().scalars(select(LateDayAllowance))}


def stored_bank_form():
    """The bank's form for the course's assignments, filled with what is stored."""
    form = late_day_bank_form(assignments_in_force().values(), formdata=None)
    row = bank_row(get_session())
    form.days.data = row.days if row else 0
    stored = allowances()
    for slug in assignments_in_force():
        form[f"max_{slug}"].data = stored[slug].max_days if slug in stored else 0
    return form


def render_late_days(form, grant_form: LateDayGrantForm, status: int = 200):
    """Render the page: the settings, the grants, and each student's bank as spent now."""
    session = get_session()
    students = session.scalars(
        select(User).where(User.role == Role.STUDENT).order_by(User.username)).all()
    grants = session.scalars(
        select(LateDayGrant).join(LateDayGrant.user)
        .order_by(User.username, LateDayGrant.id)).all()
    course = assignments_in_force()
    return render_template(
        "instructor/late_days.html", form=form, grant_form=grant_form, course=course,
        students=students, standings=late_day_standings(session, students) or {},
        taking={slug: row.max_days for slug, row in allowances().items() if slug in course},
        grants=grants,
    ), status


@bp.route("/late-days", methods=["GET", "POST"])
@instructor_required
def late_days():
    """Show and change the course's late-day bank."""
    form = late_day_bank_form(assignments_in_force().values())
    if not form.is_submitted():
        return render_late_days(stored_bank_form(), LateDayGrantForm())
    if not form.validate():
        return render_late_days(form, LateDayGrantForm(), 400)
    session = get_session()
    row = bank_row(session)
    if row is None:
        row = LateDayBank(id=1, days=0)
        session.add(row)
    changes = {}
    if row.days != form.days.data:
        changes["days per student"] = [row.days, form.days.data]
        row.days = form.days.data
    stored = allowances()
    for slug in assignments_in_force():
        wanted = form[f"max_{slug}"].data or 0
        before = stored[slug].max_days if slug in stored else 0
        if wanted == before:
            continue
        changes[f"most on {slug}"] = [before, wanted]
        if slug in stored and not wanted:
            session.delete(stored[slug])
        elif slug in stored:
            stored[slug].max_days = wanted
        else:
            session.add(LateDayAllowance(assignment_slug=slug, max_days=wanted))
    audit.record(session, current_user, "late_days.update", "the course", changes=changes)
    session.commit()
    course_grades_may_have_changed(session)
    flash("Late days saved. Counted grades spend them at once.", "success")
    return redirect(url_for("instructor.late_days"))


@bp.post("/late-days/grants")
@instructor_required
def grant_late_days():
    """Give one student extra late days for the term."""
    form = LateDayGrantForm()
    session = get_session()
    if not form.validate_on_submit():
        return render_late_days(stored_bank_form(), form, 400)
    student = User.by_username(session, form.username.data)
    if student is None or student.role != Role.STUDENT:
        form.username.errors.append(f"No student called {form.username.data!r}.")
        return render_late_days(stored_bank_form(), form, 400)
    reason = (form.reason.data or "").strip()
    session.add(LateDayGrant(user=student, days=form.days.data, reason=reason,
                             granted_by_id=current_user.id))
    audit.record(session, current_user, "late_days.grant", student.username,
                 days=form.days.data, reason=reason)
    session.commit()
    course_grades_may_have_changed(session, [student.id])
    flash(f"{student.username} has {form.days.data} more late "
          f"day{'' if form.days.data == 1 else 's'}.", "success")
    return redirect(url_for("instructor.late_days"))
