"""Security headers on every response: Content-Security-Policy, nosniff, no referrer, no caching of pages.

Why each CSP directive is what it is:
- ``script-src 'self'``: scripts only from our own static files; no inline scripts, no eval. Every page
  works this way (auto-submitting LTI forms use a static script and keep a visible button).
- ``style-src 'self' 'unsafe-inline'``: the code editor (CodeMirror 6) puts its theme in a <style> element
  it creates (under ``style-src 'self'`` Chromium blocks it and the editor loses its layout and focus ring),
  and a few dev and LTI pages carry a small <style>. A per-request nonce (EditorView.cspNonce) could admit
  the editor's element, at the price of a nonce threaded through every page; it buys little, because
  injected CSS cannot run code and, with images, fonts and connections limited to 'self', cannot send
  what it reads anywhere.
- ``form-action *``: the deep-linking answer is a form the tool posts to the platform's return URL, a
  different origin per LMS, and browsers check form-action on every redirect after a form post too (LMSes
  bounce between their own hosts). No fixed list can be right, so cross-origin form targets stay open;
  ``*`` still excludes javascript: and data: targets.
- ``frame-ancestors``: by default the tool itself plus every registered platform's origins — its issuer and
  the hosts of its login, token and key-set URLs (a self-hosted Canvas keeps the issuer
  canvas.instructure.com but authorises on its own host) — and, for Canvas, ``https://*.instructure.com``
  (hosted Canvas shows the tool from each school's own subdomain). ``CR_FRAME_ANCESTORS`` replaces the
  list (``*`` allows any embedder). Dynamic registration is exempt: the platform that frames it is not
  registered yet.
- ``object-src 'none'; base-uri 'none'``: no plugins, and no <base> that could redirect relative URLs.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlparse

from flask import Flask, Response, request
from sqlalchemy import select

from config import Settings

log = logging.getLogger(__name__)

BASE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action *",
)


FRAMEABLE_BY_ANYONE = ("lti.register",)  # endpoints an unregistered platform frames
CANVAS_HOSTED = "https://*.instructure.com"
PLATFORMS_TTL = 10.0  # seconds a process reuses the registered platforms' origins


def content_security_policy(settings: Settings, ancestors: str | None) -> str:
    """The policy; ``ancestors`` is the frame-ancestors source list, or None for no restriction."""
    directives = list(BASE_POLICY)
    if ancestors:
        if ancestors not in ("'none'", "*") and "'self'" not in ancestors.split():
            ancestors = "'self' " + ancestors  # the tool's own pages (dev LMS, registration) may frame it
        directives.append(f"frame-ancestors {ancestors}")
    return "; ".join(directives)


def _origin(url: str | None) -> str | None:
    parsed = urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return None
    return f"{parsed.scheme}://{parsed.netloc}"


def platform_origins() -> list[str]:
    """Origins that may frame the tool, from the registered platforms (sorted, without duplicates)."""
    from lti_app.extensions import db
    from lti_app.models.lti import LtiPlatform

    origins: set[str] = set()
    rows = db.session.execute(select(LtiPlatform.issuer, LtiPlatform.auth_login_url, LtiPlatform.auth_token_url,
                                     LtiPlatform.key_set_url, LtiPlatform.platform_family)).all()
    for issuer, login, token, keys, family in rows:
        origins.update(o for o in map(_origin, (issuer, login, token, keys)) if o)
        if family == "canvas":
            origins.add(CANVAS_HOSTED)
    return sorted(origins)


class _AncestorCache:
    """The registered platforms' origins, re-read at most every PLATFORMS_TTL seconds per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: str = "'self'"
        self._read_at = -PLATFORMS_TTL

    def get(self) -> str:
        now = time.monotonic()
        with self._lock:
            if now - self._read_at < PLATFORMS_TTL:
                return self._value
        try:
            value = " ".join(["'self'", *platform_origins()])
        except Exception:  # the database is down: keep the last good list rather than fail every response
            log.warning("reading platform origins for frame-ancestors failed", exc_info=True)
            return self._value
        with self._lock:
            self._value, self._read_at = value, now
        return value


def _is_static_file() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def register_security_headers(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    open_policy = content_security_policy(settings, None)
    fixed = content_security_policy(settings, settings.frame_ancestors) if settings.frame_ancestors else None
    registered = _AncestorCache()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        if request.endpoint in FRAMEABLE_BY_ANYONE:
            policy = open_policy
        else:
            policy = fixed or content_security_policy(settings, registered.get())
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Launch ids travel in URLs and are credentials: never hand them to another site in a Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        # Pages and API answers belong to one launch: no shared or back-button cache may keep them. Static
        # files keep Flask's caching, and a view that chose its own Cache-Control (the JWKS) keeps it.
        if not _is_static_file() and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
