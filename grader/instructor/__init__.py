"""Instructor pages: submissions, dashboards, policy, late days, accommodations, regrades,
people, exports, audit.

A page module is named `*_pages` where a service of the same idea lives in grader/ (policy_pages
shows and edits what grader.policy applies; likewise regrade, audit and similarity).
"""

# Each module adds its routes to bp when imported: a module left out of this list serves
# nothing, and tests/web/test_routes_covered.py fails naming its views.
from grader.instructor import (  # noqa: F401
    accommodation_pages,
    audit_pages,
    dashboard,
    exports,
    late_day_pages,
    lti_pages,
    misconception_pages,
    people,
    policy_pages,
    regrade_pages,
    regrade_request_pages,
    similarity_pages,
)
from grader.instructor.views import bp

__all__ = ["bp"]
