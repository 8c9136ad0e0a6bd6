"""What the rest of the app needs to know about a validated launch, independent of pylti1p3."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

INSTRUCTOR_ROLE_MARKERS = ("#Instructor", "#Administrator", "#ContentDeveloper", "#TeachingAssistant")


@dataclass(frozen=True)
class LaunchContext:
    """A validated resource-link launch. Built by the LTI layer, consumed by the views."""

    launch_id: str  # key of the server-side launch record
    issuer: str
    client_id: str
    deployment_id: str
    user_sub: str
    user_name: str
    user_email: str
    roles: tuple[str, ...]
    context_id: str
    context_title: str
    resource_link_id: str
    resource_link_title: str
    custom: dict[str, str] = field(default_factory=dict)
    platform_family: str = "generic"  # "canvas", "moodle" or "generic"
    # AGS (None when the platform granted no grade service for this link)
    ags_lineitem_url: str | None = None
    ags_lineitems_url: str | None = None
    ags_scopes: tuple[str, ...] = ()
    # NRPS
    nrps_memberships_url: str | None = None
    # launch_presentation.return_url: where a "back to the course" link should go (None when not sent)
    return_url: str | None = None

    @property
    def is_instructor(self) -> bool:
        return any(role.endswith(m) or m.lstrip("#") in role for role in self.roles for m in INSTRUCTOR_ROLE_MARKERS)

    def to_dict(self) -> dict[str, Any]:
        # What asdict() gives for these flat fields (tuples stay tuples, the custom dict is copied), without its
        # recursive deep copy: this runs on every launch.
        data = {name: getattr(self, name) for name in _FIELDS}
        data["custom"] = dict(self.custom)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LaunchContext:
        data = dict(data)
        data["roles"] = tuple(data.get("roles", ()))
        data["ags_scopes"] = tuple(data.get("ags_scopes", ()))
        return cls(**data)


_FIELDS = tuple(f.name for f in fields(LaunchContext))
