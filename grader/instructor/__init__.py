"""Instructor pages: the landing page listing everyone's submissions."""

from grader.instructor.views import bp

__all__ = ["bp"]
