"""OAuth2 client-credentials access tokens for LTI Advantage services (AGS, NRPS), cached until expiry.

The client assertion is a JWT signed with the tool's active key (IMS Security Framework §4.1).
Needs a Flask app context (the platform row and the key come from the database), not a request.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import jwt
import requests

from lti_app.lti.keys import signing_key
from lti_app.lti.platforms import LtiPlatform, find_platform

HTTP_TIMEOUT = 15
EXPIRY_MARGIN_SECONDS = 30
# Keyed by the token URL too: a platform registered again (or another platform reusing the issuer, as
# every Canvas does) must never receive a token minted by a different authorisation server.
_cache: dict[tuple[str, str, str, str], tuple[str, float]] = {}
_lock = threading.Lock()


class ServiceTokenError(Exception):
    def __init__(self, message: str, status_code: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retryable = retryable


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float


def access_token(issuer: str, client_id: str, scopes: Sequence[str], session: requests.Session | None = None) -> str:
    """A bearer token for these scopes, from the cache or freshly obtained from the platform's token URL."""
    platform = find_platform(issuer, client_id)
    if platform is None:
        raise ServiceTokenError(f"platform {issuer!r} / {client_id!r} is not registered", retryable=False)
    key = (issuer, client_id, platform.auth_token_url, " ".join(sorted(scopes)))
    now = time.time()
    with _lock:
        cached = _cache.get(key)
        if cached and cached[1] - EXPIRY_MARGIN_SECONDS > now:
            return cached[0]
    token = _request_token(platform, client_id, scopes, session or requests.Session())
    with _lock:
        _cache[key] = (token.value, token.expires_at)
    return token.value


def forget_token(issuer: str, client_id: str, scopes: Sequence[str]) -> None:
    """Drop a cached token (the platform rejected it with 401)."""
    scope = " ".join(sorted(scopes))
    with _lock:
        for key in [k for k in _cache if k[:2] == (issuer, client_id) and k[3] == scope]:
            del _cache[key]


def _request_token(platform: LtiPlatform, client_id: str, scopes: Sequence[str], session: requests.Session) -> Token:
    key = signing_key()
    now = int(time.time())
    assertion = jwt.encode(
        {
            "iss": client_id,
            "sub": client_id,
            "aud": platform.audience or platform.auth_token_url,
            "iat": now - 5,
            "exp": now + 300,
            "jti": f"cr-{uuid.uuid4()}",
        },
        key.private_pem,
        algorithm="RS256",
        headers={"kid": key.kid},
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": " ".join(scopes),
    }
    try:
        response = session.post(platform.auth_token_url, data=form, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise ServiceTokenError(f"token request to {platform.auth_token_url} failed: {exc}") from exc
    if not response.ok:
        raise ServiceTokenError(
            f"token request refused: HTTP {response.status_code} {response.text[:300]}",
            status_code=response.status_code,
            retryable=response.status_code >= 500 or response.status_code == 429,
        )
    try:
        data = response.json()
        value = str(data["access_token"])
        expires_in = float(data.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceTokenError(f"token response is not valid JSON with access_token: {response.text[:300]}") from exc
    return Token(value=value, expires_at=time.time() + expires_in)
