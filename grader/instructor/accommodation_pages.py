"""Standing accommodations: extra days on every deadline and more submissions a day for one
student, on every assignment present and future (grader.policy applies them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grader import audit
from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.db import get_session
from grader.grade_changes import course_grades_may_have_changed
from grader.instructor.forms import AccommodationForm
from grader.instructor.views import bp
from grader.models import Accommodation, Role, User


def render_accommodations(form: AccommodationForm, status: int = 200):
    rows = get_session().scalars(
        select(Accommodation).join(Accommodation.user).order_by(User.username)).all()
    return render_template("instructor/accommodations.html", form=form, accommodations=rows,
                           action=ActionForm()), status


@bp.route("/accommodations", methods=["GET", "POST"])
@instructor_required
def accommodations():
    """List the standing accommodations; set one student's (replacing theirs, if any)."""
    form = AccommodationForm()
    if not form.is_submitted():
        return render_accommodations(form)
    if not form.validate():
        return render_accommodations(form, 400)
    session = get_session()
    student = User.by_username(session, form.username.data)
    if student is None or student.role != Role.STUDENT:
        form.username.errors.append(f"No student called {form.username.data!r}.")
        return render_accommodations(form, 400)
    row = session.scalar(select(Accommodation).where(Accommodation.user_id == student.id))
    before = ([row.extra_days, row.extra_submissions_per_day] if row else [0, 0])
    if row is None:
        row = Accommodation(user=student)
        session.add(row)
    row.extra_days = form.extra_days.data
    row.extra_submissions_per_day = form.extra_submissions_per_day.data
    row.note = (form.note.data or "").strip()
    row.granted_by_id = current_user.id
    audit.record(session, current_user, "accommodation.grant", student.username, changes={
        "extra days": [before[0], row.extra_days],
        "extra submissions per day": [before[1], row.extra_submissions_per_day],
    }, note=row.note)
    session.commit()
    course_grades_may_have_changed(session, [student.id])
    flash(f"{student.username}'s accommodation applies to every assignment, present and "
          "future. Counted grades use it at once.", "success")
    return redirect(url_for("instructor.accommodations"))


@bp.post("/accommodations/<int:accommodation_id>/revoke")
@instructor_required
def revoke_accommodation(accommodation_id: int):
    """End a student's standing accommodation."""
    session = get_session()
    row = session.get(Accommodation, accommodation_id)
    if row is None:
        abort(404)
    if ActionForm().validate_on_submit():
        audit.record(session, current_user, "accommodation.revoke", row.user.username,
                     extra_days=row.extra_days,
                     extra_submissions_per_day=row.extra_submissions_per_day)
        student_id = row.user_id
        session.delete(row)
        session.commit()
        course_grades_may_have_changed(session, [student_id])
        flash("Accommodation ended.", "success")
    return redirect(url_for("instructor.accommodations"))
