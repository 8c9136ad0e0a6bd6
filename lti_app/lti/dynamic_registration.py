"""LTI Dynamic Registration (tool side): read the platform's OpenID configuration, POST our client
registration to its registration endpoint, store the returned client id and deployment."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests
from flask import current_app

from lti_app.extensions import db
from lti_app.lti.canvas_config import SCOPES
from lti_app.lti.errors import LtiError
from lti_app.lti.platforms import PlatformInput, add_platform, find_platform, guess_family
from lti_app.lti.tool_urls import TOOL_NAME, tool_urls
from lti_app.models import Activity, Course
from lti_app.models.lti import LtiDeployment, LtiPlatform

log = logging.getLogger("lti_app.lti")
PLATFORM_CONFIG_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"
HTTP_TIMEOUT = 15


@dataclass(frozen=True)
class Registered:
    platform: LtiPlatform
    client_id: str
    deployment_id: str | None
    family: str
    updated: bool = False  # an existing registration was updated (Moodle's "Update"), not a new one added
    changes: tuple[str, ...] = ()  # what the update changed, in words for the administrator


def _http_url(value: Any, name: str) -> str:
    parsed = urlparse(str(value or ""))
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise LtiError("bad_platform_configuration", f"The platform configuration has no valid {name}.", 400)
    return str(value)


def fetch_platform_configuration(url: str) -> dict[str, Any]:
    _http_url(url, "openid_configuration URL")
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LtiError("platform_configuration_unavailable", f"Could not read {url}: {exc}", 400) from exc
    if not isinstance(config, dict):
        raise LtiError("bad_platform_configuration", "The platform configuration is not a JSON object.", 400)
    for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        if name == "issuer":
            if not config.get("issuer"):
                raise LtiError("bad_platform_configuration", "The platform configuration has no issuer.", 400)
        else:
            _http_url(config.get(name), name)
    return config


def registration_request(config: dict[str, Any]) -> dict[str, Any]:
    """Our client registration, asking only for scopes the platform says it supports."""
    urls = tool_urls()
    supported = config.get("scopes_supported")
    scopes = [s for s in SCOPES if not supported or s in supported]
    deep_link_message = {
        "type": "LtiDeepLinkingRequest",
        "target_link_uri": urls["deep_link"],
        "label": TOOL_NAME,
        # Canvas reads placements; Moodle ignores them.
        "placements": ["assignment_selection", "link_selection"],
    }
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "client_name": TOOL_NAME,
        "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIG_CLAIM: {
            "domain": urls["domain"],
            "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [deep_link_message, {"type": "LtiResourceLinkRequest", "target_link_uri": urls["launch"]}],
            "https://canvas.instructure.com/lti/privacy_level": "public",
        },
    }


def _check_issuer_host(config: dict[str, Any], openid_configuration: str) -> None:
    """The issuer must live on the host that served the configuration; otherwise anyone could register
    a key set under a real platform's issuer and sign launches for that platform's users."""
    if current_app.config.get("LTI_DR_SKIP_ISSUER_HOST_CHECK"):  # dev LMS only: Canvas issuer on 127.0.0.1
        return
    if urlparse(str(config["issuer"])).hostname != urlparse(openid_configuration).hostname:
        raise LtiError(
            "issuer_host_mismatch", "The platform's issuer is not on the host that served its configuration.", 400
        )


def register(openid_configuration: str, registration_token: str | None) -> Registered:
    config = fetch_platform_configuration(openid_configuration)
    _check_issuer_host(config, openid_configuration)
    payload = registration_request(config)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        response = requests.post(config["registration_endpoint"], json=payload, headers=headers, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise LtiError("registration_failed", f"The registration request failed: {exc}", 400) from exc
    if not response.ok:
        raise LtiError(
            "registration_refused", f"The platform refused the registration: HTTP {response.status_code}", 400
        )
    try:
        answer = response.json()
        client_id = str(answer["client_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise LtiError("registration_failed", "The platform's registration answer has no client_id.", 400) from exc
    tool_config = answer.get(TOOL_CONFIG_CLAIM) or {}
    deployment_id = tool_config.get("deployment_id") or answer.get("deployment_id")
    platform_config = config.get(PLATFORM_CONFIG_CLAIM) or {}
    family = guess_family(config["issuer"], platform_config.get("product_family_code"))
    data = PlatformInput(
        issuer=str(config["issuer"]),
        client_id=client_id,
        deployment_id=str(deployment_id) if deployment_id else "",
        auth_login_url=config["authorization_endpoint"],
        auth_token_url=config["token_endpoint"],
        key_set_url=config["jwks_uri"],
        audience=config.get("authorization_server") or None,
        platform_family=family,
    )
    # Registering again a tool the platform has (Moodle's "Update": same client id, or the same deployment under
    # a new client id) updates that registration; the platform has already updated its side. Only the
    # platform's own host can get here with its issuer (_check_issuer_host).
    existing = find_platform(data.issuer, client_id) or _registration_of_deployment(data.issuer, data.deployment_id)
    if existing is not None:
        changes = update_registration(existing, data)
        log.info("dynamic registration updated issuer=%s client_id=%s deployment=%s changes=%s",
                 data.issuer, client_id, deployment_id, changes or "none")
        return Registered(platform=existing, client_id=client_id, deployment_id=deployment_id, family=family,
                          updated=True, changes=tuple(changes))
    platform, _ = add_platform(data, allow_no_deployment=True)
    log.info(
        "dynamic registration done issuer=%s client_id=%s deployment=%s family=%s",
        config["issuer"],
        client_id,
        deployment_id,
        family,
    )
    return Registered(platform=platform, client_id=client_id, deployment_id=deployment_id, family=family)


def _registration_of_deployment(issuer: str, deployment_id: str) -> LtiPlatform | None:
    """The registration holding this deployment (unique per platform), if any."""
    if not deployment_id:
        return None
    return db.session.scalar(
        db.select(LtiPlatform).join(LtiDeployment).where(LtiPlatform.issuer == issuer,
                                                         LtiDeployment.deployment_id == deployment_id).limit(1)
    )


def update_registration(platform: LtiPlatform, data: PlatformInput) -> list[str]:
    """Bring a stored registration in line with the platform's new answer: endpoints, key set URL, client id,
    family; every deployment is kept (the answer's is added when new). Returns the changes, in words."""
    for name in ("auth_login_url", "auth_token_url", "key_set_url"):
        _http_url(getattr(data, name), name)
    wanted = {"client_id": data.client_id, "auth_login_url": data.auth_login_url,
              "auth_token_url": data.auth_token_url, "key_set_url": data.key_set_url,
              "audience": data.audience or None, "platform_family": data.platform_family or platform.platform_family}
    changes = []
    old_client_id = platform.client_id
    if platform.key_set_url != data.key_set_url:
        platform.key_set = None  # the keys are fetched again, from the new URL
    for name, value in wanted.items():
        if getattr(platform, name) != value:
            changes.append(f"{FIELD_WORDS[name]}: {getattr(platform, name) or '—'} → {value or '—'}")
            setattr(platform, name, value)
    if data.deployment_id and not any(d.deployment_id == data.deployment_id for d in platform.deployments):
        platform.deployments.append(LtiDeployment(deployment_id=data.deployment_id))
        changes.append(f"deployment {data.deployment_id} added")
    if old_client_id != platform.client_id:
        # Grades of existing activities go out under the registration's client id.
        course_ids = db.select(Course.id).where(Course.issuer == platform.issuer)
        db.session.execute(
            db.update(Activity).where(Activity.client_id == old_client_id, Activity.course_id.in_(course_ids))
            .values(client_id=platform.client_id)
        )
    db.session.commit()
    return changes


FIELD_WORDS = {"client_id": "client id", "auth_login_url": "login (authorization) URL",
               "auth_token_url": "token URL", "key_set_url": "key set URL", "audience": "token audience",
               "platform_family": "platform family"}
