"""Validation of an LTI 1.3 id_token POSTed to /lti/launch.

pylti1p3 parses the token and checks message claims; on top of it this module adds what pylti1p3 2.0.0
lacks: the nonce must belong to the state we issued and may be used once, the state cookie must come back
(or the browser is offered the new-window path), the platform key set is refetched once on an unknown kid,
``alg`` must be RSA, ``aud``/``iss``/``exp`` are verified by PyJWT, and every failure has a reason code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import request, url_for
from jwcrypto.jwk import JWK
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException
from sqlalchemy import Select, bindparam, literal, select

from lti_app.access import joined_launch_rows, rows_from
from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.lti.errors import LtiError
from lti_app.lti.launch_store import DEEP_LINKING, RESOURCE_LINK, new_launch_id
from lti_app.lti.platforms import (
    DbToolConf,
    KeySetError,
    fetch_key_set,
    find_platform,
    guess_family,
    has_issuer,
    to_registration,
)
from lti_app.models.lti import LtiDeployment, LtiLoginState, LtiPlatform, LtiUsedNonce, utcnow

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
ALLOWED_ALGS = ("RS256", "RS384", "RS512")
CLOCK_LEEWAY_SECONDS = 60  # tolerate modest clock skew between platform and tool
STATE_COOKIE_PREFIX = "lti1p3-"
# pylti1p3 makes a requests.Session per launch for its own key-set downloads, which this class never uses (the key
# set is cached on the platform row, see fetch_key_set): one idle session for every launch instead.
_UNUSED_HTTP = requests.Session()


@dataclass(frozen=True)
class ValidatedLaunch:
    body: dict[str, Any]
    platform: LtiPlatform
    state: str
    message_type: str
    # What a resource-link launch leads to (access.LaunchRows), read with the checks' lookup, for the course,
    # link and user of ``rows_key`` (context id, resource link id, sub); None when not read.
    rows: Any = None
    rows_key: tuple[str, str, str] | None = None

    @property
    def deployment_id(self) -> str:
        return str(self.body[CLAIM + "deployment_id"])

    def rows_for(self, ctx: LaunchContext) -> Any:
        """The rows read with the lookup when they are those of ``ctx``'s course, link and user, else None."""
        same = self.rows_key == (ctx.context_id, ctx.resource_link_id, ctx.user_sub)
        return self.rows if same else None


class ToolMessageLaunch(FlaskMessageLaunch):
    """pylti1p3's launch with our state/nonce store, kid refetch and reason-coded failures."""

    def __init__(self) -> None:
        super().__init__(FlaskRequest(), DbToolConf(), requests_session=_UNUSED_HTTP)
        self._platform: LtiPlatform | None = None
        self._deployment_known = False
        self._login: LtiLoginState | None = None
        self._replayed = False
        self._audiences: list[str] = []
        self._rows: Any = None
        self._rows_key: tuple[str, str, str] | None = None

    # pylti1p3 calls validate() lazily from its getters; we always call it explicitly first.
    def validate(self) -> ToolMessageLaunch:  # type: ignore[override]
        self._validated = True
        try:
            self._validate_params()
            self._step("malformed_token", 400, self.validate_jwt_format)
            header, body = self._jwt.get("header"), self._jwt.get("body")
            if not isinstance(header, dict) or not isinstance(body, dict):
                raise LtiError("malformed_token", "The token header and body must be JSON objects.", 400)
            if header.get("alg") not in ALLOWED_ALGS:
                raise LtiError("unsupported_alg", f"Token algorithm {header.get('alg')!r} is not accepted.", 401)
            for claim in ("iss", "nonce", "sub"):
                if not isinstance(body.get(claim), str) or not body[claim]:
                    raise LtiError("malformed_token", f"The token has no valid {claim!r} claim.", 400)
            if not body.get("aud") or not isinstance(body["aud"], str | list):
                raise LtiError("malformed_token", "The token has no valid 'aud' claim.", 400)
            self._look_up(body)
            self._validate_state_and_nonce(body)
            self._validate_registration(body)
            self._validate_signature()
            self._validate_deployment(body)
            self._step("invalid_message", 400, self.validate_message)
        except Exception:
            self._validated = False
            raise
        return self

    @staticmethod
    def _step(code: str, status: int, check: Any) -> None:
        try:
            check()
        except LtiException as exc:
            raise LtiError(code, str(exc), status) from exc

    def _validate_params(self) -> None:
        if not request.form.get("id_token") and request.form.get("error"):
            # The platform refused our authorization request and says why (OIDC error response).
            said = (request.form.get(k, "")[:200] for k in ("error", "error_description"))
            detail = " — ".join(x for x in said if x)
            raise LtiError("platform_error", f"The platform refused the login: {detail}. Open the activity again "
                           "from your course; if it keeps failing, give your instructor this reason.", 400)
        if not request.form.get("id_token"):
            raise LtiError("missing_id_token", "The platform sent no id_token.", 400)
        if not request.form.get("state"):
            raise LtiError("missing_state", "The platform sent no state parameter.", 400)

    def _look_up(self, body: dict[str, Any]) -> None:
        """One query for everything the checks below read: whether the nonce was used, the login state, and the
        registration the token is addressed to with whether its deployment is one of its own. Nothing is
        trusted yet: each check that follows decides on what was read (the signature before the deployment)."""
        aud = body["aud"]
        self._audiences = [str(a) for a in (aud if isinstance(aud, list) else [aud])]
        client_id = str(body.get("azp") or self._audiences[0])
        self._rows_key = _link_keys(body)  # a resource-link launch reads what it leads to here too (one query)
        context_id, resource_link_id, sub = self._rows_key or ("", "", "")
        row = db.session.execute(_launch_lookup(), {
            "issuer": body["iss"], "nonce": str(body["nonce"]), "state": request.form["state"],
            "client_id": client_id, "deployment_id": str(body.get(CLAIM + "deployment_id") or ""),
            "context_id": context_id, "resource_link_id": resource_link_id, "sub": sub,
        }).one()
        used, login, platform, deployment = row[:4]
        self._replayed, self._login, self._platform = bool(used), login, platform
        self._deployment_known = deployment is not None
        self._rows = rows_from(row) if self._rows_key is not None else None

    def _validate_state_and_nonce(self, body: dict[str, Any]) -> None:
        state, login = request.form["state"], self._login
        if self._replayed:
            raise LtiError("nonce_replayed", "This launch was already used. Open the activity again.", 401)
        if login is None or login.expires_at <= utcnow():
            raise LtiError("unknown_state", "The login for this launch is unknown or expired. Try again.", 401)
        cookie = request.cookies.get(STATE_COOKIE_PREFIX + state)
        if cookie is None:
            raise missing_cookie_error(login)
        if cookie != state:
            raise LtiError("state_mismatch", "The launch does not match the login that started it.", 401)
        if login.issuer != body["iss"]:
            raise LtiError("wrong_issuer", "The token's issuer is not the platform that started the login.", 401)
        if str(body["nonce"]) != login.nonce:
            raise LtiError("nonce_mismatch", "The token's nonce does not match the login.", 401)

    def _validate_registration(self, body: dict[str, Any]) -> None:
        if len(self._audiences) > 1 and body.get("azp") not in self._audiences:
            raise LtiError("wrong_audience", "A token with several audiences must name one in azp.", 401)
        platform = self._platform  # read with the login state (_look_up), with whether the deployment is its own
        if platform is None:
            if has_issuer(body["iss"]):
                raise LtiError("wrong_audience", "The token is addressed to a client id not registered here.", 403)
            raise LtiError("unknown_issuer", f"The platform {body['iss']!r} is not registered with this tool.", 403)
        if self._login is not None and platform.client_id != self._login.client_id:
            raise LtiError("wrong_audience", "The token is addressed to another client than the login.", 401)
        self._registration = to_registration(platform, signing=False)  # a launch verifies, it never signs

    def get_public_key(self) -> tuple[str, str]:
        """The platform key matching the token's kid; refetch the key set once if the kid is unknown."""
        assert self._platform is not None
        header = self._jwt.get("header", {})
        kid, alg = header.get("kid"), header.get("alg")
        if not kid:
            raise LtiError("unknown_kid", "The token header names no key (kid).", 401)
        try:
            key_set = self._platform.key_set or fetch_key_set(self._platform)
            key = _find_key(key_set, kid, alg)
            if key is None:  # the platform may have rotated its keys since we cached them
                key = _find_key(fetch_key_set(self._platform), kid, alg)
        except KeySetError as exc:
            raise LtiError("key_set_unavailable", str(exc), 401) from exc
        if key is None:
            raise LtiError("unknown_kid", f"The platform key {kid!r} is not in its published key set.", 401)
        return _pem_of(json.dumps(key, sort_keys=True)), alg

    def _validate_signature(self) -> None:
        assert self._platform is not None
        public_pem, alg = self.get_public_key()
        try:
            jwt.decode(
                request.form["id_token"],
                _verifying_key(public_pem),
                algorithms=[alg],
                audience=self._platform.client_id,
                issuer=self._platform.issuer,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LtiError("token_expired", "The launch token has expired. Open the activity again.", 401) from exc
        except jwt.InvalidAudienceError as exc:
            raise LtiError("wrong_audience", "The token is not addressed to this tool.", 403) from exc
        except jwt.InvalidSignatureError as exc:
            raise LtiError("bad_signature", "The token signature does not verify.", 401) from exc
        except jwt.InvalidTokenError as exc:
            raise LtiError("invalid_token", f"The token is not valid: {exc}", 401) from exc

    def _validate_deployment(self, body: dict[str, Any]) -> None:
        deployment_id = body.get(CLAIM + "deployment_id")
        assert self._platform is not None
        if not deployment_id or not self._deployment_known:  # looked up with the platform
            raise LtiError("unknown_deployment", f"Deployment {deployment_id!r} is not registered here.", 403)

    def result(self) -> ValidatedLaunch:
        body = self._jwt["body"]
        message_type = body.get(CLAIM + "message_type")
        if message_type not in (RESOURCE_LINK, DEEP_LINKING):
            raise LtiError("unsupported_message_type", f"Message type {message_type!r} is not supported.", 400)
        assert self._platform is not None
        return ValidatedLaunch(
            body=dict(body), platform=self._platform, state=request.form["state"], message_type=message_type,
            rows=self._rows, rows_key=self._rows_key,
        )


@cache
def _launch_lookup() -> Select[Any]:
    """One query: was the nonce used already, the login state (if any) that started this launch, and the
    registration for (issuer, client id) (if any) with the token's deployment's row id (None: not one of its own)."""
    replayed = select(LtiUsedNonce.id).where(LtiUsedNonce.issuer == bindparam("issuer"),
                                             LtiUsedNonce.nonce == bindparam("nonce")).exists()
    anchor = select(literal(1).label("one")).subquery("anchor")
    return joined_launch_rows(  # and, last, what a resource-link launch leads to (access.joined_launch_rows)
        select(replayed.label("replayed"), LtiLoginState, LtiPlatform, LtiDeployment.id)
        .select_from(anchor)
        .outerjoin(LtiLoginState, LtiLoginState.state == bindparam("state"))
        .outerjoin(LtiPlatform, (LtiPlatform.issuer == bindparam("issuer"))
                   & (LtiPlatform.client_id == bindparam("client_id")))
        .outerjoin(LtiDeployment, (LtiDeployment.platform_id == LtiPlatform.id)
                   & (LtiDeployment.deployment_id == bindparam("deployment_id")))
    )


def _link_keys(body: dict[str, Any]) -> tuple[str, str, str] | None:
    """(context id, resource link id, sub) of a resource-link launch's claims, as build_context reads them; None
    for another message type or claims of the wrong shape (build_context decides about those after validation)."""
    if body.get(CLAIM + "message_type") != RESOURCE_LINK:
        return None
    context, link = body.get(CLAIM + "context") or {}, body.get(CLAIM + "resource_link") or {}
    if not isinstance(context, dict) or not isinstance(link, dict):
        return None
    return str(context.get("id") or ""), str(link.get("id") or ""), str(body["sub"])


@lru_cache(maxsize=64)
def _pem_of(jwk_json: str) -> str:
    """A platform's public JWK as PEM (pure: the same key always gives the same PEM)."""
    return JWK.from_json(jwk_json).export_to_pem().decode()


@lru_cache(maxsize=64)
def _verifying_key(public_pem: str) -> Any:
    """The parsed public key, so PyJWT does not parse the PEM again on every launch."""
    return load_pem_public_key(public_pem.encode())


def _find_key(key_set: dict, kid: str, alg: str) -> dict | None:
    for key in key_set.get("keys", []):
        if key.get("kid") == kid and key.get("alg", "RS256") == alg:
            return key
    return None


def missing_cookie_error(login: LtiLoginState) -> LtiError:
    """The state cookie did not come back: say what really happened, and offer a way that can work.

    Browsers say where the launch arrived (``Sec-Fetch-Dest``: an iframe inside the course page, or a window
    of its own) and whether it came from another site (``Sec-Fetch-Site``). Over plain http the cookie cannot
    be ``SameSite=None`` (browsers want Secure for that), so it is ``Lax`` and never comes back on the
    platform's cross-site form post, inside the course page or in a new window: LTI in an iframe needs https.
    """
    dest = request.headers.get("Sec-Fetch-Dest", "").lower()
    where = "iframe" if dest in ("iframe", "frame", "embed", "object") else "window" if dest == "document" else ""
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    cross_site = True if site == "cross-site" else False if site in ("same-site", "same-origin", "none") else None
    restart = restart_url(login)
    if not request.is_secure and cross_site is not False:
        situation = "http_cross_site" if cross_site else "http"
        message = ("CodeResidency is served over plain http, so its login cookie comes back only when the LMS is on "
                   "the same site" + (", and this LMS is on another site." if cross_site else "."))
        if cross_site:
            restart = None  # a new window would fail the same way
    elif where == "window":
        situation = "window"
        message = ("Your browser did not send back CodeResidency's login cookie, although the activity opened in a "
                   "window of its own: cookies are blocked for this site, or the login took too long.")
    else:
        situation = "iframe"
        message = ("Your browser did not send back the login cookie, which happens when it blocks third-party "
                   "cookies inside the course page. Open the activity in a new window to continue.")
    return LtiError("state_cookie_missing", message, 401, new_window_url=restart, situation=situation, where=where,
                    secure=request.is_secure, tool_host=request.host, moodle=_is_moodle(login))


def restart_url(login: LtiLoginState) -> str | None:
    """Where a new window (or a second try) starts this launch again, from the platform; None when only the
    course page can. Moodle deletes a login's lti_message_hint after one use (mod/lti/auth.php), so replaying
    that login fails there ("Invalid request"); its launch page for the link (``/mod/lti/launch.php?id=<cmid>``,
    the cmid in the hint Moodle sent) starts a fresh login instead. Other platforms (Canvas: a signed hint that
    stays valid for minutes) get the same login request again, with a new state and nonce."""
    if _is_moodle(login):
        cmid = str(_moodle_hint(login).get("cmid", ""))
        if not MOODLE_CMID.fullmatch(cmid):
            return None  # deep linking ("Select content") has no launch page to go back to
        return login.issuer.rstrip("/") + "/mod/lti/launch.php?" + urlencode({"id": cmid})
    params = {k: v for k, v in login.login_params.items() if v}
    params["lti1p3_new_window"] = "1"
    return url_for("lti.login", _external=True) + "?" + urlencode(params)


MOODLE_CMID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _moodle_hint(login: LtiLoginState) -> dict[str, Any]:
    """Moodle's lti_message_hint: JSON {"cmid", "launchid"} (4.x), or the bare cmid (3.x)."""
    raw = str(login.login_params.get("lti_message_hint") or "")
    if raw.isdigit():
        return {"cmid": raw}
    try:
        hint = json.loads(raw)
    except ValueError:
        return {}
    return hint if isinstance(hint, dict) else {}


def _is_moodle(login: LtiLoginState) -> bool:
    platform = find_platform(login.issuer, login.client_id)
    if platform is not None and platform.platform_family == "moodle":
        return True
    return "launchid" in _moodle_hint(login)  # a Moodle registered by hand under an issuer that does not say so


def validate_launch() -> ValidatedLaunch:
    """Validate the current request's id_token; raises LtiError with a reason code."""
    return ToolMessageLaunch().validate().result()


def build_context(launch: ValidatedLaunch, launch_id: str | None = None) -> LaunchContext:
    """The framework-independent view of a validated resource-link launch."""
    body = launch.body
    context = body.get(CLAIM + "context") or {}
    link = body.get(CLAIM + "resource_link") or {}
    ags = body.get(AGS_CLAIM) or {}
    nrps = body.get(NRPS_CLAIM) or {}
    tool_platform = body.get(CLAIM + "tool_platform") or {}
    family = guess_family(body["iss"], tool_platform.get("product_family_code"))
    if family == "generic":
        family = launch.platform.platform_family
    name = body.get("name") or " ".join(p for p in (body.get("given_name"), body.get("family_name")) if p)
    custom = {str(k): "" if v is None else str(v) for k, v in (body.get(CLAIM + "custom") or {}).items()}
    return LaunchContext(
        launch_id=launch_id or new_launch_id(),
        issuer=body["iss"],
        client_id=launch.platform.client_id,
        deployment_id=launch.deployment_id,
        user_sub=str(body["sub"]),
        user_name=name or "",
        user_email=body.get("email") or "",
        roles=tuple(str(r) for r in body.get(CLAIM + "roles") or ()),
        context_id=str(context.get("id") or ""),
        context_title=str(context.get("title") or context.get("label") or ""),
        resource_link_id=str(link.get("id") or ""),
        resource_link_title=str(link.get("title") or ""),
        custom=custom,
        platform_family=family,
        ags_lineitem_url=ags.get("lineitem"),
        ags_lineitems_url=ags.get("lineitems"),
        ags_scopes=tuple(ags.get("scope") or ()),
        nrps_memberships_url=nrps.get("context_memberships_url"),
        return_url=(body.get(CLAIM + "launch_presentation") or {}).get("return_url"),
    )
