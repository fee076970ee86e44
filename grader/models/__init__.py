"""The service's tables: accounts, logins, tokens, submissions, gradings, course decisions."""

from grader.models.base import Base, utcnow
from grader.models.course import AssignmentPolicy, AuditEntry, Extension, RegradeBatch
from grader.models.lti import (
    LtiContext,
    LtiEnrolment,
    LtiGradePost,
    LtiIdentity,
    LtiLaunchValue,
    LtiLineItem,
    LtiPlatform,
    LtiToolKey,
)
from grader.models.rules import (
    Accommodation,
    Group,
    GroupMember,
    GroupSize,
    LateDayAllowance,
    LateDayBank,
    LateDayGrant,
    PointsAdjustment,
    RegradeRequest,
)
from grader.models.submission import Grading, GradingStatus, Status, Submission
from grader.models.user import ApiToken, LoginSession, Role, User, hash_token

__all__ = [
    "Accommodation",
    "Group",
    "GroupMember",
    "GroupSize",
    "LateDayAllowance",
    "LateDayBank",
    "LateDayGrant",
    "PointsAdjustment",
    "RegradeRequest",
    "ApiToken",
    "AssignmentPolicy",
    "AuditEntry",
    "Extension",
    "RegradeBatch",
    "Base",
    "Grading",
    "GradingStatus",
    "LoginSession",
    "LtiContext",
    "LtiEnrolment",
    "LtiGradePost",
    "LtiIdentity",
    "LtiLaunchValue",
    "LtiLineItem",
    "LtiPlatform",
    "LtiToolKey",
    "Role",
    "Status",
    "Submission",
    "User",
    "hash_token",
    "utcnow",
]
