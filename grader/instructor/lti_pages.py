"""The LMS page: registrations, the URLs and JSON to paste into the LMS, the tool's key, the LMS
courses (roster sync) and every grade posted back (grader/lti/)."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grader import audit
from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.db import get_session
from grader.instructor.views import bp
from grader.lti import keys, registrations, roster
from grader.lti.passback import LmsUnavailable
from grader.lti.views import tool_configuration, tool_urls
from grader.models import LtiContext, LtiGradePost, LtiLineItem, LtiToolKey, User

POSTS_SHOWN = 200


@bp.route("/lti")
@instructor_required
def lti():
    """Show what the LMS needs, what it sent, and what went back to it."""
    session = get_session()
    signing = keys.signing_key(session)
    posts = session.execute(
        select(LtiGradePost, LtiLineItem, User)
        .join(LtiLineItem, LtiLineItem.id == LtiGradePost.line_item_id)
        .join(User, User.id == LtiGradePost.user_id)
        .order_by(LtiGradePost.attempted_at.desc().nulls_last(), LtiGradePost.id.desc())
        .limit(POSTS_SHOWN)
    ).all()
    return render_template(
        "instructor/lti.html",
        platforms=registrations.all_platforms(session),
        urls=tool_urls(),
        configuration=json.dumps(tool_configuration(), indent=2),
        signing=signing,
        keys=session.scalars(select(LtiToolKey).order_by(LtiToolKey.id.desc())).all(),
        contexts=session.scalars(select(LtiContext).order_by(LtiContext.id)).all(),
        posts=posts,
        action=ActionForm(),
    )


@bp.post("/lti/rotate-key")
@instructor_required
def lti_rotate_key():
    """Make a new signing key; the old one stays published for a while."""
    if ActionForm().validate_on_submit():
        session = get_session()
        key = keys.rotate(session)
        audit.record(session, current_user, "lti.rotate_key", "the tool", kid=key.kid)
        session.commit()
        flash("A new key signs from now on; the old one stays published for two days.", "success")
    return redirect(url_for("instructor.lti"))


@bp.post("/lti/courses/<int:context_id>/sync")
@instructor_required
def lti_sync_roster(context_id: int):
    """Bring an LMS course's roster here: create, update, deactivate."""
    if ActionForm().validate_on_submit():
        session = get_session()
        context = session.get(LtiContext, context_id)
        if context is None:
            flash("No such LMS course.", "error")
            return redirect(url_for("instructor.lti"))
        try:
            report = roster.sync(session, context)
        except (roster.RosterUnavailable, LmsUnavailable) as error:
            session.rollback()
            flash(f"The roster could not be synced: {error}", "error")
            return redirect(url_for("instructor.lti"))
        audit.record(session, current_user, "lti.roster_sync", context.title or context.context_id,
                     course=context.context_id, created=len(report.created),
                     updated=len(report.updated), deactivated=len(report.deactivated))
        session.commit()
        flash(f"Roster synced: {report.summary()}.", "success")
    return redirect(url_for("instructor.lti"))
