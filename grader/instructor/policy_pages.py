"""Deadlines and policy per assignment (stored as overrides of the manifest), extensions, and
the largest group of partners it takes (grader.groups forms the groups)."""

from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grader import audit, groups
from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.course import assignment_in_force_or_404, manifest_assignments
from grader.db import get_session
from grader.grade_changes import grades_may_have_changed
from grader.instructor.forms import ExtensionForm, GroupSizeForm, PolicyForm
from grader.instructor.views import bp
from grader.models import AssignmentPolicy, Extension, GroupSize, Role, User
from grader.models.course import POLICY_FIELDS
from grader.policy import replace


def aware(moment):
    """Read a typed time (UTCTimeField: no zone) as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None else None


def shown(value):
    """Make a stored value JSON-friendly for the audit trail."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def values_in_force(assignment) -> dict:
    """The policy's values as they apply, an override's or else the manifest's: what the audit
    trail records before and after a change (an empty override is not "none" in force)."""
    return {name: shown(getattr(assignment, name, None)) for name in POLICY_FIELDS}


def policy_row(slug: str) -> AssignmentPolicy | None:
    return get_session().scalar(
        select(AssignmentPolicy).where(AssignmentPolicy.assignment_slug == slug))


def render_policy(slug: str, form: PolicyForm, extension_form: ExtensionForm, status=200,
                  group_form: GroupSizeForm | None = None):
    """Render the policy page with the manifest's values beside the overrides."""
    session = get_session()
    size = groups.max_size(session, slug)
    if group_form is None:
        group_form = GroupSizeForm(formdata=None)
        group_form.max_size.data = size
    extensions = session.scalars(
        select(Extension).join(Extension.user)
        .where(Extension.assignment_slug == slug).order_by(User.username)
    ).all()
    return render_template(
        "instructor/policy.html",
        assignment=assignment_in_force_or_404(slug),
        manifest=manifest_assignments()[slug],
        row=policy_row(slug),
        form=form,
        extension_form=extension_form,
        extensions=extensions,
        action=ActionForm(),
        group_form=group_form,
        group_size=size,
        groups=groups.groups_on(session, slug),
    ), status


@bp.route("/assignments/<slug>/policy", methods=["GET", "POST"])
@instructor_required
def policy(slug: str):
    """Show and change an assignment's deadlines and rules."""
    in_force = assignment_in_force_or_404(slug)
    session = get_session()
    row = policy_row(slug)
    form = PolicyForm(obj=row)
    if form.is_submitted() and not form.validate():
        return render_policy(slug, form, ExtensionForm(), 400)
    if form.is_submitted():
        if row is None:
            row = AssignmentPolicy(assignment_slug=slug)
            session.add(row)
        before = values_in_force(in_force)
        row.due = aware(form.due.data)
        row.hard_close = aware(form.hard_close.data)
        row.late_penalty_per_day = form.late_penalty_per_day.data
        row.late_penalty_cap = form.late_penalty_cap.data
        row.max_submissions_per_day = form.max_submissions_per_day.data
        row.score_policy = form.score_policy.data or None
        after = values_in_force(replace(manifest_assignments()[slug], **row.overrides()))
        changed = {k: [before[k], after[k]] for k in POLICY_FIELDS if before[k] != after[k]}
        audit.record(session, current_user, "policy.update", slug, changes=changed)
        session.commit()
        grades_may_have_changed(session, slug)
        flash("Policy saved. Counted grades use it at once.", "success")
        return redirect(url_for("instructor.policy", slug=slug))
    if row is not None:  # show stored datetimes in the naive UTC the inputs expect
        form.due.data = row.due.replace(tzinfo=None) if row.due else None
        form.hard_close.data = row.hard_close.replace(tzinfo=None) if row.hard_close else None
    return render_policy(slug, form, ExtensionForm())


@bp.post("/assignments/<slug>/policy/reset")
@instructor_required
def reset_policy(slug: str):
    """Drop every override: the manifest's policy applies again."""
    assignment_in_force_or_404(slug)
    if ActionForm().validate_on_submit():
        session = get_session()
        row = policy_row(slug)
        if row is not None:
            manifest = manifest_assignments()[slug]
            # What was in force before, and what the manifest puts back: [old, new] per field.
            changed = {name: [shown(getattr(row, name)), shown(getattr(manifest, name, None))]
                       for name in POLICY_FIELDS if getattr(row, name) is not None}
            session.delete(row)
            audit.record(session, current_user, "policy.reset", slug, changes=changed)
            session.commit()
            grades_may_have_changed(session, slug)
        flash("The manifest's policy applies again.", "success")
    return redirect(url_for("instructor.policy", slug=slug))


@bp.post("/assignments/<slug>/extensions")
@instructor_required
def grant_extension(slug: str):
    """Give one student a later due date (replacing an earlier extension)."""
    assignment_in_force_or_404(slug)
    form = ExtensionForm()
    session = get_session()
    if not form.validate_on_submit():
        return render_policy(slug, PolicyForm(obj=policy_row(slug)), form, 400)
    student = User.by_username(session, form.username.data)
    if student is None or student.role != Role.STUDENT:
        form.username.errors.append(f"No student called {form.username.data!r}.")
        return render_policy(slug, PolicyForm(obj=policy_row(slug)), form, 400)
    extension = session.scalar(select(Extension).where(
        Extension.user_id == student.id, Extension.assignment_slug == slug))
    if extension is None:
        extension = Extension(user=student, assignment_slug=slug)
        session.add(extension)
    extension.due = aware(form.due.data)
    extension.granted_by_id = current_user.id
    audit.record(session, current_user, "extension.grant", slug,
                 student=student.username, due=extension.due.isoformat())
    session.commit()
    grades_may_have_changed(session, slug, [student.id])
    flash(f"{student.username} now has until {extension.due:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("instructor.policy", slug=slug))


@bp.post("/assignments/<slug>/extensions/<int:extension_id>/revoke")
@instructor_required
def revoke_extension(slug: str, extension_id: int):
    """Remove a student's extension."""
    session = get_session()
    extension = session.get(Extension, extension_id)
    if extension is None or extension.assignment_slug != slug:
        abort(404)
    if ActionForm().validate_on_submit():
        audit.record(session, current_user, "extension.revoke", slug,
                     student=extension.user.username)
        student_id = extension.user_id
        session.delete(extension)
        session.commit()
        grades_may_have_changed(session, slug, [student_id])
        flash("Extension revoked.", "success")
    return redirect(url_for("instructor.policy", slug=slug))


@bp.post("/assignments/<slug>/groups")
@instructor_required
def set_group_size(slug: str):
    """Set the largest group the assignment takes; groups already formed stay as they are."""
    assignment_in_force_or_404(slug)
    form = GroupSizeForm()
    if not form.validate_on_submit():
        return render_policy(slug, PolicyForm(obj=policy_row(slug)), ExtensionForm(), 400, form)
    session = get_session()
    row = session.scalar(select(GroupSize).where(GroupSize.assignment_slug == slug))
    before = row.max_size if row else 1
    if form.max_size.data == 1 and row is not None:
        session.delete(row)
    elif form.max_size.data > 1:
        row = row or GroupSize(assignment_slug=slug)
        row.max_size = form.max_size.data
        session.add(row)
    audit.record(session, current_user, "groups.update", slug,
                 changes={"largest group": [before, form.max_size.data]})
    session.commit()
    flash("Group size saved." if form.max_size.data > 1 else "Everyone works alone.", "success")
    return redirect(url_for("instructor.policy", slug=slug) + "#partners")
