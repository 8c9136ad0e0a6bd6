"""Absolute URLs of the tool's LTI endpoints, as the platform must be configured with them."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import url_for

TOOL_NAME = "CodeResidency"
TOOL_DESCRIPTION = "Clinical-rotation simulations for software engineers, graded with a letter."


def tool_urls() -> dict[str, str]:
    """Login, launch, JWKS and deep-linking URLs derived from the current request (ProxyFix-aware)."""
    launch = url_for("lti.launch", _external=True)
    return {
        "login": url_for("lti.login", _external=True),
        "launch": launch,
        "jwks": url_for("lti.jwks", _external=True),
        "deep_link": launch,
        "config": url_for("lti.config_json", _external=True),
        "register": url_for("lti.register", _external=True),
        "domain": urlparse(launch).netloc,
    }
