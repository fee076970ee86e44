"""The audit trail: who changed a policy, an extension, the late days or an accommodation,
regraded, imported, disabled."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from grader.models import AuditEntry, User

# Every action recorded, with how the audit page words it.
ACTIONS = {
    "policy.update": "changed the policy of",
    "policy.reset": "reset to the manifest the policy of",
    "extension.grant": "granted an extension on",
    "extension.revoke": "revoked an extension on",
    "regrade.start": "started a regrade of",
    "late_days.update": "changed the late-day bank of",
    "late_days.grant": "granted late days to",
    "accommodation.grant": "set a standing accommodation for",
    "accommodation.revoke": "ended the standing accommodation of",
    "groups.update": "changed the largest group of",
    "regrade_request.open": "asked for a review of a test on",
    "regrade_request.answer": "answered a regrade request of",
    "roster.import": "imported a roster into",
    "user.disable": "disabled",
    "user.enable": "enabled",
    "user.reset_password": "reset the password of",
    "lti.rotate_key": "rotated the LTI signing key of",
    "lti.roster_sync": "synced from the LMS the roster of",
}


def record(session: Session, actor: User | None, action: str, target: str,
           **details: Any) -> AuditEntry:
    """Add an entry to the session (the caller commits it with the change it describes)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(actor=actor, action=action, target=target, details=details)
    session.add(entry)
    return entry
