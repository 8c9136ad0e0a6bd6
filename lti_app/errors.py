"""One error convention for every page and API: a reason code for programs and a sentence for people.

Raise :func:`refuse` (or ``abort(status, description="reason_code: sentence")``) anywhere in a request.
API callers (``/api/`` paths, or a request that sends or asks for JSON) get ``{"error": reason, "detail": sentence,
...extra}``; browsers get the error page with the same reason and sentence. Never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lti_app.logs import redact_launch_ids

log = logging.getLogger(__name__)


class Refusal(HTTPException):
    """A request refused on purpose: HTTP status, reason code, sentence, and optional JSON-only extras."""

    def __init__(self, status: int, reason: str, detail: str, *, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(description=f"{reason}: {detail}")
        self.code = status
        self.reason, self.detail, self.extra = reason, detail, extra
        self.headers = headers or {}  # response headers the refusal needs (WWW-Authenticate on a 401)


def refuse(status: int, reason: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> NoReturn:
    raise Refusal(status, reason, detail, headers=headers, **extra)


def too_large(limit_bytes: int) -> Refusal:
    return Refusal(413, "request_too_large", f"requests are limited to {limit_bytes // 1024} kB; this one is larger")


def _split(exc: HTTPException) -> tuple[str, str, dict[str, Any]]:
    """A Refusal's parts, or a description written 'reason_code: explanation'."""
    if isinstance(exc, Refusal):
        return exc.reason, exc.detail, exc.extra
    if isinstance(exc, RequestEntityTooLarge):  # Werkzeug's, raised while a body beyond the limit is read
        refusal = too_large(_body_limit())
        return refusal.reason, refusal.detail, {}
    text = exc.description or ""
    code, sep, message = text.partition(":")
    if sep and code and " " not in code:
        return code.strip(), message.strip(), {}
    return "error", text, {}


def wants_json() -> bool:
    """API paths, and callers that send or ask for JSON, get JSON."""
    return request.path.startswith("/api/") or request.is_json or request.accept_mimetypes.best == "application/json"


def _body_limit() -> int:
    from flask import current_app

    return int(current_app.config["MAX_CONTENT_LENGTH"])


def register_body_limit(app: Flask) -> None:
    """One limit for every request body (``CR_MAX_REQUEST_KB``), refused before any route runs, whether or not
    that route would read the body: a body announcing a larger length at once; a chunked body (no length) is
    read up to the limit first — Werkzeug would silently cut it there and hand a route the truncated form — and
    kept for the route (``request.get_data()``, ``request.form``)."""
    limit = app.config["SETTINGS"].max_request_kb * 1024
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.config["MAX_FORM_MEMORY_SIZE"] = limit  # Flask's own 500 kB form-field limit would answer first otherwise

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        if request.content_length is not None:
            too_big = request.content_length > limit
        else:  # chunked: Werkzeug stops reading at the limit, so reaching it means the body is longer
            too_big = "chunked" in request.headers.get("Transfer-Encoding", "").lower() and \
                len(request.get_data(cache=True)) >= limit
        if too_big:
            raise too_large(limit)


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        reason, message, extra = _split(exc)
        log.info("request rejected: %s %s %s (%s)", exc.code, request.method, redact_launch_ids(request.path), reason)
        headers = exc.headers if isinstance(exc, Refusal) else {}
        if wants_json():
            return {"error": reason, "detail": message, **extra}, exc.code, headers
        return render_template("error.html", code=exc.code, reason=reason, message=message), exc.code, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, redact_launch_ids(request.path))
        if request.path.startswith("/api/"):
            return {"error": "internal_error", "detail": "Something went wrong on our side; nothing was lost."}, 500
        message = "Something went wrong on our side; your work is saved. Try again in a moment."
        return render_template("error.html", code=500, reason="internal_error", message=message), 500
