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
- ``frame-ancestors`` only when ``CR_FRAME_ANCESTORS`` is set: LMSes show the tool in an iframe from hosts
  the registration does not reveal (Canvas launches from each school's own domain, not its issuer), so
  the default allows any embedder.
- ``object-src 'none'; base-uri 'none'``: no plugins, and no <base> that could redirect relative URLs.
"""

from __future__ import annotations

from flask import Flask, Response, request

from config import Settings

BASE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action *",
)


def content_security_policy(settings: Settings) -> str:
    directives = list(BASE_POLICY)
    if settings.frame_ancestors:
        sources = settings.frame_ancestors
        if sources != "'none'" and "'self'" not in sources.split():
            sources = "'self' " + sources  # the tool's own pages (dev LMS, registration) may frame it
        directives.append(f"frame-ancestors {sources}")
    return "; ".join(directives)


def _is_static_file() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def register_security_headers(app: Flask) -> None:
    policy = content_security_policy(app.config["SETTINGS"])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Launch ids travel in URLs and are credentials: never hand them to another site in a Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        # Pages and API answers belong to one launch: no shared or back-button cache may keep them. Static
        # files keep Flask's caching, and a view that chose its own Cache-Control (the JWKS) keeps it.
        if not _is_static_file() and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
