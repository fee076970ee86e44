"""Student pages: the assignment list, one assignment, a submission with live feedback."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from grader import groups, regrade_requests, student_wheel, submissions
from grader.auth.access import can_view
from grader.auth.forms import ActionForm
from grader.course import (
    assignment_in_force,
    assignment_in_force_or_404,
    assignments_in_force,
    days_late,
    is_closed,
    late_penalty,
)
from grader.db import get_session
from grader.extensions import limiter
from grader.feedback import in_case_order, running_partial, visible_result
from grader.grade_changes import grades_may_have_changed, group_members
from grader.grades import counted_score, grade_of, late_day_standing
from grader.grading import feedback_text
from grader.hints import hints_for
from grader.models import Submission, utcnow
from grader.policy import for_student
from grader.rendering import highlight_python, render_markdown, scrollable
from grader.student.forms import InviteForm, RegradeRequestForm, SubmissionForm

bp = Blueprint("student", __name__)


def submit_limit() -> str:
    """Return the configured submission rate limit."""
    return current_app.config["SUBMIT_RATE_LIMIT"]


def user_key() -> str:
    """Rate-limit key: the logged-in user (a class behind one NAT shares an address)."""
    return f"user:{current_user.id}"


@bp.app_template_filter("value")
def value_filter(value) -> str:
    """Show a value from a result document as short text."""
    return feedback_text.format_value(value)


def grade_holder(submission: Submission):
    """Whose grade a submission's page shows: a student's own (they see only theirs and their
    group's), the submitter's for an instructor."""
    if current_user.is_authenticated and not current_user.is_instructor:
        return current_user
    return submission.user


def owner_grade(submission: Submission):
    """The grade on the submission's assignment of its holder (grade_holder): their policy,
    accommodation and extension included, their late days spent there; cached for the
    request; None when the assignment is no longer in the course."""
    grades = g.setdefault("owner_grades", {})
    holder = grade_holder(submission)
    key = (submission.assignment_slug, holder.id)
    if key not in grades:
        assignment = assignment_in_force(submission.assignment_slug)
        grades[key] = assignment and grade_of(get_session(), assignment, holder)
    return grades[key]


def counted_for(submission: Submission) -> tuple[float, float] | None:
    """Return (score, late penalty) as the submission counts now, under its owner's grade."""
    grade = owner_grade(submission)
    if grade is None:  # an assignment no longer in the course: its stored score
        return (submission.score, submission.late_penalty) if submission.score is not None else None
    return counted_score(grade.policy, submission, grade.late_days)  # its last final grading


def late_for(submission: Submission) -> float:
    """Return the fraction a submission loses for its lateness under its owner's grade now,
    graded or not (the same penalty its counted score carries)."""
    grade = owner_grade(submission)
    if grade is None:
        return submission.late_penalty
    return late_penalty(grade.policy, submission.submitted_at, grade.late_days)


@bp.app_context_processor
def template_helpers() -> dict:
    """Give templates the feedback helpers: the wording the terminal uses too."""
    return {"diagnosis": feedback_text.diagnosis_of,
            "diagnosis_lines": feedback_text.diagnosis_lines,
            "withheld_label": feedback_text.withheld_label, "in_case_order": in_case_order}


def student_package_url() -> str:
    """The student package's wheel on this server, as pip reaches it (the server's own URL)."""
    return url_for("student.student_package", name=student_wheel.WHEEL_NAME, _external=True)


# Macros are imported without context: they reach these as globals.
bp.add_app_template_global(student_package_url, "student_package_url")
bp.add_app_template_global(feedback_text.score_text, "score_text")
bp.add_app_template_global(feedback_text.late_text, "late_text")
bp.add_app_template_global(counted_for, "counted_for")
bp.add_app_template_global(late_for, "late_for")
bp.add_app_template_filter(render_markdown, "markdown")  # a hint's README quotes


@bp.route("/")
def home():
    """Send visitors to their starting page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_instructor:
        return redirect(url_for("instructor.index"))
    return redirect(url_for("student.index"))


def own_submissions(slug: str):
    """Select the current user's submissions to an assignment and their group's, newest first."""
    group_id = groups.group_for(get_session(), current_user, slug)
    return (select(Submission)
            .where(Submission.assignment_slug == slug, groups.theirs(current_user, group_id))
            .order_by(Submission.id.desc()))


@bp.route("/assignments")
@login_required
def index():
    """List the assignments with due dates and the grade that counts, as the gradebook has it."""
    session = get_session()
    grades = {slug: grade_of(session, assignment, current_user)
              for slug, assignment in assignments_in_force().items()}
    shown = [grade.policy for grade in grades.values()]  # their own dates: extension included
    return render_template("student/index.html", assignments=shown, grades=grades, now=utcnow(),
                           bank=late_day_standing(session, current_user))


@bp.route("/assignments/<slug>", methods=["GET"])
@login_required
def assignment(slug: str):
    """Show an assignment: its README, the starter, the submission form and history."""
    return render_assignment(assignment_in_force_or_404(slug), SubmissionForm())


def render_assignment(assignment, form: SubmissionForm, status: int = 200,
                      invite_form: InviteForm | None = None):
    """Render the assignment page (also after a refused submission)."""
    session = get_session()
    grade = grade_of(session, assignment, current_user)
    assignment = for_student(session, assignment, current_user)  # their extension's dates
    history = session.scalars(own_submissions(assignment.slug).limit(50)).all()
    now = utcnow()
    readme = render_markdown(assignment.readme_markdown(), heading_offset=1)
    lateness = days_late(assignment, now)
    page = render_template(
        "student/assignment.html",
        assignment=assignment,
        readme=readme,
        form=form,
        allowance=submissions.daily_allowance(session, current_user, assignment, now),
        history=history,
        now=now,
        days_late=lateness,
        late_days=late_day_notice(grade, lateness),
        group_size=groups.max_size(session, assignment.slug),
        membership=groups.membership(session, current_user, assignment.slug),
        invite_form=invite_form or InviteForm(formdata=None),
        action=ActionForm(formdata=None),
        closed=is_closed(assignment, now),
        max_upload=current_app.config["MAX_UPLOAD_BYTES"],
    )
    return page, status


def late_day_notice(grade, lateness: int) -> dict | None:
    """What the student's late-day bank means for this assignment now: the most it takes, the
    days the grade spends on it, those left, and how many a submission now would use at most
    (if it counted); None when the assignment takes no late days."""
    if not grade.late_days_max:
        return None
    usable = min(lateness, grade.late_days_max, grade.late_days_left + grade.late_days)
    return {"max": grade.late_days_max, "spent": grade.late_days, "left": grade.late_days_left,
            "budget": grade.late_days_budget, "would_use": usable}


@bp.post("/assignments/<slug>/group/<any(invite, confirm, leave):change>")
@login_required
def change_group(slug: str, change: str):
    """Invite a partner, confirm an invitation, or leave (decline) a group on the assignment."""
    assignment = assignment_in_force_or_404(slug)
    session = get_session()
    form = InviteForm() if change == "invite" else ActionForm()
    if not form.validate_on_submit():
        return render_assignment(assignment, SubmissionForm(formdata=None), 400,
                                 form if change == "invite" else None)
    try:
        if change == "invite":
            invited = groups.invite(session, current_user, slug, form.username.data)
            message = (f"{invited.user.username} is invited: they join your group when they "
                       "confirm on this page.")
        elif change == "confirm":
            groups.confirm(session, current_user, slug)
            grades_may_have_changed(session, slug, group_members(session, slug, current_user.id))
            message = "You are in the group: a submission of any member is everyone's."
        else:
            groups.leave(session, current_user, slug)
            message = "You work alone on this assignment now."
    except groups.Refused as refusal:
        invite_form = form if change == "invite" else InviteForm(formdata=None)
        invite_form.form_errors.append(refusal.message)
        return render_assignment(assignment, SubmissionForm(formdata=None), 400, invite_form)
    flash(message, "success")
    return redirect(url_for("student.assignment", slug=slug) + "#partners")


@bp.route("/assignments/<slug>/starter.zip")
@login_required
def starter(slug: str):
    """Download the assignment's starter files."""
    assignment = assignment_in_force_or_404(slug)
    return Response(
        # The student package's wheel: `pip install` it for `autograder test` and `submit`.
        assignment.starter_zip({student_wheel.WHEEL_NAME: student_wheel.wheel()}),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{slug}-starter.zip"'},
    )


@bp.route("/student-package/<name>")
def student_package(name: str):
    """Serve the student package's wheel (no login: pip cannot log in, and it holds no secret)."""
    if name != student_wheel.WHEEL_NAME:
        abort(404)
    return send_file(student_wheel.wheel(), mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)


@bp.route("/assignments/<slug>/submissions", methods=["POST"])
@login_required
@limiter.limit(submit_limit, key_func=user_key)
def submit(slug: str):
    """Take an uploaded or pasted file, store it, queue it and show its page."""
    assignment = assignment_in_force_or_404(slug)
    form = SubmissionForm()
    data = form.upload() if form.validate_on_submit() else None
    if data is None:
        return render_assignment(assignment, form, 400)
    try:
        submission = submissions.submit(get_session(), current_user, assignment, data)
    except submissions.Rejected as refusal:
        form.form_errors.append(refusal.message)
        return render_assignment(assignment, form, refusal.status)
    flash("Submitted. Grading starts in a moment.", "submitted")
    uploaded = form.uploaded_name()
    if uploaded and uploaded != assignment.submit_file:
        flash(f"You uploaded {uploaded}, but this assignment expects {assignment.submit_file}: "
              f"it is graded as {assignment.submit_file}. Check that you sent the right file.",
              "warning")
    return redirect(url_for("student.submission", submission_id=submission.id))


def oversized_upload(slug: str):
    """Answer an upload over the request size limit with the form and the limit, inline."""
    form = SubmissionForm(formdata=None)  # the body is too large to read
    limit = current_app.config["MAX_UPLOAD_BYTES"] // 1024
    form.form_errors.append(f"That upload is too large: the limit is {limit} KiB. "
                            "Submit the one Python file the assignment asks for.")
    return render_assignment(assignment_in_force_or_404(slug), form, 413)


def get_visible_submission(submission_id: int) -> Submission:
    """Return the submission if the current user may see it; 404 otherwise (no existence leak)."""
    submission = get_session().get(Submission, submission_id)
    if submission is None or not can_view(current_user, submission):
        abort(404)
    return submission


def feedback_context(submission: Submission) -> dict:
    """Gather what the feedback fragment shows."""
    assignment = assignment_in_force(submission.assignment_slug)
    if assignment is not None:  # the owner's dates: their extension included
        assignment = for_student(get_session(), assignment, grade_holder(submission))
    now = utcnow()
    return {
        "submission": submission,
        "assignment": assignment,
        "hints": hints_for(get_session(), submission, assignment) if submission.is_final else [],
        "result": visible_result(submission.result, assignment, current_user, now),
        "partial": visible_result(running_partial(submission), assignment, current_user, now),
    }


@bp.route("/submissions/<int:submission_id>")
@login_required
def submission(submission_id: int):
    """Show a submission: live status, feedback, the code and the owner's history."""
    submission = get_visible_submission(submission_id)
    return render_submission(submission, request_form(submission))


def request_form(submission: Submission, **kwargs) -> RegradeRequestForm:
    """The form asking for a review of one of the submission's tests."""
    form = RegradeRequestForm(**kwargs)
    form.test.choices = list(regrade_requests.tests_of(submission))
    return form


def render_submission(submission: Submission, form: RegradeRequestForm, status: int = 200):
    page = render_template(
        "student/submission.html",
        code=scrollable(highlight_python(submission.source), f"Code of {submission.filename}"),
        history=owner_history(submission),
        action=ActionForm(),
        owner_grade=owner_grade(submission),
        request_form=form,
        requests=regrade_requests.requests_on(get_session(), submission),
        group=groups.member_names(get_session(), submission.group_id),
        **feedback_context(submission),
    )
    return page, status


@bp.post("/submissions/<int:submission_id>/regrade-requests")
@login_required
def ask_for_review(submission_id: int):
    """Ask the instructor to look at one test of one's own graded submission again."""
    submission = get_visible_submission(submission_id)
    form = request_form(submission)
    if not form.validate_on_submit():
        return render_submission(submission, form, 400)
    try:
        regrade_requests.ask(get_session(), current_user, submission, form.test.data,
                             form.message.data)
    except regrade_requests.Refused as refusal:
        form.form_errors.append(refusal.message)
        return render_submission(submission, form, 400)
    flash("Your request is with the instructor; the answer appears on this page.", "success")
    return redirect(url_for("student.submission", submission_id=submission_id) + "#reviews")


def owner_history(submission: Submission) -> list[Submission]:
    """Return the submissions to the same assignment of the one whose grade the page shows
    (the viewer's own and their group's for a student), newest first."""
    holder = grade_holder(submission)
    group_id = groups.group_for(get_session(), holder, submission.assignment_slug)
    return get_session().scalars(
        select(Submission)
        .where(Submission.assignment_slug == submission.assignment_slug,
               groups.theirs(holder, group_id))
        .order_by(Submission.id.desc())
        .limit(50)
    ).all()


@bp.route("/submissions/<int:submission_id>/status")
@login_required
def submission_status(submission_id: int):
    """Answer the page's polling: the status and the feedback fragment, rendered escaped."""
    submission = get_visible_submission(submission_id)
    response = jsonify(
        status=submission.status,
        final=submission.is_final,
        progress=submission.progress,
        html=render_template("student/_feedback.html", **feedback_context(submission)),
        history=render_template("student/_history.html", history=owner_history(submission),
                                current_id=submission.id),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/submissions/<int:submission_id>/source")
@login_required
def submission_source(submission_id: int):
    """Download the submitted file as plain text."""
    submission = get_visible_submission(submission_id)
    return Response(
        submission.source,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{submission.filename}"'},
    )
