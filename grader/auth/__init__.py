"""Logging in and out, and personal API tokens."""

from grader.auth.views import bp

__all__ = ["bp"]
