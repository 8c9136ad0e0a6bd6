"""LTI rejections: every refusal has a stable reason code, an HTTP status and a human message.

Reason codes (the page shows them, the ``X-LTI-Error`` header carries them, the log line names them):

- login: ``missing_issuer``, ``missing_login_hint``, ``missing_client_id`` (400); ``unknown_issuer``,
  ``unknown_client``, ``unknown_deployment`` (403)
- launch, request shape: ``missing_id_token``, ``missing_state``, ``malformed_token``, ``invalid_message``,
  ``unsupported_message_type``, ``platform_error`` (the platform posted an OIDC error instead of a token) (400)
- launch, authentication: ``unsupported_alg``, ``nonce_replayed``, ``unknown_state``, ``state_cookie_missing``
  (says where the launch arrived, iframe or window, over http or https, and offers a restart from the platform
  where one can work), ``state_mismatch``, ``wrong_issuer``, ``nonce_mismatch``, ``unknown_kid``,
  ``key_set_unavailable``, ``bad_signature``, ``token_expired``, ``invalid_token`` (401)
- launch, authorisation: ``unknown_issuer``, ``wrong_audience``, ``unknown_deployment``, ``not_instructor`` (403)
- deep-linking picker: ``unknown_launch``, ``csrf_failed`` (403)
- dynamic registration: ``missing_openid_configuration``, ``platform_configuration_unavailable``,
  ``bad_platform_configuration``, ``issuer_host_mismatch``, ``registration_failed``, ``registration_refused`` (400);
  registering again an existing registration (Moodle's "Update") updates it
- configuring a link in place: ``launch_expired`` (401), ``not_instructor``, ``csrf_invalid`` (403)
"""

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
    # Dynamic registration is run by an LMS administrator: its page speaks to them, not to a student.
    audience = "administrator" if request.endpoint == "lti.register" else "user"
    response = make_response(render_template(template, error=error, audience=audience), error.status)
    response.headers["X-LTI-Error"] = error.code
    return response
