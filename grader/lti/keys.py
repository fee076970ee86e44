"""The tool's RSA key pair: made once, stored, rotatable; its public half is /lti/jwks.

The newest unretired key signs (service tokens, deep-linking responses). A retired key stays
in the key set for RETIRED_KEY_GRACE, so that an LMS that cached the set, or a message
signed just before a rotation, still verifies.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.models import LtiToolKey, utcnow

KEY_BITS = 2048
RETIRED_KEY_GRACE = timedelta(days=2)


def new_key() -> LtiToolKey:
    """Make a key pair (not yet stored)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return LtiToolKey(kid=secrets.token_hex(16), private_pem=pem, created_at=utcnow())


def signing_key(session: Session) -> LtiToolKey:
    """Return the key that signs, making the first one if there is none (committed)."""
    key = session.scalar(select(LtiToolKey).where(LtiToolKey.retired_at.is_(None))
                         .order_by(LtiToolKey.id.desc()).limit(1))
    if key is not None:
        return key
    key = new_key()
    session.add(key)
    try:
        session.commit()
    except IntegrityError:  # pragma: no cover - two processes made one at once: keep theirs
        session.rollback()
    return signing_key(session)


def rotate(session: Session) -> LtiToolKey:
    """Retire the signing key(s) and make a new one (committed)."""
    now = utcnow()
    for key in session.scalars(select(LtiToolKey).where(LtiToolKey.retired_at.is_(None))):
        key.retired_at = now
    key = new_key()
    session.add(key)
    session.commit()
    return key


def public_jwk(key: LtiToolKey) -> dict:
    """Return the public half of key as a JWK (RS256, for signatures)."""
    jwk = JWK.from_pem(key.private_pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"kid": key.kid, "alg": "RS256", "use": "sig"})
    return public


def published(session: Session) -> dict:
    """Return the key set /lti/jwks serves: unretired keys, and those retired lately."""
    signing_key(session)
    since = utcnow() - RETIRED_KEY_GRACE
    keys = session.scalars(
        select(LtiToolKey)
        .where(LtiToolKey.retired_at.is_(None) | (LtiToolKey.retired_at > since))
        .order_by(LtiToolKey.id.desc())
    )
    return {"keys": [public_jwk(key) for key in keys]}
