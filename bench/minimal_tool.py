"""The baseline of bench/launch_throughput.py: a minimal LTI 1.3 tool on Flask + pylti1p3, login and launch only.

Written from pylti1p3's documented Flask API (``ToolConfDict``, ``FlaskRequest``, ``FlaskOIDCLogin``,
``FlaskMessageLaunch``): the OIDC login keeps the state in a cookie and the nonce in Flask's signed session
cookie (pylti1p3's defaults), the launch validates the id_token (state, nonce present in the session,
registration, signature against the platform's key set, deployment, message) and answers a small page. No
database, no launch record, no attempt: what any LTI 1.3 tool has to do at the least, so the product's launch
can be compared with it on the same platform, server and machine.

The platform's key set is passed in (fetched once when the tool starts, as ``key_set`` in the tool
configuration), so a launch does not download it again: our tool caches it in its database the same way.

    from bench.minimal_tool import create_minimal_tool
    app = create_minimal_tool(issuer=..., client_id=..., deployment_id=..., auth_login_url=...,
                              auth_token_url=..., key_set_url=..., key_set={...})
"""

from __future__ import annotations

import html
import secrets
from typing import Any

from flask import Flask, request
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException
from pylti1p3.tool_config import ToolConfDict


def create_minimal_tool(*, issuer: str, client_id: str, deployment_id: str, auth_login_url: str,
                        auth_token_url: str, key_set_url: str, key_set: dict[str, Any] | None = None) -> Flask:
    app = Flask("minimal_lti_tool")
    app.config["SECRET_KEY"] = secrets.token_hex(16)
    tool_conf = ToolConfDict({
        issuer: [{
            "default": True,
            "client_id": client_id,
            "auth_login_url": auth_login_url,
            "auth_token_url": auth_token_url,
            "auth_audience": None,
            "key_set_url": key_set_url,
            "key_set": key_set,
            "deployment_ids": [deployment_id],
        }]
    })

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():  # type: ignore[no-untyped-def]
        target = request.values.get("target_link_uri")
        if not target:
            return "missing target_link_uri", 400
        try:
            return FlaskOIDCLogin(FlaskRequest(), tool_conf).redirect(target)
        except LtiException as exc:
            return f"login refused: {html.escape(str(exc))}", 400

    @app.post("/lti/launch")
    def launch():  # type: ignore[no-untyped-def]
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf)
        try:
            data = message_launch.get_launch_data()
        except LtiException as exc:
            return f"launch refused: {html.escape(str(exc))}", 401
        link = data.get("https://purl.imsglobal.org/spec/lti/claim/resource_link") or {}
        name = data.get("name") or data.get("sub", "")
        return (f"<!doctype html><title>{html.escape(str(link.get('title', '')))}</title>"
                f"<p>Hello {html.escape(str(name))}: launch {html.escape(message_launch.get_launch_id())}.</p>")

    return app
