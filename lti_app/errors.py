"""One error convention for every page and API: a reason code for programs and a sentence for people.

Raise :func:`refuse` (or ``abort(status, description="reason_code: sentence")``) anywhere in a request.
API callers (``/api/`` paths, or a request that sends or asks for JSON) get ``{"error": reason, "detail": sentence,
...extra}``; browsers get the error page with the same reason and sentence. Never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class Refusal(HTTPException):
    """A request refused on purpose: HTTP status, reason code, sentence, and optional JSON-only extras."""

    def __init__(self, status: int, reason: str, detail: str, **extra: Any) -> None:
        super().__init__(description=f"{reason}: {detail}")
        self.code = status
        self.reason, self.detail, self.extra = reason, detail, extra


def refuse(status: int, reason: str, detail: str, **extra: Any) -> NoReturn:
    raise Refusal(status, reason, detail, **extra)


def _split(exc: HTTPException) -> tuple[str, str, dict[str, Any]]:
    """A Refusal's parts, or a description written 'reason_code: explanation'."""
    if isinstance(exc, Refusal):
        return exc.reason, exc.detail, exc.extra
    text = exc.description or ""
    code, sep, message = text.partition(":")
    if sep and code and " " not in code:
        return code.strip(), message.strip(), {}
    return "error", text, {}


def wants_json() -> bool:
    """API paths, and callers that send or ask for JSON, get JSON."""
    return request.path.startswith("/api/") or request.is_json or request.accept_mimetypes.best == "application/json"


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        reason, message, extra = _split(exc)
        log.info("request rejected: %s %s %s (%s)", exc.code, request.method, request.path, reason)
        if wants_json():
            return {"error": reason, "detail": message, **extra}, exc.code
        return render_template("error.html", code=exc.code, reason=reason, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            return {"error": "internal_error", "detail": "Something went wrong on our side; nothing was lost."}, 500
        message = "Something went wrong on our side; your work is saved. Try again in a moment."
        return render_template("error.html", code=500, reason="internal_error", message=message), 500
