"""Dev-only LMS (Canvas- and Moodle-shaped) for local development and integration tests.

A development tool, not product code: the tool imports this package only when ``settings.dev_platform``
is true, then mounts it at /dev/canvas and /dev/moodle. On the first request it registers itself in the
tool's database as a platform, so a newcomer can launch right away.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask

from devlms.platform import SHAPES, DevLms, ToolEndpoints
from devlms.state import StateStore
from devlms.views import make_blueprint, make_home_blueprint

log = logging.getLogger("devlms")


def register_devlms(app: Flask) -> None:
    """Mount the dev LMSes inside the tool when enabled; a no-op otherwise."""
    settings = app.config["SETTINGS"]
    if not settings.dev_platform:  # the caller checks too; this keeps a direct call safe
        return
    # The Canvas-shaped dev LMS keeps Canvas's real issuer while being served from this host.
    app.config["LTI_DR_SKIP_ISSUER_HOST_CHECK"] = True
    lmses = dev_lmses(settings.public_base_url.rstrip("/"), Path(settings.data_dir))
    for lms in lmses:
        app.register_blueprint(make_blueprint(lms, f"devlms_{lms.shape}", url_prefix=f"/dev/{lms.shape}"))
    app.extensions["devlms"] = {lms.shape: lms for lms in lmses}
    app.register_blueprint(make_home_blueprint(lmses))
    register_in_tool_on_first_requests(app, lmses)


def dev_lmses(base: str, data_dir: Path) -> list[DevLms]:
    """One dev LMS per shape, served under ``base``/dev/<shape>, its state kept in ``data_dir``."""
    tool = ToolEndpoints.under(base)
    return [
        DevLms(shape, f"{base}/dev/{shape}", tool, StateStore(data_dir / f"devlms-{shape}.json")) for shape in SHAPES
    ]


def register_in_tool_on_first_requests(app: Flask, lmses: list[DevLms]) -> None:
    """Register each dev LMS as a platform on a request rather than at startup, so that it happens
    after `flask db upgrade`; retried on every request until it succeeds."""
    pending = {lms.shape: lms for lms in lmses}
    lock = threading.Lock()

    @app.before_request
    def _register_dev_platforms() -> None:
        if not pending:
            return
        with lock:
            for shape, lms in list(pending.items()):
                try:
                    register_in_tool(lms)
                except Exception:  # tables not migrated yet: try again on the next request
                    log.exception("could not register the dev %s platform yet", shape)
                    from lti_app.extensions import db

                    db.session.rollback()
                    return
                pending.pop(shape)


def register_in_tool(lms: DevLms) -> None:
    """Write the dev platform's registration into the tool's database (same as `flask platforms add`)."""
    from lti_app.lti.platforms import PlatformInput, add_platform

    add_platform(
        PlatformInput(
            issuer=lms.issuer,
            client_id=lms.client_id,
            deployment_id=lms.deployment_id,
            auth_login_url=lms.auth_login_url,
            auth_token_url=lms.token_url,
            key_set_url=lms.jwks_url,
            platform_family=lms.shape,
        )
    )
    log.info("dev %s platform registered issuer=%s client_id=%s", lms.shape, lms.issuer, lms.client_id)


def create_devlms_app(lms: DevLms) -> Flask:
    """A standalone WSGI app serving one dev LMS at its root (integration tests run it on its own port)."""
    # No app template folder: the blueprint brings devlms/templates, and the product's must not leak in.
    app = Flask(f"devlms_{lms.shape}", template_folder=None)
    app.register_blueprint(make_blueprint(lms, f"devlms_{lms.shape}"))
    app.extensions["devlms"] = {lms.shape: lms}
    return app
