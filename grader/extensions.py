"""Flask extensions, created here once and bound to each app in create_app."""

import math
import time

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


def seconds_until_allowed() -> int:
    """Return how long until every limit this request broke lets it through (0: none broke)."""
    resets = [limit.window.reset_time for limit in limiter.current_limits if limit.breached]
    return max(0, math.ceil(max(resets, default=0) - time.time()))
