"""The Flask side of CodeResidency: LTI 1.3, student and instructor views, JSON API."""

from lti_app.app import create_app

__all__ = ["create_app"]
