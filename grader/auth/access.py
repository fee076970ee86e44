"""Route guards and the rule of who may see a submission."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from grader.db import get_session
from grader.groups import is_member
from grader.models import Submission, User


def instructor_required(view):
    """Let only logged-in instructors through; students get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def can_view(user: User, submission: Submission) -> bool:
    """Tell whether user may see submission: its owner, the confirmed members of the group it
    was handed in for, and instructors."""
    if user.is_instructor or submission.user_id == user.id:
        return True
    return submission.group_id is not None and is_member(get_session(), user,
                                                         submission.group_id)
