"""Platform registrations and deployments in the database, and the pylti1p3 tool config reading them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlparse

import requests
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import Select, bindparam, select

from lti_app.extensions import db
from lti_app.lti.keys import signing_key
from lti_app.models.lti import LtiDeployment, LtiPlatform, utcnow

log = logging.getLogger("lti_app.lti")
FAMILIES = ("canvas", "moodle", "generic")
HTTP_TIMEOUT = 10


@dataclass(frozen=True)
class PlatformInput:
    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    audience: str | None = None
    platform_family: str | None = None


def guess_family(issuer: str, product_family_code: str | None = None) -> str:
    """Canvas, Moodle or generic, from the tool_platform claim when present, else from the issuer."""
    code = (product_family_code or "").strip().lower()
    if code in ("canvas", "moodle"):
        return code
    host = urlparse(issuer).hostname or ""
    if host.endswith("instructure.com"):
        return "canvas"
    if "moodle" in host:
        return "moodle"
    return "generic"


def _check_url(name: str, value: str) -> str:
    parsed = urlparse(value or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{name} must be an absolute http(s) URL, got {value!r}")
    return value


def add_platform(data: PlatformInput, allow_no_deployment: bool = False) -> tuple[LtiPlatform, bool]:
    """Create (or extend with a new deployment) a registration. Returns (platform, created).

    ``allow_no_deployment``: dynamic registration on platforms that assign the deployment later.
    """
    if not data.issuer or not data.client_id or not (data.deployment_id or allow_no_deployment):
        raise ValueError("issuer, client_id and deployment_id are required")
    for name in ("auth_login_url", "auth_token_url", "key_set_url"):
        _check_url(name, getattr(data, name))
    family = data.platform_family or guess_family(data.issuer)
    if family not in FAMILIES:
        raise ValueError(f"platform_family must be one of {', '.join(FAMILIES)}")
    platform = find_platform(data.issuer, data.client_id)
    created = platform is None
    if platform is None:
        platform = LtiPlatform(issuer=data.issuer, client_id=data.client_id)
        db.session.add(platform)
    platform.auth_login_url = data.auth_login_url
    platform.auth_token_url = data.auth_token_url
    if platform.key_set_url != data.key_set_url:
        platform.key_set = None  # a new key set URL invalidates the cached keys
    platform.key_set_url = data.key_set_url
    platform.audience = data.audience or None
    platform.platform_family = family
    if data.deployment_id and not any(d.deployment_id == data.deployment_id for d in platform.deployments):
        platform.deployments.append(LtiDeployment(deployment_id=data.deployment_id))
    db.session.commit()
    return platform, created


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    query = db.select(LtiPlatform).filter_by(issuer=issuer)
    if client_id:
        return db.session.scalar(query.filter_by(client_id=client_id))
    # No client_id in the login request (older platforms): only unambiguous when the issuer has one client.
    rows = db.session.scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


def find_platform_and_deployment(issuer: str, client_id: str, deployment_id: str) -> tuple[Any, bool]:
    """What an OIDC login needs of the registration for (issuer, client_id) — its ``issuer``, ``client_id`` and
    ``auth_login_url``, as a row, or None — and whether ``deployment_id`` is one of its deployments: one query, of
    columns (no key set parsed, no entity built)."""
    row = db.session.execute(
        _platform_and_deployment(), {"issuer": issuer, "client_id": client_id, "deployment_id": deployment_id}
    ).first()
    return (row, row.deployment is not None) if row is not None else (None, False)


@cache  # built once, run with parameters
def _platform_and_deployment() -> Select[Any]:
    return (
        select(LtiPlatform.issuer, LtiPlatform.client_id, LtiPlatform.auth_login_url,
               LtiDeployment.id.label("deployment"))
        .outerjoin(LtiDeployment, (LtiDeployment.platform_id == LtiPlatform.id)
                   & (LtiDeployment.deployment_id == bindparam("deployment_id")))
        .where(LtiPlatform.issuer == bindparam("issuer"), LtiPlatform.client_id == bindparam("client_id"))
        .limit(1)
    )


def has_issuer(issuer: str) -> bool:
    return db.session.scalar(db.select(LtiPlatform.id).filter_by(issuer=issuer).limit(1)) is not None


def find_deployment(platform: LtiPlatform, deployment_id: str) -> LtiDeployment | None:
    return db.session.scalar(db.select(LtiDeployment).filter_by(platform_id=platform.id, deployment_id=deployment_id))


def list_platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(db.select(LtiPlatform).order_by(LtiPlatform.id)))


def fetch_key_set(platform: LtiPlatform) -> dict:
    """Download the platform's JWKS and cache it on the row."""
    try:
        response = requests.get(platform.key_set_url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        key_set = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise KeySetError(f"could not fetch the platform key set from {platform.key_set_url}: {exc}") from exc
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
        raise KeySetError(f"{platform.key_set_url} did not return a JWKS document")
    platform.key_set = key_set
    platform.key_set_fetched_at = utcnow()
    db.session.commit()
    log.info("fetched platform key set issuer=%s kids=%s", platform.issuer, [k.get("kid") for k in key_set["keys"]])
    return key_set


class KeySetError(Exception):
    pass


def to_registration(platform: LtiPlatform, *, signing: bool = True) -> Registration:
    """A pylti1p3 Registration carrying the platform data and, when it will sign something (deep-linking
    responses, service tokens), the tool's current signing key; a launch only verifies, so it passes
    ``signing=False`` and loads no key."""
    registration = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_key_set(platform.key_set)
    )
    if signing:
        key = signing_key()
        registration.set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem)
    if platform.audience:
        registration.set_auth_audience(platform.audience)
    return registration


class DbToolConf(ToolConfAbstract):
    """pylti1p3 tool configuration backed by the ``lti_platforms``/``lti_deployments`` tables.

    Every issuer may have many client ids, so pylti1p3 always calls the ``*_by_params`` lookups.
    """

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, None, *args, **kwargs)  # type: ignore[arg-type]

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any) -> Registration:
        platform = find_platform(iss, client_id)
        return to_registration(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)  # type: ignore[arg-type]

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = find_platform(iss, client_id)
        if platform is None or find_deployment(platform, deployment_id) is None:
            return None
        return Deployment().set_deployment_id(deployment_id)
