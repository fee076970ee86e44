"""The API's documents as marshmallow schemas: the OpenAPI description is generated from them.

The views build their JSON themselves; these classes say what it holds. tests/web/
test_api_conformance.py runs schemathesis against the live API to keep the two identical.
Query arguments are the exception: their schema also parses the request (`load_query`).
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from grader.models import Status

STATUSES = [status.value for status in Status]
VISIBILITIES = ["visible", "hidden", "after_due_date", "after_published"]


def a_string(description: str | None = None, **options) -> fields.String:
    """A string field, described."""
    return fields.String(metadata={"description": description} if description else {}, **options)


def a_number(description: str | None = None, **options) -> fields.Float:
    """A number field, described."""
    return fields.Float(metadata={"description": description} if description else {}, **options)


def nullable_time(description: str | None = None) -> fields.DateTime:
    """A date-time that may be null."""
    return fields.DateTime(allow_none=True,
                           metadata={"description": description} if description else {})


def status() -> fields.String:
    """A submission's status."""
    return fields.String(validate=validate.OneOf(STATUSES))


class Document(Schema):
    """A JSON object the API answers with; it may gain fields (clients ignore the unknown)."""

    class Meta:
        unknown = INCLUDE


class ErrorDetail(Document):
    code = a_string("A stable, machine-readable code, e.g. too_large, unauthorized.", required=True)
    message = a_string(required=True)


class Error(Document):
    error = fields.Nested(ErrorDetail, required=True)


class Health(Document):
    status = a_string(validate=validate.Equal("ok"))


class Account(Document):
    username = a_string()
    role = a_string(validate=validate.OneOf(["student", "instructor"]))


class Assignment(Document):
    slug = a_string(required=True)
    title = a_string(required=True)
    submit_file = a_string("The file name to submit, e.g. gradient.py.", required=True)
    points = a_number(required=True)
    due = nullable_time("The caller's own due date: their extension, if any, applied.")
    hard_close = nullable_time("The caller's own hard close (an extension past it moves it).")
    late_penalty_per_day = a_number("Fraction per started day.")
    late_penalty_cap = a_number("Largest total fraction lost.")
    max_submissions_per_day = fields.Integer(
        allow_none=True, metadata={"description": "Per rolling 24 hours; null: no limit."})
    score_policy = a_string("Which submission counts.", validate=validate.OneOf(["best", "last"]))
    extended = fields.Boolean(metadata={
        "description": "The caller's due date is not the course's: an extension on this "
                       "assignment or a standing accommodation moves it."})
    counted_score = a_number(
        "The caller's counted grade: the submission that counts (best or last), less its late "
        "penalty under the policy in force; the same number as on the pages and in grades.csv. "
        "Null: nothing counts yet.", allow_none=True)
    counted_raw_score = a_number("That submission's score before the penalty.", allow_none=True)
    counted_late_penalty = a_number("The fraction of it lost (0 to 1).")
    counted_max_score = a_number(allow_none=True)
    counted_submission = fields.Integer(
        allow_none=True, metadata={"description": "The id of the submission that counts."})
    grade_held = fields.Boolean(metadata={
        "description": "A regrade of the caller's work runs: the grade is the one before it "
                       "until the regrade ends, then changes at once."})
    counted_late_days = fields.Integer(metadata={
        "description": "Days of the caller's late-day bank spent on this assignment (each "
                       "removes one started day's penalty)."})
    late_days_left = fields.Integer(allow_none=True, metadata={
        "description": "Late days left in the caller's bank after every assignment's spending; "
                       "null: the course has no late-day bank."})
    late_days_budget = fields.Integer(allow_none=True, metadata={
        "description": "The caller's late days for the term (the course's and any granted to "
                       "them); null: no bank."})
    max_group_size = fields.Integer(metadata={
        "description": "The largest group of partners the assignment takes (1: everyone works "
                       "alone)."})
    group = fields.List(fields.String(), allow_none=True, metadata={
        "description": "The usernames of the confirmed members of the caller's group (the "
                       "caller included); a submission of any of them is everyone's. Null: the "
                       "caller works alone."})
    best_score = a_number("Kept for older clients: the same as `counted_score` (whichever the "
                        "score policy).", allow_none=True)
    url = fields.Url()


class AssignmentList(Document):
    assignments = fields.List(fields.Nested(Assignment),
                              metadata={"description": "In course order."})


class SubmissionCreated(Document):
    id = fields.Integer(required=True)
    status = status()
    url = fields.Url(required=True, metadata={"description": "Poll this URL."})
    html_url = fields.Url()


class SubmissionSummary(Document):
    id = fields.Integer()
    assignment = a_string()
    user = a_string()
    status = status()
    score = a_number("As in the submission's own document: its counted score.", allow_none=True)
    raw_score = a_number("Before any penalty.", allow_none=True)
    late_penalty = a_number("Fraction lost, under the policy in force now.")
    max_score = a_number(allow_none=True)
    counts = fields.Boolean(metadata={
        "description": "This is the submission the grade counts: a student caller's own grade "
                       "(a partner's submission may count for them), the submitter's for an "
                       "instructor."})
    submitted_at = fields.DateTime()
    finished_at = nullable_time()
    url = fields.Url()


class SubmissionList(Document):
    submissions = fields.List(fields.Nested(SubmissionSummary),
                              metadata={"description": "Newest first."})


class Diagnosis(Document):
    category = a_string()
    node = a_string()
    op = a_string()
    expected = fields.Raw()
    received = fields.Raw()
    abs_error = a_number()
    rel_error = a_number()
    hint = a_string()


class TestExtraData(Document):
    diagnosis = fields.Nested(Diagnosis)


class TestResult(Document):
    name = a_string()
    number = a_string()
    score = a_number()
    max_score = a_number()
    status = a_string(validate=validate.OneOf(["passed", "failed"]))
    output = a_string()
    tags = fields.List(fields.String())
    visibility = a_string(validate=validate.OneOf(VISIBILITIES))
    hidden = fields.Boolean(metadata={"description": "Details withheld from students."})
    withheld = a_string("Why a student cannot read the details: they open after the due date, or "
                    "never.", validate=validate.OneOf(["until_due", "always"]))
    extra_data = fields.Nested(TestExtraData)


class PendingTest(Document):
    """A test not judged yet: no outcome, never a failure."""

    name = a_string()
    number = a_string()
    max_score = a_number()
    status = a_string(validate=validate.Equal("pending"))
    visibility = a_string(validate=validate.OneOf(VISIBILITIES))
    hidden = fields.Boolean(metadata={"description": "Details withheld from students."})
    withheld = a_string(validate=validate.OneOf(["until_due", "always"]))


class Result(Document):
    """Gradescope-style result document; hidden tests show only their outcome to students."""

    score = a_number()
    max_score = a_number()
    execution_time = a_number()
    output = a_string()
    tests = fields.List(fields.Nested(TestResult))
    extra_data = fields.Dict()
    partial = fields.Boolean(metadata={"description": "Present and true only in a partial "
                                                      "result."})
    pending_tests = fields.List(fields.Nested(PendingTest), metadata={
        "description": "In a partial result: the tests still running."})


class Submission(Document):
    id = fields.Integer(required=True)
    assignment = a_string()
    user = a_string()
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    progress = a_string("What grading is doing now.", allow_none=True)
    submitted_at = fields.DateTime()
    queued_at = nullable_time()
    started_at = nullable_time()
    finished_at = nullable_time()
    attempts = fields.Integer()
    late_penalty = a_number("Fraction lost, under the policy in force now.")
    score = a_number(
        "This submission's counted score: its last final grading after the late penalty under "
        "the owner's policy in force (extension included); null with a raw_score means it came "
        "after the hard close and never counts. A regrade keeps it until the new grading is "
        "final.", allow_none=True)
    raw_score = a_number("The last final grading's score, before any penalty.", allow_none=True)
    max_score = a_number(allow_none=True)
    counts = fields.Boolean(metadata={
        "description": "This is the submission the grade counts: a student caller's own grade "
                       "(a partner's submission may count for them), the submitter's for an "
                       "instructor."})
    group = fields.List(fields.String(), allow_none=True, metadata={
        "description": "Handed in for a group: its confirmed members' usernames (every one of "
                       "them sees it, and it counts for each). Null otherwise."})
    late_days = fields.Integer(metadata={
        "description": "Days of the owner's late-day bank spent on the assignment: the score and "
                       "late_penalty already include them."})
    late_days_left = fields.Integer(allow_none=True, metadata={
        "description": "Days left in that bank after every assignment's spending; null: the "
                       "course has no late-day bank."})
    regrading = fields.Boolean(metadata={
        "description": "Graded before and being graded again: score and result are the last "
                       "final grading's until then."})
    error = a_string(allow_none=True)
    result = fields.Nested(Result, required=True, allow_none=True, metadata={
        "description": "The last final grading's result document (kept while a regrade runs); "
                       "null before the first one."})
    partial_result = fields.Nested(Result, allow_none=True, metadata={
        "description": "While `status` is `running`: the public tests' verdict, once they are "
                       "judged and before the hidden and scale tests finish. It has "
                       "`\"partial\": true` and lists the tests still running in "
                       "`pending_tests` (status `pending`); its score is the public tests' only "
                       "and never counts. Null otherwise."})


class RegradeQueued(Document):
    id = fields.Integer()
    status = status()


class SubmissionFilter(Schema):
    """The query of GET /submissions: every filter optional."""

    assignment = a_string("Only this assignment's (slug).")
    user = a_string("Only this account's (username).")
    status = status()
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000),
                           metadata={"description": "At most this many, newest first."})


def load_query(schema: Schema, arguments) -> dict:
    """Parse a request's query arguments with schema; raise ValueError with a sentence if bad."""
    try:
        return schema.load({name: arguments[name] for name in schema.fields if name in arguments})
    except ValidationError as error:
        reasons = "; ".join(f"{name}: {' '.join(messages)}"
                            for name, messages in sorted(error.normalized_messages().items()))
        raise ValueError(f"Bad query: {reasons}") from error
