"""The submission form: upload the file or paste its code."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class SubmissionForm(FlaskForm):
    """One Python file, uploaded or pasted (exactly one of the two)."""

    file = FileField("Upload your file")
    code = TextAreaField("…or paste your code")
    submit = SubmitField("Submit for grading")

    def uploaded_name(self) -> str | None:
        """Return the uploaded file's own name (None when the code was pasted)."""
        uploaded = self.file.data
        return getattr(uploaded, "filename", None) or None

    def upload(self) -> bytes | None:
        """Return the uploaded or pasted bytes; None (with an error noted) unless exactly one."""
        uploaded = self.file.data
        has_file = uploaded is not None and getattr(uploaded, "filename", "")
        pasted = (self.code.data or "").strip()
        if has_file and pasted:
            self.form_errors.append("Upload a file or paste code, not both.")
            return None
        if has_file:
            return uploaded.read()
        if pasted:
            return self.code.data.replace("\r\n", "\n").encode("utf-8")
        self.form_errors.append("Choose a file to upload or paste your code.")
        return None


class RegradeRequestForm(FlaskForm):
    """Ask for a review of one test of a graded submission (the choices: its tests)."""

    test = SelectField("Test", validate_choice=True)
    message = TextAreaField("What should the instructor look at?",
                            validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField("Ask for a review")


class InviteForm(FlaskForm):
    """Invite a partner by username."""

    username = StringField("Partner's username", validators=[DataRequired(), Length(max=64)])
    submit = SubmitField("Invite")
