"""Who is logged in, and the HTTP headers that keep pages from being abused."""

from __future__ import annotations

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from grader import login_sessions
from grader.db import get_session
from grader.extensions import login_manager
from grader.models import User

# No inline script or style anywhere, so a stray injection cannot run even if escaping failed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


@login_manager.user_loader
def load_user(login_key: str) -> User | None:
    """Load the account of the open login whose key the session or remember-me cookie carries
    (an ended or expired login, or a disabled account, is logged out)."""
    return login_sessions.user_for(get_session(), login_key)


def add_security_headers(response: Response) -> Response:
    """Add CSP, no-sniff, framing and referrer headers to every response."""
    ancestors = current_app.config.get("FRAME_ANCESTORS") or "'none'"
    response.headers.setdefault("Content-Security-Policy",
                                f"{CONTENT_SECURITY_POLICY}; frame-ancestors {ancestors}")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if ancestors == "'none'":  # browsers without CSP 2 read this one; it cannot list origins
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Register the headers; behind TRUSTED_PROXIES proxies, believe their X-Forwarded-*."""
    app.after_request(add_security_headers)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Rate limits key on the client's address: behind a proxy, take it from the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
