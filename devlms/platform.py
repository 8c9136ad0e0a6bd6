"""A development LMS shaped like Canvas or Moodle, built on the ``lti1p3platform`` package.

lti1p3platform signs launches, issues service tokens and checks deep-linking responses; this module
fills in what it leaves abstract (registration storage, AGS line items and scores, NRPS members) and
the shape differences the tool must cope with: issuer form, product family, id formats, how the score
endpoint refuses a stale timestamp (Moodle 409 "not newer", Canvas 400 "older"), Link header quoting.
"""

from __future__ import annotations

import functools
import json
import secrets
import typing as t
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import Request as FlaskRequest
from lti1p3platform.exceptions import LineItemNotFoundException, LtiException, LtiServiceException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService, TPage

from devlms.state import FakeUser, ReceivedScore, StateStore, fake_users, public_pem

SHAPES = ("canvas", "moodle")
# Where the platform's OIDC authorization endpoint, token endpoint and key set live. Both sets are served; the
# configuration (dynamic registration) names one, so a test can move them as a platform upgrade would.
DEFAULT_PATHS = {"auth": "auth", "token": "token", "jwks": "jwks.json"}
MOODLE_PATHS = {"auth": "mod/lti/auth.php", "token": "mod/lti/token.php", "jwks": "mod/lti/certs.php"}
CANVAS_ISSUER = "https://canvas.instructure.com"
COURSE = {"id": "course-se101", "title": "Software Engineering 101", "label": "SE101"}


@dataclass(frozen=True)
class ToolEndpoints:
    login: str
    launch: str
    jwks: str

    @classmethod
    def under(cls, tool_base_url: str) -> ToolEndpoints:
        base = tool_base_url.rstrip("/")
        return cls(login=f"{base}/lti/login", launch=f"{base}/lti/launch", jwks=f"{base}/lti/jwks.json")


class DevLms:
    """One dev platform: its identity (issuer, client and deployment ids), keys, users and state."""

    def __init__(
        self, shape: str, base_url: str, tool: ToolEndpoints, store: StateStore | None = None, roster_page_size: int = 2
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.shape = shape
        self.base_url = base_url.rstrip("/")
        self.tool = tool
        self.store = store or StateStore()
        self.roster_page_size = roster_page_size
        self.users = fake_users(shape)
        self.endpoint_paths = dict(DEFAULT_PATHS)
        if shape == "canvas":
            self.issuer = CANVAS_ISSUER
            self.client_id = "10000000000042"
            self.deployment_id = "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
        else:
            self.issuer = self.base_url  # Moodle's issuer is its wwwroot
            self.client_id = "kV3mQ9tZr1bY7xP"
            self.deployment_id = "1"

    # URLs the tool is configured with -----------------------------------------------------------
    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def auth_login_url(self) -> str:
        return self.url(self.endpoint_paths["auth"])

    @property
    def token_url(self) -> str:
        return self.url(self.endpoint_paths["token"])

    @property
    def jwks_url(self) -> str:
        return self.url(self.endpoint_paths["jwks"])

    def launch_page_url(self, link_id: str) -> str:
        """Moodle's own launch page for a link (``/mod/lti/launch.php?id=<cmid>``): it starts a fresh login."""
        return self.url("mod/lti/launch.php") + "?" + urlencode({"id": link_id})

    @property
    def session_cookie(self) -> str:
        """The LMS's own login session (Moodle: MoodleSession), which its launch page needs."""
        return "MoodleSession" if self.shape == "moodle" else "canvas_session"

    @property
    def cookie_path(self) -> str:
        return urlparse(self.base_url).path or "/"

    @property
    def memberships_url(self) -> str:
        return self.url(f"memberships?limit={self.roster_page_size}")

    def lineitem_url(self, lineitem_id: str) -> str:
        return self.url(f"lineitems/{lineitem_id}")

    def user(self, user_id: str) -> FakeUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    @property
    def product_family_code(self) -> str:
        return self.shape

    def tool_platform_claim(self) -> dict[str, str]:
        return {
            "guid": f"{self.shape}-dev-{self.client_id}",
            "name": f"Dev {self.shape.title()}",
            "product_family_code": self.product_family_code,
            "version": "2024.01" if self.shape == "canvas" else "4.3",
        }

    def registration(self) -> Registration:
        private = self.store.state.private_pem
        return (
            DevRegistration()
            .set_iss(self.issuer)  # lti1p3platform never sets it by itself
            .set_client_id(self.client_id)
            .set_deployment_id(self.deployment_id)
            .set_oidc_login_url(self.tool.login)
            .set_launch_url(self.tool.launch)
            .set_deeplink_launch_url(self.tool.launch)
            .set_tool_key_set_url(self.tool.jwks)
            .set_platform_private_key(private)
            .set_platform_public_key(public_pem(private))
        )

    def jwks(self) -> dict[str, list[dict[str, t.Any]]]:
        pems = [self.store.state.private_pem, *self.store.state.previous_pems]
        return {"keys": [Registration.get_jwk(public_pem(p)) for p in pems]}

    def new_registration_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.store.lock:
            self.store.state.registration_tokens.append(token)
        return token


@functools.lru_cache(maxsize=32)  # parsing an RSA private key costs ~40 ms (it is validated); keys rarely change
def _private_key(private_pem: str) -> RSAPrivateKey:
    key = load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, RSAPrivateKey)
    return key


@functools.lru_cache(maxsize=32)
def _kid(private_pem: str) -> str | None:
    return Registration.get_jwk(public_pem(private_pem)).get("kid")


class DevRegistration(Registration):
    """lti1p3platform's registration, signing with a key parsed once per key rather than twice per message:
    the library derives the kid from the private PEM (one parse) and hands PyJWT the PEM (another parse)."""

    def get_kid(self) -> str | None:
        private = self.get_platform_private_key()
        return _kid(private) if private else None

    @staticmethod
    def encode_and_sign(payload: dict[str, t.Any], private_key: t.Any, headers: t.Any = None,
                        expiration: int | None = None) -> str:
        key = _private_key(private_key) if isinstance(private_key, str) else private_key
        return Registration.encode_and_sign(payload, key, headers, expiration)

    def platform_encode_and_sign(self, payload: dict[str, t.Any], expiration: int | None = None) -> str:
        private = self.get_platform_private_key()
        assert private is not None, "Platform private key is not set"
        kid = self.get_kid()
        return self.encode_and_sign(payload, private, {"kid": kid} if kid else None, expiration=expiration)


class DevPlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.lms: DevLms = kwargs["lms"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self.lms.registration()

    def validate_token(self, token: str, allowed_scopes: t.Any = None, audience: str | None = None) -> bool:
        # lti1p3platform lets a bad signature escape as an exception (a 500); a platform answers 401.
        try:
            return super().validate_token(token, allowed_scopes, audience)
        except (jwt.InvalidTokenError, LtiException):
            return False


class FlaskPlatformRequest(Request):
    """lti1p3platform has no Flask adapter; this is one. ``page``/``limit`` become ints because the
    library adds 1 to them when it builds a next-page link."""

    def build_metadata(self, request: FlaskRequest) -> TRequest:
        get_data: dict[str, t.Any] = request.args.to_dict()
        for name in ("page", "limit"):
            if name in get_data:
                try:
                    get_data[name] = max(1, int(get_data[name]))
                except ValueError:
                    get_data.pop(name)
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": get_data,
            "headers": request.headers,
            "content_type": request.content_type,
            "path": request.path,
            "json": request.get_json(silent=True),
        }


class DevMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> dict[str, t.Any]:
        return launch_data  # the view renders it with a Jinja template


def _parse_timestamp(value: t.Any) -> datetime:
    if not isinstance(value, str):
        raise LtiServiceException("timestamp is required", 400)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise LtiServiceException("timestamp is not ISO 8601", 400) from None
    if parsed.tzinfo is None:
        raise LtiServiceException("timestamp has no timezone", 400)
    return parsed


class DevAgs(AssignmentsGradesService):
    """Line items and scores kept in the dev state. Records every score POST, accepted or not."""

    def __init__(self, request: Request, lms: DevLms, lineitem_id: str | None = None) -> None:
        self.lms = lms
        super().__init__(
            request,
            DevPlatformConf(lms=lms),
            lineitems_url=lms.url("lineitems"),
            lineitem_url=lms.lineitem_url(lineitem_id) if lineitem_id else None,
        )
        self.platform_config.get_registration()

    def _row_dict(self, row: t.Any) -> dict[str, t.Any]:
        return {
            "id": self.lms.lineitem_url(row.id),
            "label": row.label,
            "scoreMaximum": row.score_maximum,
            "resourceId": row.resource_id,
            "tag": row.tag,
            "resourceLinkId": row.resource_link_id,
        }

    def find_lineitems(self, page: int = 1, limit: int | None = None, **filters: t.Any) -> TPage:
        rows = [self._row_dict(r) for r in self.lms.store.state.lineitems.values()]
        for key, claim in (("resource_link_id", "resourceLinkId"), ("resource_id", "resourceId"), ("tag", "tag")):
            if filters.get(key):
                rows = [r for r in rows if r[claim] == filters[key]]
        return {"content": rows, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id: str) -> t.Any:
        row = self.lms.store.state.lineitems.get(line_item_id)
        if row is None:
            raise LineItemNotFoundException(line_item_id)
        return self._row_dict(row)

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        row = self.lms.store.add_lineitem(
            label=str(creation_data.get("label") or "Line item"),
            score_maximum=float(creation_data.get("scoreMaximum") or 100),
            resource_id=str(creation_data.get("resourceId") or ""),
            tag=str(creation_data.get("tag") or ""),
        )
        return self._row_dict(row)

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        raise LtiServiceException("updating line items is not supported by the dev LMS", 405)

    def delete_lineitem(self, line_item_id: str) -> None:
        raise LtiServiceException("deleting line items is not supported by the dev LMS", 405)

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        store = self.lms.store
        with store.lock:
            if line_item_id not in store.state.lineitems:
                raise LineItemNotFoundException(line_item_id)
            if not isinstance(score, dict):
                raise LtiServiceException("score body must be a JSON object", 400)
            user_id = str(score.get("userId") or "")
            try:
                status = self._judge(line_item_id, user_id, score)
            except LtiServiceException as exc:
                store.state.scores.append(ReceivedScore(line_item_id, user_id, dict(score), exc.status_code))
                store.save()
                raise
            store.state.scores.append(ReceivedScore(line_item_id, user_id, dict(score), 200))
            store.save()
            return status

    def _judge(self, line_item_id: str, user_id: str, score: dict[str, t.Any]) -> UpdateScoreStatus:
        if self.lms.user(user_id) is None:
            raise LtiServiceException(f"unknown userId {user_id!r}", 400)
        for name in ("activityProgress", "gradingProgress"):
            if not score.get(name):
                raise LtiServiceException(f"{name} is required", 400)
        given, maximum = score.get("scoreGiven"), score.get("scoreMaximum")
        if given is not None and (not isinstance(given, int | float) or not isinstance(maximum, int | float)):
            raise LtiServiceException("scoreGiven and scoreMaximum must be numbers", 400)
        when = _parse_timestamp(score.get("timestamp"))
        previous = [
            s
            for s in self.lms.store.state.scores
            if s.lineitem_id == line_item_id and s.user_id == user_id and s.status == 200
        ]
        if previous:
            last = _parse_timestamp(previous[-1].payload["timestamp"])
            if self.lms.shape == "moodle" and int(when.timestamp()) <= int(last.timestamp()):
                # Moodle compares whole seconds and answers 409 to a score that is not newer.
                raise LtiServiceException("score is not newer than the last one", 409)
            if self.lms.shape == "canvas" and when < last:
                raise LtiServiceException("score timestamp is older than the last one", 400)
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id: str, page: int = 1, limit: int | None = None, user_id: str | None = None):  # type: ignore[no-untyped-def]
        row = self.lms.store.state.lineitems.get(line_item_id)
        if row is None:
            raise LineItemNotFoundException(line_item_id)
        latest: dict[str, ReceivedScore] = {}
        for s in self.lms.store.state.scores:
            if s.lineitem_id == line_item_id and s.status == 200 and (not user_id or s.user_id == user_id):
                latest[s.user_id] = s
        content = [
            {
                "id": f"{self.lms.lineitem_url(line_item_id)}/results/{uid}",
                "userId": uid,
                "resultScore": s.payload.get("scoreGiven"),
                "resultMaximum": s.payload.get("scoreMaximum"),
                "comment": s.payload.get("comment"),
                "scoreOf": self.lms.lineitem_url(line_item_id),
            }
            for uid, s in latest.items()
        ]
        return {"content": content, "has_next": False, "next": None}


class DevNrps(NamesRoleProvisioningService):
    def __init__(self, request: Request, lms: DevLms) -> None:
        self.lms = lms
        super().__init__(request, DevPlatformConf(lms=lms), context_memberships_url=lms.url("memberships"))
        self.platform_config.get_registration()

    def get_context_by_id(self) -> Context:
        return Context(id=COURSE["id"], label=COURSE["label"], title=COURSE["title"])

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return resource_link_id in self.lms.store.state.links

    def get_member_data_page(self, page: int = 1, limit: int | None = None, **_: t.Any) -> TPage:
        members = [
            {"user_id": u.id, "name": u.name, "email": u.email, "roles": u.roles, "status": "Active"}
            for u in self.lms.users
        ]
        if not limit:
            return {"content": members, "has_next": False, "next": None}
        start = (page - 1) * limit
        return {"content": members[start : start + limit], "has_next": start + limit < len(members), "next": None}


def next_link_header(lms: DevLms, url: str) -> str:
    # Canvas quotes the relation; lti1p3platform (and so the Moodle shape here) does not.
    return f'<{url}>; rel="next"' if lms.shape == "canvas" else f"<{url}>; rel=next"


def deep_link_launch_hint(user_id: str) -> str:
    return urlencode({"kind": "deep_link", "user": user_id})


def issue_message_hint(lms: DevLms, user: FakeUser, link_id: str | None) -> str:
    """The ``lti_message_hint`` of a login request.

    Canvas: a reusable description of the launch. Moodle (4.x, mod/lti): JSON ``{"cmid", "launchid"}``
    where ``launchid`` names what the launch is in the user's session; auth.php deletes it after one use.
    """
    kind = "link" if link_id else "deep_link"
    if lms.shape != "moodle":
        return urlencode({"kind": kind, **({"link": link_id} if link_id else {})})
    launch_id = f"ltilaunch{link_id or '_deep_link'}_{secrets.randbelow(10**9)}"
    with lms.store.lock:
        lms.store.state.message_hints[launch_id] = {"user": user.id, "kind": kind, "link": link_id or ""}
        lms.store.save()
    return json.dumps({**({"cmid": link_id} if link_id else {}), "launchid": launch_id})


def take_message_hint(lms: DevLms, raw: str) -> dict[str, str] | None:
    """What a login request's hint stands for; None when the platform does not know it (any more).

    Moodle consumes it: a second authorization request with the same hint is an "Invalid request".
    """
    if lms.shape != "moodle":
        return {k: v[0] for k, v in parse_qs(raw).items()}
    try:
        hint = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(hint, dict):
        return None
    with lms.store.lock:
        found = lms.store.state.message_hints.pop(str(hint.get("launchid")), None)
        lms.store.save()
    return found
