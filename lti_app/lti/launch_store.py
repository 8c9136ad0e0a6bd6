"""Server-side launch records keyed by a random ``launch_id`` (never the cookie session)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import Delete, Insert, bindparam, delete, insert
from sqlalchemy.exc import IntegrityError

from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.lti.errors import LtiError
from lti_app.models.lti import LtiLaunch, LtiLoginState, LtiUsedNonce, utcnow

RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
# A simulation can take a working day; a deep-linking picker session is short.
LIFETIMES = {RESOURCE_LINK: timedelta(hours=12), DEEP_LINKING: timedelta(hours=1)}


@dataclass(frozen=True)
class DeepLinkSession:
    launch_id: str
    csrf_token: str
    issuer: str
    client_id: str
    deployment_id: str
    user_sub: str
    settings: dict[str, Any]  # the deep_linking_settings claim
    custom: dict[str, Any]
    context_id: str = ""  # the course the activity is being added to (the picker lists its activities)


def persist_launch(
    *,
    message_type: str,
    issuer: str,
    client_id: str,
    deployment_id: str,
    user_sub: str,
    nonce: str,
    state: str,
    data: dict[str, Any],
    launch_id: str | None = None,
    commit: bool = True,
) -> LtiLaunch:
    """Store the launch, burn its nonce and its login state, all in one transaction.

    The unique (issuer, nonce) constraint turns a concurrent replay into an IntegrityError here, raised as
    ``nonce_replayed``. ``commit=False`` writes the rows (so a replay is refused now) but leaves the commit to the
    caller, which records what the launch opened in the same transaction: one commit per launch.
    """
    now = utcnow()
    values = {
        "launch_id": launch_id or new_launch_id(),
        "message_type": message_type,
        "issuer": issuer,
        "client_id": client_id,
        "deployment_id": deployment_id,
        "user_sub": user_sub,
        "data": data,
        "csrf_token": secrets.token_urlsafe(32),
        "created_at": now,
        "expires_at": now + LIFETIMES[message_type],
    }
    try:
        # The nonce first: a replay is refused before anything else is written. Plain Core statements on the
        # tables (built once), neither the unit of work nor the ORM's bulk-insert path.
        db.session.execute(_burn_nonce(), {"issuer": issuer, "nonce": nonce, "used_at": now})
        db.session.execute(_insert_launch(), values)
        db.session.execute(_drop_login(), {"state": state})
        if commit:
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise LtiError("nonce_replayed", "This launch was already used. Open the activity again.", 401) from None
    return LtiLaunch(**values)  # what was stored (not attached to the session)


@cache
def _burn_nonce() -> Insert:
    return insert(LtiUsedNonce.__table__)


@cache
def _insert_launch() -> Insert:
    return insert(LtiLaunch.__table__)


@cache
def _drop_login() -> Delete:
    table = LtiLoginState.__table__
    return delete(table).where(table.c.state == bindparam("state"))


def new_launch_id() -> str:
    return secrets.token_urlsafe(32)


def live(record: LtiLaunch, message_type: str) -> bool:
    """A launch record of this message type that has not expired."""
    return record.message_type == message_type and record.expires_at > utcnow()


def _live(launch_id: str, message_type: str) -> LtiLaunch | None:
    if not launch_id or len(launch_id) > 64:
        return None
    record = db.session.get(LtiLaunch, launch_id)
    return record if record is not None and live(record, message_type) else None


def load_launch(launch_id: str) -> LaunchContext | None:
    """The validated resource-link launch with this id, or None when unknown or expired."""
    record = _live(launch_id, RESOURCE_LINK)
    return LaunchContext.from_dict(record.data) if record else None


def load_deep_link(launch_id: str) -> DeepLinkSession | None:
    """An unexpired, not yet answered deep-linking launch."""
    record = _live(launch_id, DEEP_LINKING)
    if record is None or record.consumed_at is not None:
        return None
    return DeepLinkSession(
        launch_id=record.launch_id,
        csrf_token=record.csrf_token,
        issuer=record.issuer,
        client_id=record.client_id,
        deployment_id=record.deployment_id,
        user_sub=record.user_sub,
        settings=dict(record.data.get("settings") or {}),
        custom=dict(record.data.get("custom") or {}),
        context_id=str(record.data.get("context_id") or ""),
    )


def consume(launch_id: str) -> bool:
    """Mark a deep-linking launch answered; False when someone else already did (double submit)."""
    result = db.session.execute(
        db.update(LtiLaunch)
        .where(LtiLaunch.launch_id == launch_id, LtiLaunch.consumed_at.is_(None))
        .values(consumed_at=utcnow())
    )
    db.session.commit()
    return bool(result.rowcount)


def purge_expired() -> None:
    """Drop expired login states and launches, and nonces old enough that their state is long gone.

    The reconciler calls it (worker/reconciler.py), never a request: a launch refuses an expired state by its
    ``expires_at`` whether or not the row is still there."""
    now = utcnow()
    db.session.execute(db.delete(LtiLoginState).where(LtiLoginState.expires_at <= now))
    db.session.execute(db.delete(LtiLaunch).where(LtiLaunch.expires_at <= now))
    db.session.execute(db.delete(LtiUsedNonce).where(LtiUsedNonce.used_at <= now - timedelta(days=2)))
    db.session.commit()
