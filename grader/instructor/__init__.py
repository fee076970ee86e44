"""Instructor pages: submissions, dashboards, policy, regrades, people, exports, audit."""

from grader.instructor import (  # noqa: F401  (each module adds its routes to bp)
    audit,
    dashboard,
    exports,
    people,
    policy,
    regrades,
    similar,
)
from grader.instructor.views import bp

__all__ = ["bp"]
