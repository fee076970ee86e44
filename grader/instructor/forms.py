"""Forms of the instructor pages (each carries a CSRF token through Flask-WTF)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

# Shown and typed as 2030-01-02 15:00 (24-hour, UTC); the ISO "T" form is read too.
TIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
TIME_PATTERN = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?"


class UTCTimeField(DateTimeField):
    """A moment typed as text in 24-hour UTC, never a browser's date picker: a
    datetime-local input shows the reader's locale (a 12-hour mm/dd/yyyy, --:-- -- picker
    in the US) under a label that says UTC."""

    widget = TextInput()

    def __init__(self, label: str, **kwargs):
        render_kw = {"placeholder": "YYYY-MM-DD HH:MM", "pattern": TIME_PATTERN,
                     "title": "Year-month-day and 24-hour time in UTC, e.g. 2030-01-02 15:00",
                     "autocomplete": "off", "spellcheck": "false", "size": 17}
        super().__init__(f"{label} (UTC, 24-hour)", format=TIME_FORMATS, render_kw=render_kw,
                         **kwargs)


def as_utc(moment: datetime | None) -> datetime | None:
    """A moment as an aware UTC datetime (a naive one is read as UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class PolicyForm(FlaskForm):
    """An assignment's deadlines and rules; an empty field keeps the manifest's value."""

    due = UTCTimeField("Due", validators=[Optional()])
    hard_close = UTCTimeField("Hard close", validators=[Optional()])
    late_penalty_per_day = FloatField("Late penalty per started day (fraction)",
                                      validators=[Optional(), NumberRange(0, 1)])
    late_penalty_cap = FloatField("Late penalty cap (fraction)",
                                  validators=[Optional(), NumberRange(0, 1)])
    max_submissions_per_day = IntegerField("Submissions per student per 24 hours",
                                           validators=[Optional(), NumberRange(1, 10_000)])
    score_policy = SelectField("Score that counts",
                               choices=[SelectChoice("", "manifest's"), SelectChoice("best"),
                                        SelectChoice("last")],
                               validate_choice=True)
    submit = SubmitField("Save policy")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)  # every field checked: all errors at once
        # A field left out of the post keeps the stored (aware) moment; a typed one is naive UTC.
        due, hard_close = as_utc(self.due.data), as_utc(self.hard_close.data)
        if due and hard_close and hard_close < due:
            self.hard_close.errors = [*self.hard_close.errors,
                                      "The hard close must not come before the due date."]
            valid = False
        return valid


class ExtensionForm(FlaskForm):
    """A later due date for one student (fields prefixed: the policy form has a `due` too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="extension", **kwargs)

    username = StringField("Student", validators=[DataRequired(), Length(max=64)])
    due = UTCTimeField("New due date", validators=[DataRequired()])
    submit = SubmitField("Grant extension")


class RegradeForm(FlaskForm):
    """Regrade a student's submissions (username given) or the whole assignment."""

    username = StringField("Student (empty: everyone)", validators=[Optional(), Length(max=64)])
    submit = SubmitField("Regrade")


class RosterForm(FlaskForm):
    """A CSV file with the columns username, name, email."""

    file = FileField("Roster CSV", validators=[FileRequired()])
    submit = SubmitField("Import")


class LateDayBankForm(FlaskForm):
    """The course's late days per student; late_day_bank_form adds one field per assignment."""

    days = IntegerField("Late days per student for the term",
                        validators=[InputRequired(), NumberRange(0, 365)])
    submit = SubmitField("Save late days")


def late_day_bank_form(assignments, **kwargs) -> LateDayBankForm:
    """The bank's form with a field per assignment: the most late days it takes (0: none)."""

    class Form(LateDayBankForm):
        pass

    for assignment in assignments:
        setattr(Form, f"max_{assignment.slug}", IntegerField(
            f"{assignment.title}: most late days", validators=[Optional(), NumberRange(0, 365)]))
    return Form(**kwargs)


class LateDayGrantForm(FlaskForm):
    """Extra late days for one student (fields prefixed: the bank's form has `days` too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="grant", **kwargs)

    username = StringField("Student", validators=[DataRequired(), Length(max=64)])
    days = IntegerField("Extra late days", validators=[InputRequired(), NumberRange(1, 365)])
    reason = StringField("Reason", validators=[Optional(), Length(max=255)])
    submit = SubmitField("Grant late days")


class AccommodationForm(FlaskForm):
    """A student's standing accommodation (it replaces the student's earlier one)."""

    username = StringField("Student", validators=[DataRequired(), Length(max=64)])
    extra_days = IntegerField("Extra days on every deadline",
                              validators=[InputRequired(), NumberRange(0, 365)])
    extra_submissions_per_day = IntegerField("Extra submissions per 24 hours",
                                             validators=[InputRequired(), NumberRange(0, 10_000)])
    note = StringField("Note (e.g. the office's reference)", validators=[Optional(),
                                                                       Length(max=255)])
    submit = SubmitField("Save accommodation")


class RegradeAnswerForm(FlaskForm):
    """An answer to a regrade request; points (with a reason) set the test's points for good."""

    answer = TextAreaField("Answer", validators=[DataRequired(), Length(max=4000)])
    points = FloatField("Set the test's points to (empty: unchanged)",
                        validators=[Optional(), NumberRange(0, 10_000)])
    reason = StringField("Reason for the points", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Answer")


class GroupSizeForm(FlaskForm):
    """The largest group an assignment takes (1: students work alone)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="groups", **kwargs)

    max_size = IntegerField("Largest group (1: everyone works alone)",
                            validators=[InputRequired(), NumberRange(1, 20)])
    submit = SubmitField("Save group size")
