"""Partners: groups of students on one assignment, formed with each member's confirmation.

An assignment takes groups when an instructor sets its largest group size (`group_sizes`).
A student invites another by username (a group is created around the first invitation, its
inviter in it); the invited student confirms or declines. A submission handed in by a
confirmed member carries the group (`submissions.group_id`, set by grader.submissions), so it
is every confirmed member's: they all see it, and each member's counted grade
(grader.grades) chooses among their own submissions and their group's, under their own
policy and late days. Partners are not flagged to each other as similar.

A member may leave, and an invitation may be declined, until the group hands something in;
after that the group is fixed (an instructor can still grade each member on their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from grader.models import Group, GroupMember, GroupSize, Submission, User, utcnow


@dataclass
class Refused(Exception):
    """A group change that cannot be made; the message says why."""

    message: str

    def __str__(self) -> str:
        return self.message


def max_size(session: Session, slug: str) -> int:
    """The largest group the assignment takes (1: students work alone)."""
    row = session.scalar(select(GroupSize).where(GroupSize.assignment_slug == slug))
    return row.max_size if row else 1


def membership(session: Session, user: User, slug: str) -> GroupMember | None:
    """The student's place in a group on the assignment, invited or confirmed, if any."""
    return session.scalar(select(GroupMember).where(GroupMember.assignment_slug == slug,
                                                    GroupMember.user_id == user.id))


def confirmed_groups(session: Session, slug: str, user_ids: list[int]) -> dict[int, int]:
    """The group id of each of the students who is a confirmed member of one on slug."""
    if not user_ids:
        return {}
    return dict(session.execute(
        select(GroupMember.user_id, GroupMember.group_id)
        .where(GroupMember.assignment_slug == slug, GroupMember.user_id.in_(user_ids),
               GroupMember.confirmed_at.is_not(None))).all())


def group_for(session: Session, user: User, slug: str) -> int | None:
    """The group a submission of user on slug is handed in for (None: their own)."""
    return confirmed_groups(session, slug, [user.id]).get(user.id)


def is_member(session: Session, user: User, group_id: int) -> bool:
    """Tell whether user is a confirmed member of the group."""
    return session.scalar(select(GroupMember.id).where(
        GroupMember.group_id == group_id, GroupMember.user_id == user.id,
        GroupMember.confirmed_at.is_not(None))) is not None


def theirs(user: User, group_id: int | None) -> ColumnElement[bool]:
    """The condition selecting user's submissions and, with group_id, their group's."""
    own = Submission.user_id == user.id
    return own if group_id is None else or_(own, Submission.group_id == group_id)


def partner_pairs(session: Session, slug: str) -> set[frozenset[int]]:
    """Every pair of confirmed partners on slug, as sets of two user ids."""
    by_group: dict[int, list[int]] = {}
    for user_id, group_id in session.execute(
            select(GroupMember.user_id, GroupMember.group_id)
            .where(GroupMember.assignment_slug == slug, GroupMember.confirmed_at.is_not(None))):
        by_group.setdefault(group_id, []).append(user_id)
    return {frozenset((a, b)) for members in by_group.values()
            for a in members for b in members if a < b}


def invite(session: Session, inviter: User, slug: str, username: str) -> GroupMember:
    """Invite a student into the inviter's group on slug (created if need be); committed."""
    most = max_size(session, slug)
    if most < 2:
        raise Refused("This assignment is done alone: it takes no groups.")
    invitee = User.by_username(session, username)
    if invitee is None or invitee.is_instructor:
        raise Refused(f"No student called {username.strip()!r}.")
    if invitee.id == inviter.id:
        raise Refused("You are in your own group already: invite a partner.")
    mine = membership(session, inviter, slug)
    if mine is not None and mine.confirmed_at is None:
        raise Refused("Confirm or decline your own invitation first.")
    if membership(session, invitee, slug) is not None:
        raise Refused(f"{invitee.username} is already in a group, or invited to one, on this "
                      "assignment.")
    if mine is None:
        group = Group(assignment_slug=slug, created_by_id=inviter.id)
        mine = GroupMember(group=group, user=inviter, assignment_slug=slug,
                           confirmed_at=utcnow())
        session.add_all([group, mine])
    if len(mine.group.members) >= most:
        raise Refused(f"A group on this assignment has at most {most} students, invitations "
                      "included.")
    invited = GroupMember(group=mine.group, user=invitee, assignment_slug=slug,
                          invited_by_id=inviter.id)
    session.add(invited)
    session.commit()
    return invited


def confirm(session: Session, user: User, slug: str) -> GroupMember:
    """Accept the student's invitation on slug; committed."""
    mine = membership(session, user, slug)
    if mine is None or mine.confirmed_at is not None:
        raise Refused("You have no invitation to confirm on this assignment.")
    mine.confirmed_at = utcnow()
    session.commit()
    return mine


def leave(session: Session, user: User, slug: str) -> None:
    """Decline the student's invitation, or leave their group before it hands anything in."""
    mine = membership(session, user, slug)
    if mine is None:
        raise Refused("You are in no group on this assignment.")
    handed_in = session.scalar(select(Submission.id).where(Submission.group_id == mine.group_id))
    if mine.confirmed_at is not None and handed_in is not None:
        raise Refused("Your group has handed in work: it stays as it is. Ask your instructor.")
    group = mine.group
    group.members.remove(mine)  # the cascade deletes the row
    session.flush()
    if handed_in is None and not any(member.confirmed_at for member in group.members):
        session.delete(group)  # no one left to hand in for it: its invitations go with it
    session.commit()


def groups_on(session: Session, slug: str) -> list[Group]:
    return session.scalars(select(Group).where(Group.assignment_slug == slug)
                           .order_by(Group.id)).all()


def member_names(session: Session, group_id: int | None) -> list[str] | None:
    """The usernames of the group's confirmed members (None: no group)."""
    if group_id is None:
        return None
    return list(session.scalars(
        select(User.username).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group_id, GroupMember.confirmed_at.is_not(None))
        .order_by(User.username)))
