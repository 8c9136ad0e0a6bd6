"""HTTP face of a DevLms: OIDC auth endpoint, JWKS, token, AGS, NRPS, deep-link return, dynamic
registration, and pages for a newcomer (launch as a student or the instructor, gradebook, roster).

`make_blueprint` only assembles route groups; each `add_*` function below owns one group of URLs.
"""

from __future__ import annotations

import json
import secrets
import typing as t
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlencode

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request
from lti1p3platform.exceptions import (
    MissingRequiredClaim,
    PreflightRequestValidationException,
    UnsupportedGrantType,
)
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.response import Response as PlatformResponse

from devlms.platform import (
    COURSE,
    DEFAULT_PATHS,
    MOODLE_PATHS,
    DevAgs,
    DevLms,
    DevMessageLaunch,
    DevNrps,
    DevPlatformConf,
    FlaskPlatformRequest,
    ToolEndpoints,
    issue_message_hint,
    next_link_header,
    take_message_hint,
)
from devlms.state import FakeUser, Link

# Relative to this package: the blueprints bring their own templates, so the product's folder has none.
TEMPLATE_FOLDER = "templates"
DL_ACCEPT_TYPES = {"ltiResourceLink"}
SERVICE_SCOPES = [
    "openid",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
REGISTRATION_REQUIRED = ("initiate_login_uri", "redirect_uris", "jwks_uri", "client_name")

TextReply = Response | tuple[str, int]


class Refused(Exception):
    """A request the dev LMS turns down; the message is the 400 body."""


def make_blueprint(lms: DevLms, name: str, url_prefix: str = "") -> Blueprint:
    """Every URL of one dev LMS, optionally under a prefix (/dev/<shape> inside the tool)."""
    bp = Blueprint(name, __name__, url_prefix=url_prefix or None, template_folder=TEMPLATE_FOLDER,
                   static_folder="static", static_url_path="/devlms-static")
    bp.before_request(lms.store.refresh)  # gunicorn workers share the state file
    add_course_pages(bp, lms)
    add_launch_routes(bp, lms)
    add_deep_link_return(bp, lms)
    add_token_route(bp, lms)
    add_ags_routes(bp, lms)
    add_nrps_routes(bp, lms)
    add_dynamic_registration_routes(bp, lms)
    return bp


def make_home_blueprint(lmses: list[DevLms]) -> Blueprint:
    """/dev/: the page that lists every dev LMS mounted inside the tool."""
    home = Blueprint("devlms_home", __name__, url_prefix="/dev", template_folder=TEMPLATE_FOLDER)

    @home.get("/")
    def dev_home() -> str:
        return render_template("devlms/home.html", lmses=lmses)

    return home


# Course pages and JSON for people and tests -------------------------------------------------------


def add_course_pages(bp: Blueprint, lms: DevLms) -> None:
    @bp.get("/")
    def index() -> str:
        return render_template("devlms/index.html", lms=lms, bp=bp.name, links=list(lms.store.state.links.values()))

    @bp.get("/gradebook")
    def gradebook() -> str:
        return render_template("devlms/gradebook.html", lms=lms, bp=bp.name)

    @bp.get("/gradebook.json")
    def gradebook_json() -> Response:
        state = lms.store.state
        return jsonify(
            {
                "lineitems": {k: vars(v) for k, v in state.lineitems.items()},
                "scores": [vars(s) for s in state.scores],
            }
        )

    @bp.get("/roster")
    def roster() -> str:
        return render_template("devlms/roster.html", lms=lms, bp=bp.name)

    @bp.get("/view")
    def view_embedded() -> str:
        """The activity inside the course page, as Moodle's view.php shows it by default: the launch in an
        iframe (so the tool's cookies are third-party there)."""
        user = lms.user(request.args.get("user", ""))
        link = lms.store.state.links.get(request.args.get("link", ""))
        if user is None or link is None:
            abort(404, description="unknown user or link")
        src = lms.url("launch") + "?" + urlencode({"user": user.id, "link": link.id})
        return render_template("devlms/view.html", lms=lms, link=link, user=user, src=src)

    @bp.post("/links")
    def add_bare_link() -> Response:
        """Add the tool to the course without choosing content (Moodle's "Add an activity" without "Select
        content"; Canvas's course navigation): the link's launches carry no custom parameters."""
        row = lms.store.add_lineitem(label="CodeResidency", score_maximum=100)
        link = lms.store.add_link("CodeResidency", lms.tool.launch, {}, row.id)
        return redirect(lms.url("/") + "?" + urlencode({"created": link.id}), code=303)  # type: ignore[return-value]


# Launches: OIDC third-party login, the authorization endpoint, the platform's key set -------------


class DevOIDCLogin(OIDCLoginAbstract):
    """Third-party login initiation. Canvas POSTs an auto-submitting form to the tool's login URL;
    the Moodle shape redirects with GET, so the tool's login endpoint is exercised both ways."""

    def __init__(self, request: t.Any, platform_config: DevPlatformConf, use_post: bool) -> None:
        super().__init__(request, platform_config)
        self.use_post = use_post

    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["value"]  # made by devlms.platform.issue_message_hint

    def get_redirect(self, url: str) -> Response:
        if not self.use_post:
            return redirect(url)  # type: ignore[return-value]
        action, _, query = url.partition("?")
        fields = {k: v[0] for k, v in parse_qs(query).items()}
        return Response(render_template("devlms/login_post.html", action=action, fields=fields))


def add_launch_routes(bp: Blueprint, lms: DevLms) -> None:
    @bp.get("/launch")
    def launch() -> Response:
        """Start an LTI launch like the LMS does when a user clicks a link: OIDC third-party login."""
        user = lms.user(request.args.get("user", ""))
        if user is None:
            abort(404, description="unknown user")
        response = start_login(lms, user, None if request.args.get("deep_link") else request.args.get("link", ""))
        if lms.shape == "moodle":  # the user is now logged in to Moodle; its own launch page relies on that
            response.set_cookie(lms.session_cookie, user.id, path=lms.cookie_path, httponly=True, samesite="Lax")
        return response

    if lms.shape == "moodle":

        @bp.get("/mod/lti/launch.php")
        def moodle_launch_page() -> Response:
            """Moodle's launch page for one activity (``id`` = course module): a fresh login for the session's
            user, with a fresh single-use message hint. A tool can send a new window here to start over."""
            user = lms.user(request.cookies.get(lms.session_cookie, ""))
            if user is None:
                abort(401, description="not logged in to this LMS: open the course page first")
            return start_login(lms, user, request.args.get("id", ""))

    def auth() -> TextReply:
        """OIDC authorization endpoint: check the tool's request, then sign and form_post the id_token."""
        params = request.values
        refusal = auth_request_refusal(lms, params)
        if refusal:
            return refusal, 400
        user = lms.user(params.get("login_hint", ""))
        if user is None:
            return "unknown login_hint", 400
        hint = take_message_hint(lms, params.get("lti_message_hint", ""))
        if hint is None:  # Moodle: the launch the hint named was used (or never existed): moodle_exception
            return "Invalid request", 400
        if lms.shape == "moodle" and hint.get("user") != user.id:
            return "access_denied: the login hint is another user", 400
        message = course_launch_message(lms, user)
        if hint.get("kind") == "deep_link":
            if not user.instructor:
                return "deep linking is for instructors", 403
            add_deep_linking_claims(message, lms)
        else:
            link = lms.store.state.links.get(hint.get("link", ""))
            if link is None:
                return "unknown resource link", 400
            add_resource_link_claims(message, lms, link)
        message.set_launch_presentation_claim("iframe", lms.url("/"))
        try:
            data = message.lti_launch()
        except PreflightRequestValidationException:
            return "the login request from the tool is incomplete", 400
        return Response(render_template("devlms/form_post.html", **data))

    def jwks() -> Response:
        with lms.store.lock:
            lms.store.state.jwks_served += 1
        return jsonify(lms.jwks())

    # Served at both the default and Moodle's own paths; the platform's configuration names one of them.
    for name, view, methods in (("auth", auth, ["GET", "POST"]), ("jwks", jwks, ["GET"])):
        for flavour, paths in (("default", DEFAULT_PATHS), ("moodle", MOODLE_PATHS)):
            bp.add_url_rule(f"/{paths[name]}", f"{name}_{flavour}", view, methods=methods)


def start_login(lms: DevLms, user: FakeUser, link_id: str | None) -> Response:
    """Third-party login initiation for a resource link, or for deep linking when ``link_id`` is None."""
    login = DevOIDCLogin(request, DevPlatformConf(lms=lms), use_post=lms.shape == "canvas")
    if link_id is None:
        if not user.instructor:
            abort(403, description="only the instructor can add activities")
        login.set_deeplinking_launch_url()
    else:
        link = lms.store.state.links.get(link_id)
        if link is None:
            abort(404, description="unknown link")
        login.set_launch_url(link.url)
    login.set_lti_message_hint(value=issue_message_hint(lms, user, link_id))
    return login.initiate_login(user.id)


def auth_request_refusal(lms: DevLms, params: Mapping[str, str]) -> str | None:
    """Why the tool's authorization request is refused, or None when it matches the registration."""
    if params.get("redirect_uri") != lms.tool.launch:
        return "redirect_uri is not registered for this tool"
    if params.get("client_id") != lms.client_id:
        return "unknown client_id"
    if params.get("response_type") != "id_token" or params.get("scope") != "openid":
        return "unsupported response_type or scope"
    return None


def course_launch_message(lms: DevLms, user: FakeUser) -> DevMessageLaunch:
    """The claims every launch carries: who, which course, which platform, where the roster is."""
    message = DevMessageLaunch(FlaskPlatformRequest(request), DevPlatformConf(lms=lms))
    message.set_user_data(user.id, user.roles, full_name=user.name, email_address=user.email)
    message.set_launch_context_claim(
        COURSE["id"],
        ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        COURSE["title"],
        COURSE["label"],
    )
    message.set_extra_claims({"https://purl.imsglobal.org/spec/lti/claim/tool_platform": lms.tool_platform_claim()})
    message.set_nrps(lms.memberships_url)
    return message


def add_deep_linking_claims(message: DevMessageLaunch, lms: DevLms) -> None:
    message.set_dl(
        lms.url("deep_link_return"),
        title="Add an activity",
        accept_types=DL_ACCEPT_TYPES,
        extra_data={"opaque": secrets.token_hex(8)},
    )


def add_resource_link_claims(message: DevMessageLaunch, lms: DevLms, link: Link) -> None:
    message.set_launch_url(link.url)
    message.set_resource_link_claim(link.id, title=link.title)
    message.set_custom_parameters_claim(dict(link.custom))
    if link.lineitem_id:  # only graded links get the AGS claim, as in a real LMS
        message.set_ags(lms.url("lineitems"), lms.lineitem_url(link.lineitem_id))


# Deep-linking return: the tool's chosen activities become links (and line items) in the course -----


def add_deep_link_return(bp: Blueprint, lms: DevLms) -> None:
    @bp.post("/deep_link_return")
    def deep_link_return() -> TextReply:
        try:
            items = verified_deep_link_items(lms, request.form.get("JWT", ""))
        except Refused as exc:
            return str(exc), 400
        created = add_deep_linked_items(lms, items)
        return redirect(lms.url("/") + "?" + urlencode({"created": ",".join(created)}), code=303)  # type: ignore[return-value]


def verified_deep_link_items(lms: DevLms, token: str) -> list[dict[str, t.Any]]:
    """The content items of a deep-linking response JWT, after the checks a real LMS makes."""
    conf = DevPlatformConf(lms=lms)
    conf.get_registration()
    conf.set_accepted_deeplinking_types(list(DL_ACCEPT_TYPES))
    try:
        items = conf.validate_deeplinking_resp({"JWT": token})
    except Exception as exc:  # bad signature, unknown kid, wrong message type, unsupported item type
        raise Refused(f"deep linking response refused: {exc}") from exc
    # lti1p3platform checks the signature and message type but not aud, iss or deployment_id.
    body = conf._jwt.get("body") or {}
    aud = body.get("aud")
    if body.get("iss") != lms.client_id or lms.issuer not in (aud if isinstance(aud, list) else [aud]):
        raise Refused("deep linking response has the wrong iss or aud")
    if body.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id") != lms.deployment_id:
        raise Refused("deep linking response has the wrong deployment_id")
    return items


def add_deep_linked_items(lms: DevLms, items: list[dict[str, t.Any]]) -> list[str]:
    """Store one link per item (plus its line item when the tool asked for one); returns the link ids."""
    created = []
    for item in items:
        lineitem = item.get("lineItem")
        row = None
        if lineitem:
            row = lms.store.add_lineitem(
                label=str(lineitem.get("label") or item.get("title") or "Activity"),
                score_maximum=float(lineitem.get("scoreMaximum") or 100),
                resource_id=str(lineitem.get("resourceId") or ""),
                tag=str(lineitem.get("tag") or ""),
            )
        link = lms.store.add_link(
            title=str(item.get("title") or "Activity"),
            url=str(item.get("url") or lms.tool.launch),
            custom={str(k): str(v) for k, v in (item.get("custom") or {}).items()},
            lineitem_id=row.id if row else None,
        )
        created.append(link.id)
    with lms.store.lock:
        lms.store.state.deep_link_responses.append({"items": items, "links": created})
        lms.store.save()
    return created


# Service endpoints: the OAuth2 token, then AGS and NRPS that it grants access to ------------------


def add_token_route(bp: Blueprint, lms: DevLms) -> None:
    def token() -> Response:
        conf = DevPlatformConf(lms=lms)
        conf.get_registration()
        try:
            issued = conf.get_access_token(request.form.to_dict())
            with lms.store.lock:
                lms.store.state.tokens_issued += 1
            return jsonify(issued)
        except (MissingRequiredClaim, UnsupportedGrantType) as exc:
            return _json_error("invalid_request", str(exc), 400)
        except Exception as exc:  # invalid or unverifiable client assertion
            return _json_error("invalid_client", str(exc), 401)

    for flavour, paths in (("default", DEFAULT_PATHS), ("moodle", MOODLE_PATHS)):
        bp.add_url_rule(f"/{paths['token']}", f"token_{flavour}", token, methods=["POST"])


def add_ags_routes(bp: Blueprint, lms: DevLms) -> None:
    @bp.route("/lineitems", methods=["GET", "POST"])
    def lineitems() -> Response:
        service = DevAgs(FlaskPlatformRequest(request), lms)
        handler = service.handle_get_lineitems if request.method == "GET" else service.handle_create_lineitem
        return _platform_json(service.handle_resp(handler), lms)

    @bp.get("/lineitems/<lineitem_id>")
    def lineitem(lineitem_id: str) -> Response:
        return _lineitem_call(lms, lineitem_id, lambda service: service.handle_get_lineitem)

    @bp.post("/lineitems/<lineitem_id>/scores")
    def scores(lineitem_id: str) -> Response:
        return _lineitem_call(lms, lineitem_id, lambda service: service.handle_update_score)

    @bp.get("/lineitems/<lineitem_id>/results")
    def results(lineitem_id: str) -> Response:
        return _lineitem_call(lms, lineitem_id, lambda service: service.handle_get_results)


def _lineitem_call(lms: DevLms, lineitem_id: str, pick: Callable[[DevAgs], Callable[..., t.Any]]) -> Response:
    """Run one of lti1p3platform's per-line-item AGS handlers for this request."""
    service = DevAgs(FlaskPlatformRequest(request), lms, lineitem_id)
    return _platform_json(service.handle_resp(pick(service), line_item_id=lineitem_id), lms)


def add_nrps_routes(bp: Blueprint, lms: DevLms) -> None:
    @bp.get("/memberships")
    def memberships() -> Response:
        service = DevNrps(FlaskPlatformRequest(request), lms)
        return _platform_json(service.handle_resp(service.handle_get_members), lms)


def _json_error(error: str, detail: str, status: int) -> Response:
    return Response(json.dumps({"error": error, "detail": detail}), status, mimetype="application/json")


def _platform_json(resp: PlatformResponse, lms: DevLms) -> Response:
    """lti1p3platform's service response as Flask JSON; pagination goes into a Link header."""
    if resp.code == 401:  # counted so tests can tell a refused service token from other failures
        with lms.store.lock:
            lms.store.state.tokens_refused += 1
            lms.store.save()
    if not 200 <= resp.code < 300:
        return Response(json.dumps({"error": resp.message}), status=resp.code, mimetype="application/json")
    result = resp.result
    next_url = result.pop("next", None) if isinstance(result, dict) else None
    data = result["content"] if isinstance(result, dict) and "content" in result else result
    response = Response(json.dumps(data), status=resp.code, mimetype=resp.media_type)
    if next_url:
        response.headers["Link"] = next_link_header(lms, next_url)
    return response


# Dynamic registration, platform side ---------------------------------------------------------------


def add_dynamic_registration_routes(bp: Blueprint, lms: DevLms) -> None:
    @bp.get("/.well-known/openid-configuration")
    def openid_configuration() -> Response:
        return jsonify(openid_configuration_document(lms))

    @bp.post("/register")
    def register() -> TextReply:
        if not consume_registration_token(lms, request.headers.get("Authorization", "")):
            return "invalid registration token", 401
        body = request.get_json(silent=True) or {}
        missing = [k for k in REGISTRATION_REQUIRED if not body.get(k)]
        if missing or body.get("token_endpoint_auth_method") != "private_key_jwt":
            return f"incomplete registration: missing {missing}", 400
        return jsonify(accept_registration(lms, body))

    @bp.get("/dynamic-registration")
    def dynamic_registration() -> str:
        """Admin page: open the tool's registration URL with a fresh registration token."""
        tool_register = request.args.get("tool_register_url") or lms.tool.login.replace("/lti/login", "/lti/register")
        query = urlencode(
            {
                "openid_configuration": lms.url(".well-known/openid-configuration"),
                "registration_token": lms.new_registration_token(),
            }
        )
        return render_template("devlms/dynamic_registration.html", lms=lms, url=f"{tool_register}?{query}")


def openid_configuration_document(lms: DevLms) -> dict[str, t.Any]:
    """The platform's OpenID configuration, as the tool fetches it during dynamic registration."""
    return {
        "issuer": lms.issuer,
        "authorization_endpoint": lms.auth_login_url,
        "token_endpoint": lms.token_url,
        "jwks_uri": lms.jwks_url,
        "registration_endpoint": lms.url("register"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "scopes_supported": SERVICE_SCOPES,
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["iss", "aud", "sub", "name", "email"],
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": lms.product_family_code,
            "version": lms.tool_platform_claim()["version"],
            "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
        },
    }


def consume_registration_token(lms: DevLms, authorization: str) -> bool:
    """True when the bearer token is one the admin page issued; each token registers one tool only."""
    token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
    with lms.store.lock:
        if not token or token not in lms.store.state.registration_tokens:
            return False
        lms.store.state.registration_tokens.remove(token)
    return True


def accept_registration(lms: DevLms, body: dict[str, t.Any]) -> dict[str, t.Any]:
    """Point this LMS at the registered tool and answer with the client_id and deployment_id it got."""
    lms.tool = ToolEndpoints(login=body["initiate_login_uri"], launch=body["redirect_uris"][0], jwks=body["jwks_uri"])
    with lms.store.lock:
        lms.store.state.dynamic_registrations.append(body)
        lms.store.save()
    tool_config = dict(body.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {})
    tool_config["deployment_id"] = lms.deployment_id
    return {**body, "client_id": lms.client_id, "https://purl.imsglobal.org/spec/lti-tool-configuration": tool_config}
