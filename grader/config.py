"""Read the service's settings from the environment, with safe defaults for development."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from grader.grading import submitted_file

KIB = 1024
MAX_REMEMBER_DAYS = 30  # "keep me logged in" lasts at most a month, as the security office asks


def _int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    """Read a yes/no setting from the environment."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(instance_path: str) -> str:
    """Return the SQLAlchemy URL: DATABASE_URL, else a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'grader.sqlite'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def broker_url(instance_path: str) -> str:
    """Return the Celery broker: Redis when configured, else an embedded SQLite queue."""
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if url:
        return url
    # kombu's SQLAlchemy transport needs no server, so `make run` grades on a fresh machine.
    return f"sqla+sqlite:///{Path(instance_path) / 'broker.sqlite'}"


def secret_key(instance_path: str) -> str:
    """Return SECRET_KEY, else a random key kept in the instance folder (sessions survive)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping for an app whose instance folder is instance_path."""
    # The local checks (`autograder test`) know the default alone: change it with care.
    max_upload = _int("MAX_UPLOAD_BYTES", submitted_file.MAX_BYTES)
    redis_url = os.environ.get("REDIS_URL", "")
    budget_wall = _int("GRADE_BUDGET_SECONDS", 60)
    remember_days = _int("REMEMBER_DAYS", MAX_REMEMBER_DAYS)
    if not 1 <= remember_days <= MAX_REMEMBER_DAYS:
        raise ValueError(f"REMEMBER_DAYS must be 1 to {MAX_REMEMBER_DAYS}, not {remember_days}")
    same_site = os.environ.get("SESSION_COOKIE_SAMESITE", "Lax").strip().capitalize()
    if same_site not in ("Lax", "Strict", "None"):
        raise ValueError(f"SESSION_COOKIE_SAMESITE must be Lax, Strict or None, not {same_site}")
    if same_site == "None" and not _bool("SESSION_COOKIE_SECURE", False):
        raise ValueError("SESSION_COOKIE_SAMESITE=None needs SESSION_COOKIE_SECURE=1 (HTTPS)")
    return {
        "SECRET_KEY": secret_key(instance_path),
        "DATABASE_URL": database_url(instance_path),
        "SQL_ECHO": _bool("SQL_ECHO", False),
        # Uploads: one Python file of at most MAX_UPLOAD_BYTES; the request may carry a little more.
        "MAX_UPLOAD_BYTES": max_upload,
        "MAX_CONTENT_LENGTH": max_upload + 16 * KIB,
        "MAX_FORM_MEMORY_SIZE": max_upload + 16 * KIB,
        # Logins end on the server (grader/login_sessions.py): this long without "keep me
        # logged in" (also the most a signed session cookie is accepted for), REMEMBER_DAYS
        # with it. The browser's copies may claim more; the server refuses them after that.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_HOURS", 12)),
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_days),
        # Cookies: not readable by scripts, not sent on cross-site subrequests.
        "SESSION_COOKIE_HTTPONLY": True,
        # None (with Secure, behind HTTPS) lets the login live in an LMS's frame (docs/lti.md).
        "SESSION_COOKIE_SAMESITE": same_site,
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": same_site,
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),  # reverse proxies in front of gunicorn
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session: long forms stay valid
        # Rate limits (Flask-Limiter syntax). Shared across processes only with Redis storage.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or (redis_url or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Every limit this request breaks is checked, so the page can tell when all let it by.
        "RATELIMIT_FAIL_ON_FIRST_BREACH": False,
        # Failed logins (grader/auth/limits.py): tight per account, loose per address, where
        # hundreds of students share one NAT address.
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS",
                                                          "5 per 5 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "20 per hour"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS",
                                                  "300 per 15 minutes"),
        "SUBMIT_RATE_LIMIT": os.environ.get("SUBMIT_RATE_LIMIT", "30 per minute"),
        # Grading queue.
        "CELERY_BROKER_URL": broker_url(instance_path),
        "CELERY_QUEUE": os.environ.get("CELERY_QUEUE", "grading"),
        # What one submission's code may take, every rerun included (grader/grading/budget.py).
        "GRADE_BUDGET_SECONDS": budget_wall,
        "GRADE_BUDGET_CPU_SECONDS": _int("GRADE_BUDGET_CPU_SECONDS", 30),
        # Celery's limits sit above the budget (and the grader's own preparation): they fire
        # only when the grader itself hangs, never because of a student's code.
        "GRADE_SOFT_TIME_LIMIT": _int("GRADE_SOFT_TIME_LIMIT", budget_wall + 60),
        "GRADE_HARD_TIME_LIMIT": _int("GRADE_HARD_TIME_LIMIT", budget_wall + 90),
        "GRADE_MAX_RETRIES": _int("GRADE_MAX_RETRIES", 3),
        # Grade every reference solution in the worker's parent before it forks (warm caches
        # for every child, and a self-test of the sandbox); adds seconds to worker start.
        "GRADER_WARM_UP": _bool("GRADER_WARM_UP", False),
        # A running grading proves it is alive this often; silent for STALE seconds means dead.
        "HEARTBEAT_SECONDS": _int("HEARTBEAT_SECONDS", 2),
        "HEARTBEAT_STALE_SECONDS": _int("HEARTBEAT_STALE_SECONDS", 20),
        # The sweep re-queues submissions never handed to the broker after this many seconds,
        # and those handed over but still waiting after QUEUED_STALE_SECONDS (a lost message).
        "SWEEP_SECONDS": _int("SWEEP_SECONDS", 10),
        "UNQUEUED_STALE_SECONDS": _int("UNQUEUED_STALE_SECONDS", 5),
        "QUEUED_STALE_SECONDS": _int("QUEUED_STALE_SECONDS", 900),
        # LTI (docs/lti.md): a launch's tokens may be this many seconds off our clock; a grade
        # post the LMS could not take is tried again after LTI_RETRY_SECONDS, 3x longer each
        # time (at most an hour apart), LTI_MAX_RETRIES times (about two days at the default).
        "LTI_CLOCK_SKEW_SECONDS": _int("LTI_CLOCK_SKEW_SECONDS", 10),
        "LTI_RETRY_SECONDS": _int("LTI_RETRY_SECONDS", 10),
        "LTI_MAX_RETRIES": _int("LTI_MAX_RETRIES", 50),
        # Who may show these pages in a frame: the LMS's origins (space-separated), for launches
        # inside the course page; 'none' keeps every page out of frames.
        "FRAME_ANCESTORS": os.environ.get("FRAME_ANCESTORS", "'none'"),
    }
