"""Forms of the auth pages (each carries a CSRF token through Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


class NewTokenForm(FlaskForm):
    """Name a new API token."""

    name = StringField(
        "Token name", validators=[DataRequired(), Length(max=64)], default="command line"
    )
    submit = SubmitField("Create token")


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token matters (logout, revoke)."""


class PasswordForm(FlaskForm):
    """Change one's password: the current one, then the new one twice."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=256)])
    confirm = PasswordField(
        "New password again", validators=[EqualTo("new", message="The two entries differ.")]
    )
    change = SubmitField("Change password")
