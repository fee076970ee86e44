"""Student pages: assignments, submitting, live feedback and history."""

from grader.student.views import bp

__all__ = ["bp"]
