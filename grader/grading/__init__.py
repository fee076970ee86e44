"""Grading: run a submission in the sandbox, judge each case, and write the result document."""

from grader.assignments import UnknownAssignment

from .budget import Budget
from .pipeline import SystemGradingError, grade_submission
from .results import student_view

__all__ = ["Budget", "SystemGradingError", "UnknownAssignment", "grade_submission",
           "student_view"]
