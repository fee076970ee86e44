"""JSON error bodies for the API: {"error": {"code", "message"}} with the HTTP status."""

from __future__ import annotations

from flask import current_app, jsonify
from werkzeug.exceptions import HTTPException

# A stable, machine-readable code for each HTTP status the API answers with.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_response(status: int, message: str, code: str | None = None):
    """Build a JSON error response."""
    response = jsonify(error={"code": code or CODES.get(status, "error"), "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="autograder"'
    return response


def http_error_response(error: HTTPException):
    """Turn a werkzeug HTTP error into the API's JSON error."""
    status = error.code or 500
    message = error.description or error.name
    if status == 413:
        limit = current_app.config["MAX_UPLOAD_BYTES"]
        message = f"The request is too large: the file limit is {limit} bytes."
    if status == 429:
        message = f"Too many requests: the limit is {error.description}. Try again later."
    response = error_response(status, message)
    carry_headers(error, response)
    if status == 429 and error.response is not None:
        # Keep Flask-Limiter's Retry-After and X-RateLimit headers.
        for name in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                     "X-RateLimit-Reset"):
            if name in error.response.headers:
                response.headers[name] = error.response.headers[name]
    return response


def carry_headers(error: HTTPException, response) -> None:
    """Keep the headers the error itself sets (a 405's Allow, RFC 9110) on a response in
    another format: only its body is replaced."""
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
