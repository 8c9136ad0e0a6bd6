"""Registers every blueprint; each area adds its own line here."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from lti_app.health import bp as health_bp

    app.register_blueprint(health_bp)
