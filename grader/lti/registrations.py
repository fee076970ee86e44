"""The platforms (LMS registrations) this tool trusts, and pylti1p3's view of them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.lti import keys
from grader.models import LtiPlatform


class RegistrationError(ValueError):
    """A registration that cannot be stored as given; the message says why."""


@dataclass(frozen=True)
class PlatformFields:
    """What an LMS tells its administrator when the tool is registered there."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    token_url: str
    jwks_url: str

    def check(self) -> None:
        """Refuse empty values and URLs that are not http(s)."""
        for name in ("issuer", "client_id"):
            if not getattr(self, name).strip():
                raise RegistrationError(f"{name} must not be empty")
        if not [d for d in self.deployment_ids if d.strip()]:
            raise RegistrationError("give at least one deployment id")
        for name in ("auth_login_url", "token_url", "jwks_url"):
            value = getattr(self, name)
            url = urlparse(value)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise RegistrationError(f"{name} must be an http(s) URL, not {value!r}")


def add_platform(session: Session, fields: PlatformFields) -> LtiPlatform:
    """Register a platform, or add deployment ids to the same issuer and client id (the caller
    commits)."""
    fields.check()
    row = session.scalar(select(LtiPlatform).where(LtiPlatform.issuer == fields.issuer,
                                                   LtiPlatform.client_id == fields.client_id))
    deployments = [d.strip() for d in fields.deployment_ids if d.strip()]
    if row is None:
        row = LtiPlatform(issuer=fields.issuer, client_id=fields.client_id, deployment_ids=[])
        session.add(row)
    row.deployment_ids = sorted(set(row.deployment_ids or []) | set(deployments))
    row.auth_login_url, row.token_url, row.jwks_url = (
        fields.auth_login_url, fields.token_url, fields.jwks_url)
    return row


def all_platforms(session: Session) -> list[LtiPlatform]:
    """Every registration, oldest first."""
    return list(session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def find(session: Session, issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The registration of issuer (and client id, when one issuer has several)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    rows = session.scalars(query.order_by(LtiPlatform.id)).all()
    return rows[0] if len(rows) == 1 else None


class ToolRegistration(Registration):
    """pylti1p3's Registration whose tokens name the key that signed them (its own guess from
    the public key has no kid, and platforms pick our key by kid)."""

    kid: str | None = None

    def get_kid(self) -> str | None:
        return self.kid


def to_registration(session: Session, row: LtiPlatform) -> Registration:
    """Build pylti1p3's Registration of row, signed with the tool's current key."""
    key = keys.signing_key(session)
    registration = ToolRegistration()
    registration.kid = key.kid
    return (registration
            .set_issuer(row.issuer)
            .set_client_id(row.client_id)
            .set_auth_login_url(row.auth_login_url)
            .set_auth_token_url(row.token_url)
            .set_key_set_url(row.jwks_url)
            .set_tool_private_key(key.private_pem))


class DatabaseToolConf(ToolConfAbstract):
    """pylti1p3's tool configuration, read from lti_platforms (several client ids per issuer)."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        row = find(self.session, iss, None)
        return to_registration(self.session, row) if row else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        row = find(self.session, iss, client_id)
        return to_registration(self.session, row) if row else None

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        row = find(self.session, iss, client_id)
        if row is None or deployment_id not in (row.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)
