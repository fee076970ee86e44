"""The web service: create_app builds the Flask app, its extensions, blueprints and queue."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.routing import IntegerConverter

# The largest row id: the tables' keys are INTEGER, 32-bit signed on PostgreSQL.
LARGEST_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in our URLs is a row id: one past the largest is no page (404), where the
    database would refuse the lookup (a server error)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Flask app."""
    app = Flask(__name__, instance_relative_config=True)
    from grader.json_provider import StrictJSONProvider

    app.json = StrictJSONProvider(app)
    app.url_map.converters["int"] = RowIdConverter
    if os.environ.get("GRADER_INSTANCE_PATH"):
        app.instance_path = os.path.abspath(os.environ["GRADER_INSTANCE_PATH"])
    os.makedirs(app.instance_path, exist_ok=True)

    from grader.config import from_environment

    app.config.from_mapping(from_environment(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)

    from grader import db, errors, security
    from grader.extensions import csrf, limiter, login_manager

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from grader import auth, demo, instructor, student
    from grader.api import bp as api_bp
    from grader.lti import bp as lti_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(student.bp)
    app.register_blueprint(instructor.bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with cookies
    app.register_blueprint(lti_bp)
    # The LMS posts the login and the launch (signed, with state and nonce); the one form of
    # ours there (deep linking) checks its CSRF token itself.
    csrf.exempt(lti_bp)
    demo.init_app(app)

    from grader import queue

    queue.init_app(app)
    return app
