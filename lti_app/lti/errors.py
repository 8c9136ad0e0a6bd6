"""LTI rejections: every refusal has a stable reason code, an HTTP status and a human message."""

from __future__ import annotations

import logging

from flask import Response, make_response, render_template, request

log = logging.getLogger("lti_app.lti")


class LtiError(Exception):
    """A request the LTI layer refuses. ``code`` is stable (tests and logs match on it)."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: object) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


def error_response(error: LtiError) -> Response:
    """Log the refusal and render the error page (the reason code is also in a header for tools/tests)."""
    log.warning(
        "lti rejected: code=%s status=%s path=%s iss=%s reason=%s",
        error.code, error.status, request.path, request.values.get("iss", "-")[:200], error.message,
    )
    template = "lti/new_window.html" if error.code == "state_cookie_missing" else "lti/error.html"
    response = make_response(render_template(template, error=error), error.status)
    response.headers["X-LTI-Error"] = error.code
    return response
