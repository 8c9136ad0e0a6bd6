"""The Canvas developer-key JSON (``/lti/config.json``) describing this tool."""

from __future__ import annotations

from typing import Any

from lti_app.lti.tool_urls import TOOL_DESCRIPTION, TOOL_NAME, tool_urls

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


def canvas_developer_key() -> dict[str, Any]:
    urls = tool_urls()
    deep_link_placement = {
        "message_type": "LtiDeepLinkingRequest",
        "target_link_uri": urls["deep_link"],
        "text": TOOL_NAME,
        "selection_width": 800,
        "selection_height": 600,
    }
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": list(SCOPES),
        "extensions": [
            {
                "domain": urls["domain"],
                "tool_id": "coderesidency",
                "platform": "canvas.instructure.com",
                "privacy_level": "public",  # names and emails, for the instructor views and the roster
                "settings": {
                    "text": TOOL_NAME,
                    "placements": [
                        {"placement": "assignment_selection", **deep_link_placement},
                        {"placement": "link_selection", **deep_link_placement},
                    ],
                },
            }
        ],
        "custom_fields": {},
    }
