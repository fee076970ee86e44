"""Flask extensions, created here once and bound to each app in create_app."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
# Rate limits apply only where a route asks for one; storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def username_key() -> str:
    """Rate-limit key for logins: the username tried, so spreading guesses over IPs fails too."""
    return "login:" + (request.form.get("username") or "").strip().lower()
