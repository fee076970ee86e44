"""The autograder: the web service (grader/app.py) and the grading core (grader/grading).

Importing this package loads nothing: the grading core must stand without Flask, so the
factory's Flask import happens only when an app is built. docs/architecture.md maps the house.
"""

from __future__ import annotations


def create_app(test_config: dict | None = None):
    """Create and configure the Flask app (found here by `flask --app grader`)."""
    from grader.app import create_app as build

    return build(test_config)
