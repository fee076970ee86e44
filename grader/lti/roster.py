"""The LMS course's roster (NRPS) brought here: members created or updated, leavers deactivated.

A member the LMS lists as Active gets (or keeps) an account, named and roled from the roster;
one it lists as Inactive, or no longer lists, leaves the course here: its enrolment ends, and an
account the LMS made (not a linked local one) is disabled when it is in no other LMS course.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.names_roles import NamesRolesProvisioningService
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.login_sessions import end_all
from grader.lti.accounts import Person, account_for, enrol
from grader.lti.http import lms_session
from grader.lti.passback import call_lms
from grader.lti.registrations import to_registration
from grader.models import LtiContext, LtiEnrolment, LtiIdentity, utcnow


class RosterUnavailable(ValueError):
    """The course has no roster service (it was never launched with one)."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.deactivated)} deactivated")


def members(session: Session, context: LtiContext) -> list[dict]:
    """Every member the LMS lists for context (all pages)."""
    if not context.memberships_url:
        raise RosterUnavailable(f"the LMS course {context.title or context.context_id!r} has "
                                "no roster service: launch the tool from it first")
    connector = FlaskServiceConnector(to_registration(session, context.platform), lms_session())
    service = NamesRolesProvisioningService(
        connector, {"context_memberships_url": context.memberships_url})
    return call_lms(service.get_members)


def sync(session: Session, context: LtiContext) -> SyncReport:
    """Bring the roster of context here (committed); raises LmsUnavailable when the LMS is
    down, RosterUnavailable when the course has no roster service."""
    listed = members(session, context)
    report = SyncReport()
    present: set[int] = set()
    for member in listed:
        if member.get("status", "Active") != "Active":
            continue
        person = Person.from_member(member)
        new = session.scalar(select(LtiIdentity).where(
            LtiIdentity.platform_id == context.platform_id,
            LtiIdentity.subject == person.subject)) is None
        user = account_for(session, context.platform, person)
        enrol(session, context, user, person.role)
        session.flush()
        present.add(user.id)
        (report.created if new else report.updated).append(user.username)
    for enrolment in session.scalars(select(LtiEnrolment).where(
            LtiEnrolment.context_id == context.id, LtiEnrolment.active.is_(True))):
        if enrolment.user_id in present:
            continue
        enrolment.active = False
        report.deactivated.append(enrolment.user.username)
        deactivate_if_gone(session, enrolment)
    context.roster_synced_at = utcnow()
    session.commit()
    return report


def deactivate_if_gone(session: Session, enrolment: LtiEnrolment) -> None:
    """Disable an account the LMS made once it is in no LMS course any more."""
    made_here = session.scalar(select(LtiIdentity).where(
        LtiIdentity.user_id == enrolment.user_id, LtiIdentity.created_here.is_(True)))
    still_in = session.scalar(select(LtiEnrolment.id).where(
        LtiEnrolment.user_id == enrolment.user_id, LtiEnrolment.active.is_(True),
        LtiEnrolment.id != enrolment.id).limit(1))
    if made_here is not None and still_in is None and enrolment.user.disabled_at is None:
        enrolment.user.disabled_at = utcnow()
        end_all(session, enrolment.user)
