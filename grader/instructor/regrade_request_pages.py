"""The queue of regrade requests: answer each, and set a test's points with a reason
(grader.regrade_requests does the work)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from grader import regrade_requests
from grader.auth.access import instructor_required
from grader.db import get_session
from grader.grade_changes import grading_stored
from grader.instructor.forms import RegradeAnswerForm
from grader.instructor.views import bp
from grader.models import RegradeRequest


def render_queue(forms: dict[int, RegradeAnswerForm] | None = None, status: int = 200):
    session = get_session()
    rows = regrade_requests.queue(session)
    forms = forms or {}
    return render_template(
        "instructor/regrade_requests.html", requests=rows,
        forms={row.id: forms.get(row.id) or RegradeAnswerForm(formdata=None, prefix=f"r{row.id}")
               for row in rows if row.status == "open"},
        replaced=regrade_requests.replaced_adjustments(session),
        tests=regrade_requests.tests_of,
    ), status


@bp.route("/regrade-requests")
@instructor_required
def regrade_requests_queue():
    """List the requests, open ones first, and the adjustments a regrade replaced."""
    return render_queue()


@bp.post("/regrade-requests/<int:request_id>/answer")
@instructor_required
def answer_regrade_request(request_id: int):
    """Answer one request; points given set the test's points for good."""
    session = get_session()
    request = session.get(RegradeRequest, request_id)
    if request is None:
        abort(404)
    form = RegradeAnswerForm(prefix=f"r{request_id}")
    if not form.validate_on_submit():
        return render_queue({request_id: form}, 400)
    try:
        regrade_requests.answer(session, current_user, request, form.answer.data,
                                form.points.data, form.reason.data or "")
    except regrade_requests.Refused as refusal:
        form.form_errors.append(refusal.message)
        return render_queue({request_id: form}, 400)
    grading_stored(session, request.submission_id, request.submission.assignment_slug)
    flash(f"Answered {request.user.username}'s request about {request.test_name}.", "success")
    return redirect(url_for("instructor.regrade_requests_queue"))
