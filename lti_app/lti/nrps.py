"""NRPS roster fetch: ``fetch_roster(issuer, client_id, deployment_id, memberships_url)``, all pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from lti_app.lti.service_token import access_token

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
HTTP_TIMEOUT = 20
MAX_PAGES = 200  # a loop guard against a platform whose next link never ends


@dataclass(frozen=True)
class RosterMember:
    user_sub: str
    name: str
    email: str
    roles: tuple[str, ...]
    status: str = "Active"


class RosterError(Exception):
    pass


def fetch_roster(
    issuer: str, client_id: str, deployment_id: str, memberships_url: str, session: requests.Session | None = None
) -> list[RosterMember]:
    """Every member of the context, following ``Link: <...>; rel="next"`` (quoted or not) page by page."""
    session = session or requests.Session()
    token = access_token(issuer, client_id, [NRPS_SCOPE], session)
    members: list[RosterMember] = []
    url: str | None = memberships_url
    seen: set[str] = set()
    while url and len(seen) < MAX_PAGES:
        seen.add(url)
        try:
            response = session.get(
                url, headers={"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA_TYPE}, timeout=HTTP_TIMEOUT
            )
        except requests.RequestException as exc:
            raise RosterError(f"roster request failed: {exc}") from exc
        if not response.ok:
            raise RosterError(f"roster request refused: HTTP {response.status_code} {response.text[:300]}")
        try:
            data = response.json()
        except ValueError as exc:
            raise RosterError("roster response is not JSON") from exc
        for member in data.get("members", []):
            if not member.get("user_id"):
                continue
            name = member.get("name") or " ".join(p for p in (member.get("given_name"), member.get("family_name")) if p)
            members.append(
                RosterMember(
                    user_sub=str(member["user_id"]),
                    name=name or "",
                    email=member.get("email") or "",
                    roles=tuple(member.get("roles") or ()),
                    status=member.get("status") or "Active",
                )
            )
        # requests parses both rel="next" and the unquoted rel=next some platforms send.
        next_url = response.links.get("next", {}).get("url")
        next_url = urljoin(response.url, next_url) if next_url else None
        url = next_url if next_url and next_url not in seen else None
    return members
