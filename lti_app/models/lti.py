"""LTI registration tables (platforms, deployments, tool keys, used nonces, login states, launches).

Owned by the LTI layer. Everything the protocol needs between requests lives here, never in the
cookie session: an LMS iframe may drop cookies, and a launch must be auditable afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.extensions import db

__all__ = ["LtiDeployment", "LtiLaunch", "LtiLoginState", "LtiPlatform", "LtiToolKey", "LtiUsedNonce"]


def utcnow() -> datetime:
    # Naive UTC: SQLite drops tzinfo anyway, so store naive UTC everywhere and compare like with like.
    return datetime.now(UTC).replace(tzinfo=None)


class LtiPlatform(db.Model):
    """One registration of this tool on a platform: (issuer, client_id) is unique."""

    __tablename__ = "lti_platforms"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    auth_login_url: Mapped[str] = mapped_column(sa.String(1024))
    auth_token_url: Mapped[str] = mapped_column(sa.String(1024))
    key_set_url: Mapped[str] = mapped_column(sa.String(1024))
    audience: Mapped[str | None] = mapped_column(sa.String(1024), nullable=True)
    # "canvas", "moodle" or "generic": known at registration time for dynamic registration, else guessed.
    platform_family: Mapped[str] = mapped_column(sa.String(32), default="generic")
    # Cached platform JWKS (refetched once on an unknown kid).
    key_set: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    key_set_fetched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id"
    )


class LtiDeployment(db.Model):
    __tablename__ = "lti_deployments"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployments_platform_dep"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiToolKey(db.Model):
    """The tool's RSA signing keys. One ``active`` key signs; ``previous`` keys are still published in the
    JWKS so tokens signed before a rotation keep verifying; ``retired`` keys are no longer published."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(128), unique=True)
    private_pem: Mapped[str] = mapped_column(sa.Text)
    public_jwk: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(nullable=True)


class LtiLoginState(db.Model):
    """An OIDC login in flight: the state we sent, its nonce and the login parameters (to offer the
    open-in-new-window path when the browser dropped the state cookie). Deleted by a successful launch."""

    __tablename__ = "lti_login_states"

    state: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(128))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    login_params: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiUsedNonce(db.Model):
    """Nonces of accepted launches. The unique constraint makes a concurrent replay fail at commit."""

    __tablename__ = "lti_used_nonces"
    __table_args__ = (sa.UniqueConstraint("issuer", "nonce", name="uq_lti_used_nonces_issuer_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    nonce: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LtiLaunch(db.Model):
    """A validated launch, keyed by a random ``launch_id`` the pages carry instead of a cookie session."""

    __tablename__ = "lti_launches"

    launch_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    message_type: Mapped[str] = mapped_column(sa.String(64))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    deployment_id: Mapped[str] = mapped_column(sa.String(255))
    user_sub: Mapped[str] = mapped_column(sa.String(255))
    # LaunchContext.to_dict() for resource links; deep-linking settings + user for deep-linking requests.
    data: Mapped[dict] = mapped_column(sa.JSON)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    consumed_at: Mapped[datetime | None] = mapped_column(nullable=True)
