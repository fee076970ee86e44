"""Grading: run a submission in the sandbox, judge each case, and write the result document."""

from grader.assignments import UnknownAssignment

from .pipeline import SystemGradingError, grade_submission
from .results import student_view

__all__ = ["SystemGradingError", "UnknownAssignment", "grade_submission", "student_view"]
