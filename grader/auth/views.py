"""Login, logout (here or everywhere) and the account page: password and API tokens."""

from __future__ import annotations

import re
import secrets
from functools import cache

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser_session
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from grader import login_sessions, passwords
from grader.auth import limits
from grader.auth.forms import ActionForm, LoginForm, NewTokenForm, PasswordForm
from grader.db import get_session
from grader.models import ApiToken, User, utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Where `next` may send a user after logging in: a slash, then printable ASCII with no second
# slash first and no backslash or space anywhere. Browsers read a backslash as a slash and
# drop tabs and newlines, so "/\evil" or "/<tab>/evil" would reach another host as "//evil";
# CR LF would split the Location header; nothing outside ASCII belongs in our own links.
LOCAL_PATH = re.compile(r"/(?!/)[!-\[\]-~]*")


@cache
def dummy_hash() -> str:
    """Return a hash to check unknown usernames against (made once, on first use)."""
    return generate_password_hash(secrets.token_hex(16))


def home_for(user: User) -> str:
    """Return the page a user lands on after logging in."""
    return url_for("instructor.index") if user.is_instructor else url_for("student.index")


def safe_next(target: str | None) -> str | None:
    """Return target if it is plainly a path on this site (no open redirect), else None."""
    return target if target and LOCAL_PATH.fullmatch(target) else None


@bp.route("/login", methods=["GET", "POST"])
@limits.per_account_and_address
@limits.per_account
@limits.per_address
def login():
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.by_username(get_session(), form.username.data)
        if user is None:
            # Spend the same time as a real check, so timing does not reveal who has an account.
            check_password_hash(dummy_hash(), form.password.data)
        elif user.check_password(form.password.data):
            if not user.is_active:
                flash("This account is disabled. Ask your instructor.", "error")
                return render_template("auth/login.html", form=form), 403
            login_sessions.start(get_session(), user, remember=form.remember.data)
            get_session().commit()
            # Nothing from before the login carries into it (a planted cookie's CSRF token).
            browser_session.clear()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
        limits.count_failure()
        flash("Wrong username or password.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out this browser: its login ends on the server, so a copy of its cookies is refused
    too (a POST with a CSRF token, so no other site can log you out)."""
    if ActionForm().validate_on_submit():
        if current_user.is_authenticated:
            login_sessions.end(get_session(), current_user.get_id())
            get_session().commit()
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """End every login of this account, this browser's included (a lost phone, a shared
    computer left logged in); API tokens stay until revoked."""
    if ActionForm().validate_on_submit():
        login_sessions.end_all(get_session(), current_user)
        get_session().commit()
        logout_user()
        flash("You are logged out everywhere: every browser must log in again. "
              "API tokens still work until you revoke them.", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """List the user's API tokens and create a new one (shown once)."""
    form = NewTokenForm()
    new_token = None
    if form.validate_on_submit():
        session = get_session()
        row, new_token = ApiToken.issue(current_user, form.name.data.strip())
        session.add(row)
        session.commit()
    return render_account(form=form, new_token=new_token)


def render_account(status: int = 200, **forms):
    """Render the account page with its forms (fresh ones where none is given)."""
    tokens = [t for t in current_user.tokens if t.revoked_at is None]
    page = render_template(
        "auth/account.html",
        form=forms.get("form") or NewTokenForm(formdata=None),
        password_form=forms.get("password_form") or PasswordForm(formdata=None),
        tokens=tokens,
        new_token=forms.get("new_token"),
        action=ActionForm(),
        open_logins=login_sessions.open_count(get_session(), current_user),
    )
    return page, status


@bp.post("/password")
@login_required
@limits.password_checks
def change_password():
    """Change the password after checking the current one."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_account(400, password_form=form)
    if not current_user.check_password(form.current.data):
        limits.count_failure()
        form.current.errors.append("That is not your current password.")
        return render_account(400, password_form=form)
    passwords.change_password(get_session(), current_user, form.new.data,
                              keep=current_user.get_id())
    get_session().commit()
    flash("Your password is changed. Every other session of your account is logged out; this "
          "one stays. API tokens still work until you revoke them.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's API tokens."""
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if ActionForm().validate_on_submit():
        token.revoked_at = utcnow()
        session.commit()
        flash(f"Token “{token.name}” revoked.", "info")
    return redirect(url_for("auth.account"))
