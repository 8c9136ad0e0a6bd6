"""The Origin check: a state-changing request sent by another site's page is refused, whatever it carries.

It is a second line behind the launch's CSRF token (lti_app/security.py), never a replacement: a request
that passes here still needs its token. What a browser tells us:

- ``Origin`` comes with every cross-site POST, PUT and DELETE. A request whose Origin is another site's is
  refused ``403 origin_mismatch``.
- ``Origin: null`` says nothing: browsers send it for a form on a page with ``Referrer-Policy: no-referrer``
  (every page of this tool, see lti_app/headers.py), from sandboxed frames and after cross-site redirects.
  It is treated like no Origin at all.
- Without a usable Origin (an older browser, or ``null``) a ``Referer`` is the fallback: our own pages never
  send one, so a Referer naming another site means another site's page made the request.
- Neither header (a non-browser client, or our own forms): the CSRF token decides alone.

The tool's own origin is that of ``CR_PUBLIC_BASE_URL``; the origin the request itself was addressed to
(scheme and host as this server sees them, after ``CR_TRUST_PROXY``) also counts, because a page and a
request of one origin are same-origin by definition (a second host name for the same server, as in local
development, keeps working).

Exempt are the endpoints other origins post to by design: the OIDC login initiation and the launch (the
platform's auto-posted forms), dynamic registration (opened by the platform), and the dev LMS, which is a
second site inside this process. The deep-linking answer is posted by our page to the platform, not to us.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, request

from lti_app.errors import refuse

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EXEMPT_ENDPOINTS = frozenset({"lti.login", "lti.launch", "lti.register"})
EXEMPT_BLUEPRINT_PREFIX = "devlms"  # devlms_home, devlms_canvas, devlms_moodle


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL (default ports dropped, lower case), or None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def _exempt() -> bool:
    if request.url_rule is None:  # no route: a 404 or 405 follows anyway
        return True
    if request.endpoint in EXEMPT_ENDPOINTS:
        return True
    return any(name.startswith(EXEMPT_BLUEPRINT_PREFIX) for name in request.blueprints)


def sender_origin() -> str | None:
    """The origin of the page that sent this request, as far as the browser says: Origin, else Referer."""
    origin = request.headers.get("Origin", "").strip()
    if origin and origin != "null":
        return origin_of(origin) or origin
    referer = request.headers.get("Referer", "").strip()
    if referer:
        return origin_of(referer) or referer
    return None


def register_origin_check(app: Flask) -> None:
    own = {origin_of(app.config["SETTINGS"].public_base_url)}

    @app.before_request
    def _check_origin() -> None:
        if request.method in SAFE_METHODS or _exempt():
            return
        sender = sender_origin()
        if sender is None or sender in own or sender == origin_of(request.host_url):
            return
        log.warning("refused %s %s from another origin %.100s", request.method, request.endpoint, sender)
        refuse(403, "origin_mismatch", "this request was sent from another site's page; changes are accepted "
                                       "only from the activity's own pages")
