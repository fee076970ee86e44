"""Who a person of an LMS is here: (issuer, subject) mapped to an account, made on first sight
from the claims; LMS roles mapped to ours; an LMS course and its memberships remembered."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.models import (
    LtiContext,
    LtiEnrolment,
    LtiIdentity,
    LtiPlatform,
    Role,
    User,
    utcnow,
)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NO_PASSWORD = "!"  # no password hash matches it: the LMS is the only way in (or a reset)
# Context (membership) roles that make an instructor here; every other role is a student's.
INSTRUCTOR_ROLES = {"Instructor", "TeachingAssistant"}
MEMBERSHIP_VOCABULARY = "http://purl.imsglobal.org/vocab/lis/v2/membership"


class LinkError(ValueError):
    """An account or an LMS person that is linked already."""


@dataclass(frozen=True)
class Person:
    """An LMS person as a launch's claims or a roster's member describe them."""

    subject: str
    name: str | None
    email: str | None
    roles: tuple[str, ...]

    @classmethod
    def from_launch(cls, claims: dict) -> Person:
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part)
        return cls(str(claims["sub"]), name or None, claims.get("email"),
                   tuple(claims.get(CLAIM + "roles") or ()))

    @classmethod
    def from_member(cls, member: dict) -> Person:
        name = member.get("name") or " ".join(
            part for part in (member.get("given_name"), member.get("family_name")) if part)
        return cls(str(member["user_id"]), name or None, member.get("email"),
                   tuple(member.get("roles") or ()))

    @property
    def role(self) -> Role:
        return role_for(self.roles)


def role_for(roles) -> Role:
    """Instructor for the course's Instructor or TeachingAssistant roles, student otherwise.

    Only context roles count (the membership vocabulary or its short names): an institution
    role such as "Instructor" of the whole university says nothing about this course.
    """
    for role in roles:
        if "#" in role and not role.startswith(MEMBERSHIP_VOCABULARY):
            continue
        if role.rsplit("#", 1)[-1].rsplit("/", 1)[-1] in INSTRUCTOR_ROLES:
            return Role.INSTRUCTOR
    return Role.STUDENT


def free_username(session: Session, person: Person, platform: LtiPlatform) -> str:
    """An unused username from the email's local part, else from the subject."""
    local = (person.email or "").split("@")[0].lower()
    base = re.sub(r"[^a-z0-9._-]", "", local)[:48]
    if not base:
        base = "lti-" + hashlib.sha256(f"{platform.issuer}|{person.subject}".encode()
                                       ).hexdigest()[:12]
    name, n = base, 1
    while User.by_username(session, name) is not None:
        n += 1
        name = f"{base}-{n}"
    return name


def identity_of(session: Session, platform: LtiPlatform, subject: str) -> LtiIdentity | None:
    return session.scalar(select(LtiIdentity).where(LtiIdentity.platform_id == platform.id,
                                                    LtiIdentity.subject == subject))


def account_for(session: Session, platform: LtiPlatform, person: Person) -> User:
    """The account of person: found by (issuer, subject), updated from what the LMS says now,
    or made now (no password). The caller commits."""
    identity = identity_of(session, platform, person.subject)
    if identity is None:
        user = User(username=free_username(session, person, platform),
                    password_hash=NO_PASSWORD, role=person.role)
        session.add(user)
        identity = LtiIdentity(platform_id=platform.id, subject=person.subject, user=user,
                               created_here=True, linked_at=utcnow())
        session.add(identity)
    user = identity.user
    if person.name:
        user.name = person.name
    if person.email:
        user.email = person.email
    if identity.created_here:  # the LMS decides these accounts' role and whether they may log in
        user.role = person.role
        user.disabled_at = None
    return user


def link(session: Session, platform: LtiPlatform, subject: str, user: User) -> LtiIdentity:
    """Link an existing local account to an LMS person, once (the caller commits)."""
    if identity_of(session, platform, subject) is not None:
        raise LinkError(f"the LMS person {subject!r} is linked to an account already")
    if session.scalar(select(LtiIdentity).where(LtiIdentity.platform_id == platform.id,
                                                LtiIdentity.user_id == user.id)) is not None:
        raise LinkError(f"{user.username} is linked to someone of this LMS already")
    identity = LtiIdentity(platform_id=platform.id, subject=subject, user=user,
                           created_here=False, linked_at=utcnow())
    session.add(identity)
    return identity


def context_of(session: Session, platform: LtiPlatform, claims: dict) -> LtiContext | None:
    """The LMS course a launch comes from, its service URLs brought up to date."""
    context_claim = claims.get(CLAIM + "context") or {}
    if not context_claim.get("id"):
        return None
    context = session.scalar(select(LtiContext).where(
        LtiContext.platform_id == platform.id, LtiContext.context_id == context_claim["id"]))
    if context is None:
        context = LtiContext(platform_id=platform.id, context_id=context_claim["id"],
                             ags_scopes=[])
        session.add(context)
    context.title = context_claim.get("title") or context.title
    nrps = claims.get("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice") or {}
    context.memberships_url = nrps.get("context_memberships_url") or context.memberships_url
    ags = claims.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint") or {}
    if ags.get("lineitems"):
        context.lineitems_url = ags["lineitems"]
        context.ags_scopes = list(ags.get("scope") or [])
    return context


def enrol(session: Session, context: LtiContext, user: User, role: Role) -> LtiEnrolment:
    """Record that user is (again) a member of context with role (the caller commits)."""
    enrolment = session.scalar(select(LtiEnrolment).where(
        LtiEnrolment.context_id == context.id, LtiEnrolment.user_id == user.id))
    if enrolment is None:
        enrolment = LtiEnrolment(context=context, user=user, role=role, active=True)
        session.add(enrolment)
    enrolment.role, enrolment.active = role, True
    return enrolment
