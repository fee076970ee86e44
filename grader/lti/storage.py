"""pylti1p3's launch storage (state, nonce, launch data) in the database.

A login starts in one web process and its launch may finish in another, and the LMS's frame may
block the cookies a session would need, so the values live in lti_launch_values with an
expiry. A nonce is taken (deleted) when its launch is checked: a replayed launch finds none.
"""

from __future__ import annotations

from datetime import timedelta

from pylti1p3.contrib.flask import FlaskCacheDataStorage
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.models import LtiLaunchValue, utcnow

DEFAULT_LIFETIME = 3600  # seconds; a login's state and nonce are meant for minutes


class DatabaseCache:
    """The get/set interface pylti1p3's cache storage expects, on lti_launch_values."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, key: str):
        row = self.session.get(LtiLaunchValue, key)
        if row is None or row.expires_at <= utcnow():
            return None
        return row.value

    def set(self, key: str, value, exp: int | None = None) -> None:
        expires = utcnow() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        self.session.execute(delete(LtiLaunchValue).where(LtiLaunchValue.expires_at <= utcnow()))
        row = self.session.get(LtiLaunchValue, key)
        if row is None:
            self.session.add(LtiLaunchValue(key=key, value=value, expires_at=expires))
        else:
            row.value, row.expires_at = value, expires
        try:
            self.session.commit()
        except IntegrityError:  # the same key written at once elsewhere: theirs stands
            self.session.rollback()

    def take(self, key: str) -> bool:
        """Delete key; True only for the one caller that deleted an unexpired value."""
        taken = self.session.execute(
            delete(LtiLaunchValue).where(LtiLaunchValue.key == key,
                                         LtiLaunchValue.expires_at > utcnow())
        ).rowcount == 1
        self.session.commit()
        return taken


class DatabaseLaunchStorage(FlaskCacheDataStorage):
    """pylti1p3's Flask cache storage over DatabaseCache, able to take a nonce once."""

    def __init__(self, session: Session):
        super().__init__(DatabaseCache(session))

    def take_value(self, key: str) -> bool:
        """Delete key (as pylti1p3 names it); True when it was there."""
        return self._cache.take(self._prepare_key(key))
