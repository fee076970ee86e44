"""A launch as pylti1p3 checks it, with what this tool adds: a nonce used once, a little clock
skew, the platform's keys cached (fetched again when a new key appears), timeouts."""

from __future__ import annotations

import hashlib

import jwt
from flask import current_app
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import (
    LtiInvalidNonceException,
    LtiKeyException,
    LtiMessageValidationException,
)
from sqlalchemy.orm import Session

from grader.lti.http import lms_session
from grader.lti.registrations import DatabaseToolConf
from grader.lti.storage import DatabaseLaunchStorage

KEY_CACHE_SECONDS = 3600  # the platform's key set is fetched at most this often...
# ...unless a launch names a key the cached set lacks (the platform rotated): then once more.


class ToolLaunch(FlaskMessageLaunch):
    """pylti1p3's Flask launch, stricter on replays and kinder to clocks a little apart."""

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LtiMessageValidationException('The "nonce" field is empty.')
        storage = self._session_service.data_storage
        # The login stored the nonce; the first launch carrying it takes it, a replay finds none.
        if not storage.take_value(self._session_service._get_key("nonce", nonce)):
            raise LtiInvalidNonceException("This launch was used already, or its login expired.")
        return self

    def validate_jwt_signature(self):
        public_key, key_alg = self.get_public_key()
        try:
            jwt.decode(self._get_id_token(), public_key, algorithms=[key_alg],
                       options=self._jwt_verify_options,
                       leeway=current_app.config["LTI_CLOCK_SKEW_SECONDS"])
        except jwt.InvalidTokenError as error:
            raise LtiMessageValidationException(f"Can't decode id_token: {error}") from error
        return self

    def get_public_key(self):
        try:
            return super().get_public_key()
        except LtiKeyException:
            cache = self._public_key_cache_data_storage
            if cache is None:
                raise
            # Maybe the platform has a new key our cached set lacks: ask it once more.
            cache._cache.take(self._key_cache_key())
            self._registration.set_key_set(None)
            return super().get_public_key()

    def _key_cache_key(self) -> str:
        """The cache key pylti1p3 keeps the platform's key set under (fetch_public_key)."""
        url = self._registration.get_key_set_url()
        return "lti1p3-key-set-url-" + hashlib.md5(url.encode()).hexdigest()


def storage_for(session: Session) -> DatabaseLaunchStorage:
    return DatabaseLaunchStorage(session)


def oidc_login(session: Session) -> FlaskOIDCLogin:
    """The OIDC login of the request being served."""
    return FlaskOIDCLogin(FlaskRequest(), DatabaseToolConf(session),
                          launch_data_storage=storage_for(session))


def message_launch(session: Session) -> ToolLaunch:
    """The launch of the request being served (validated when its data is first read)."""
    storage = storage_for(session)
    launch = ToolLaunch(FlaskRequest(), DatabaseToolConf(session), launch_data_storage=storage,
                        requests_session=lms_session())
    launch.set_public_key_caching(storage, cache_lifetime=KEY_CACHE_SECONDS)
    return launch


def restored_launch(session: Session, launch_id: str) -> ToolLaunch:
    """A launch validated earlier, from its stored data (for deep linking's second step)."""
    storage = storage_for(session)
    return ToolLaunch.from_cache(launch_id, FlaskRequest(), DatabaseToolConf(session),
                                 launch_data_storage=storage, requests_session=lms_session())
