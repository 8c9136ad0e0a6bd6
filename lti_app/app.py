"""Application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Settings, load_settings
from grader.phases.options import DEFAULT_MAX_SUBMITS, SUBMITS_RANGE
from grader.scoring import format_score
from lti_app.extensions import db, migrate
from lti_app.logs import configure_logging


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the app from settings (default: the environment). ``overrides`` go into ``app.config``."""
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        # A server's connections can drop while pooled (restarts, idle timeouts): test each before use. An SQLite
        # file has no connection to lose, and the test was one more statement on every request.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": not settings.database_url.startswith("sqlite")},
        # LMS iframes are cross-site: cookies must be SameSite=None; Secure to reach us at all.
        SESSION_COOKIE_SAMESITE="None",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.config.update(overrides)
    configure_logging(settings.log_level)
    if settings.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))

    from lti_app import models  # noqa: F401  (register tables with the metadata)
    from lti_app.blueprints import register_blueprints
    from lti_app.dispatch import init_dispatcher
    from lti_app.errors import register_body_limit, register_errors
    from lti_app.headers import register_security_headers
    from lti_app.logs import install_request_logging
    from lti_app.metrics import register_metrics
    from lti_app.origin import register_origin_check
    from lti_app.security import csrf_token
    from lti_app.workbench.inputs import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route: an id beyond any row's is refused with a reason
    register_blueprints(app)
    register_errors(app)
    register_security_headers(app)
    register_metrics(app)
    install_request_logging(app)
    register_body_limit(app)  # these two after the request id is assigned, so a refusal is logged with it
    register_origin_check(app)
    init_dispatcher(app)

    app.jinja_env.globals["csrf_token"] = csrf_token
    # The picker's "Submits per attempt" field (templates/lti/picker.html): its range and default.
    app.jinja_env.globals.update(submits_range=SUBMITS_RANGE, default_max_submits=DEFAULT_MAX_SUBMITS)
    app.jinja_env.filters["score"] = format_score  # the one rounding of scores, on every page
    return app


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
