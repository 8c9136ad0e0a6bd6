"""CSRF tokens bound to the launch that opened the page.

Cookies are unreliable inside LMS iframes, so pages carry their launch id in the URL and every
state-changing request must also carry an HMAC of that launch id under the app secret.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import abort, current_app, request


def csrf_token(launch_id: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"csrf:{launch_id}".encode(), hashlib.sha256).hexdigest()


def check_csrf(launch_id: str) -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not hmac.compare_digest(sent, csrf_token(launch_id)):
        abort(403, description="csrf_invalid: this form is stale or was not sent from the activity page")
