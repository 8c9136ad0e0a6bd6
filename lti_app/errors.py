"""Error pages: a reason code and a sentence, never a stack trace. JSON for API callers."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def _split(description: str | None) -> tuple[str, str]:
    """Descriptions are written 'reason_code: explanation'."""
    text = description or ""
    code, sep, message = text.partition(":")
    if sep and code and " " not in code:
        return code.strip(), message.strip()
    return "error", text


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        reason, message = _split(exc.description)
        log.info("request rejected: %s %s %s (%s)", exc.code, request.method, request.path, reason)
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": reason, "detail": message}, exc.code
        return render_template("error.html", code=exc.code, reason=reason, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            return {"error": "internal_error", "detail": "Something went wrong on our side; nothing was lost."}, 500
        message = "Something went wrong on our side; your work is saved. Try again in a moment."
        return render_template("error.html", code=500, reason="internal_error", message=message), 500
