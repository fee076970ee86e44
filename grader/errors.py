"""Error pages: JSON under /api/, a friendly HTML page elsewhere."""

from __future__ import annotations

import math

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from grader.api.errors import carry_headers, http_error_response
from grader.extensions import seconds_until_allowed

EXPLANATIONS = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing here, or it is not yours to see.",
    413: "That upload is too large.",
    500: "Something went wrong on our side. Please try again.",
}


def wants_json() -> bool:
    """Tell whether the request is an API call."""
    return request.path.startswith("/api/")


def handle_http_error(error: HTTPException):
    """Answer an HTTP error in the format the client reads."""
    if wants_json():
        return http_error_response(error)
    status = error.code or 500
    if status == 413 and request.endpoint == "student.submit" and current_user.is_authenticated:
        from grader.student.views import oversized_upload

        return oversized_upload(request.view_args["slug"])
    if isinstance(error, CSRFError):
        message = "Your form expired or did not come from this site. Reload the page and retry."
    elif status == 413:
        limit = current_app.config["MAX_UPLOAD_BYTES"] // 1024
        message = f"That upload is too large: the limit is {limit} KiB."
    elif status == 429:
        return too_many(error)
    else:
        message = EXPLANATIONS.get(status, error.description)
    page = render_template("errors/error.html", status=status, name=error.name, message=message)
    response = current_app.make_response((page, status))
    carry_headers(error, response)
    return response


def too_many(error: HTTPException):
    """Answer a broken rate limit: which one (when it says), and when every one lets you by."""
    limit = getattr(error, "limit", None)  # Flask-Limiter's RateLimitExceeded names it
    reason = getattr(limit, "error_message", None)
    reason = reason if isinstance(reason, str) else "Too many attempts"
    wait = seconds_until_allowed()
    message = (f"{reason}; try again in {in_words(wait)}." if wait
               else f"{reason}. Wait a little and try again.")
    page = render_template("errors/error.html", status=429, name=error.name, message=message)
    return page, 429, ({"Retry-After": str(wait)} if wait else {})


def in_words(seconds: int) -> str:
    """Say a wait the way a person would: in whole minutes, rounded up."""
    if seconds < 60:
        return "less than a minute"
    minutes = math.ceil(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def handle_unexpected(error: Exception):
    """Answer an unexpected exception with a 500 (details go to the log, not the client)."""
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
