"""The service's tables: accounts, tokens, submissions and their gradings."""

from grader.models.base import Base, utcnow
from grader.models.submission import Grading, GradingStatus, Status, Submission
from grader.models.user import ApiToken, Role, User, hash_token

__all__ = [
    "ApiToken",
    "Base",
    "Grading",
    "GradingStatus",
    "Role",
    "Status",
    "Submission",
    "User",
    "hash_token",
    "utcnow",
]
