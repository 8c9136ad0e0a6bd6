"""The LTI endpoints: OIDC login, launch, JWKS, Canvas config, dynamic registration, deep-link picker."""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from functools import cache
from urllib.parse import urlencode, urlparse

from flask import Blueprint, Response, jsonify, make_response, redirect, render_template, request, url_for
from sqlalchemy import Insert, insert

from lti_app.access import launch_rows
from lti_app.extensions import db
from lti_app.launches import on_resource_launch
from lti_app.lti import deep_linking
from lti_app.lti.canvas_config import canvas_developer_key
from lti_app.lti.errors import LtiError, error_response
from lti_app.lti.keys import public_jwks
from lti_app.lti.launch import DL_SETTINGS_CLAIM, STATE_COOKIE_PREFIX, build_context, validate_launch
from lti_app.lti.launch_store import (
    DEEP_LINKING,
    RESOURCE_LINK,
    consume,
    load_deep_link,
    persist_launch,
)
from lti_app.lti.platforms import find_deployment, find_platform, find_platform_and_deployment, has_issuer
from lti_app.models.lti import LtiLoginState, utcnow

log = logging.getLogger("lti_app.lti")
# cli_group=None: the blueprint's commands (flask platforms ..., flask keys ...) sit at the top level.
bp = Blueprint("lti", __name__, url_prefix="/lti", cli_group=None)
LOGIN_LIFETIME = timedelta(minutes=10)
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


@bp.errorhandler(LtiError)
def _lti_error(error: LtiError) -> Response:
    db.session.rollback()
    return error_response(error)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """OIDC third-party-initiated login: remember state+nonce server-side, set the state cookie, redirect."""
    params = {name: (request.values.get(name) or "").strip() for name in LOGIN_PARAMS}
    if not params["iss"]:
        raise LtiError("missing_issuer", "The login request names no platform (iss).", 400)
    if not params["login_hint"]:
        raise LtiError("missing_login_hint", "The login request has no login_hint.", 400)
    # The platform and the deployment the login names, in one query when both are named (as Moodle and Canvas do).
    deployment_known = True
    if params["client_id"] and params["lti_deployment_id"]:
        platform, deployment_known = find_platform_and_deployment(params["iss"], params["client_id"],
                                                                  params["lti_deployment_id"])
    else:
        platform = find_platform(params["iss"], params["client_id"] or None)
    if platform is None:
        if has_issuer(params["iss"]) and not params["client_id"]:
            raise LtiError("missing_client_id", "Several registrations exist for this platform: send client_id.", 400)
        if has_issuer(params["iss"]):
            raise LtiError("unknown_client", "This client id is not registered for the platform.", 403)
        raise LtiError("unknown_issuer", f"The platform {params['iss']!r} is not registered with this tool.", 403)
    if params["lti_deployment_id"] and not (
        deployment_known if params["client_id"] else find_deployment(platform, params["lti_deployment_id"])
    ):
        raise LtiError("unknown_deployment", f"Deployment {params['lti_deployment_id']!r} is not registered.", 403)

    # Expired login states are purged by the reconciler (worker/reconciler.py), not by every login.
    state, nonce = "state-" + secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    now = utcnow()
    client_id, auth_login_url = platform.client_id, platform.auth_login_url  # the commit expires the row
    db.session.execute(_insert_login(), {
        "state": state,
        "nonce": nonce,
        "issuer": platform.issuer,
        "client_id": client_id,
        "login_params": params,
        "created_at": now,
        "expires_at": now + LOGIN_LIFETIME,
    })
    db.session.commit()
    auth = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": client_id,
        "redirect_uri": url_for("lti.launch", _external=True),
        "state": state,
        "nonce": nonce,
        "login_hint": params["login_hint"],
    }
    if params["lti_message_hint"]:
        auth["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlparse(auth_login_url).query else "?"
    response = redirect(auth_login_url + separator + urlencode(auth))
    _set_state_cookie(response, state)
    return response


@cache  # built once: a Core insert on the table, not the ORM's bulk-insert path
def _insert_login() -> Insert:
    return insert(LtiLoginState.__table__)


def _set_state_cookie(response: Response, state: str) -> None:
    # Cross-site iframe POSTs only carry SameSite=None cookies, and browsers accept those only with Secure.
    # Behind a TLS proxy request.is_secure reflects X-Forwarded-Proto (ProxyFix when settings.trust_proxy).
    secure = request.is_secure
    response.set_cookie(
        STATE_COOKIE_PREFIX + state,
        state,
        max_age=int(LOGIN_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
    )


@bp.post("/launch")
def launch() -> Response:
    validated = validate_launch()
    body = validated.body
    common = {
        "issuer": validated.platform.issuer,
        "client_id": validated.platform.client_id,
        "deployment_id": validated.deployment_id,
        "user_sub": str(body["sub"]),
        "nonce": str(body["nonce"]),
        "state": validated.state,
    }
    if validated.message_type == DEEP_LINKING:
        ctx = build_context(validated)
        if not ctx.is_instructor:
            raise LtiError("not_instructor", "Only instructors can add activities.", 403)
        record = persist_launch(
            message_type=DEEP_LINKING,
            data={"settings": body.get(DL_SETTINGS_CLAIM) or {}, "custom": ctx.custom, "user_name": ctx.user_name,
                  "context_id": ctx.context_id},
            launch_id=ctx.launch_id,
            **common,
        )
        log.info("deep-linking launch accepted launch_id=%s issuer=%s", record.launch_id, record.issuer)
        response = _render_picker(record.launch_id, record.csrf_token, {}, [],
                                  course=(record.issuer, ctx.context_id))
    else:
        ctx = build_context(validated)
        # What the launch leads to, read before the first write: with the checks' lookup, else in one query.
        rows = validated.rows_for(ctx) or launch_rows(ctx)
        # The launch record and its burnt nonce are committed with what on_resource_launch records: one commit.
        persist_launch(message_type=RESOURCE_LINK, data=ctx.to_dict(), launch_id=ctx.launch_id, commit=False,
                       **common)
        log.info(
            "launch accepted launch_id=%s issuer=%s family=%s instructor=%s",
            ctx.launch_id,
            ctx.issuer,
            ctx.platform_family,
            ctx.is_instructor,
        )
        response = make_response(on_resource_launch(ctx, rows))
    response.delete_cookie(STATE_COOKIE_PREFIX + validated.state, path="/")
    return response


def _render_picker(launch_id: str, csrf_token: str, form: dict[str, str], errors: list[str], status: int = 200,  # type: ignore[no-untyped-def]
                   configure: bool = False, course: tuple[str, str] | None = None, link: str = ""):
    """The picker, rendered for one phase (the one the form names, else the first): only its options are on
    the page, so it works without JavaScript; static/picker.js swaps them in place when the phase changes.
    ``configure``: set up the resource link being launched (posts to lti.configure) instead of deep linking.
    ``course``: (issuer, context id) of the course, whose activities an option like "after" lists; ``link``: the
    link being set up (never offered as the activity it follows)."""
    phases = deep_linking.available_phases()
    chosen = deep_linking.chosen_phase(form) or (phases[0] if phases else None)
    follows = deep_linking.after_choices(course, link) if chosen is not None and "after" in chosen.options else []
    endpoint = "lti.configure" if configure else "lti.deep_link_submit"
    return make_response(
        render_template(
            "lti/picker.html",
            launch_id=launch_id,
            action=url_for(endpoint, launch_id=launch_id),
            configure=configure,
            csrf_token=csrf_token,
            phases=phases,
            chosen=chosen,
            honoured=chosen.options if chosen is not None else frozenset(),
            scenarios=deep_linking.scenarios_for(chosen) if chosen is not None else [],
            pool=deep_linking.offers_pool(chosen),
            pool_words=deep_linking.pool_words(chosen),
            defaults=deep_linking.defaults_for(chosen),
            hints_range=deep_linking.HINTS_RANGE,
            seedings=SEEDING_CHOICES,
            show_answers_choices=SHOW_ANSWERS_CHOICES,
            difficulties=deep_linking.DIFFICULTIES,
            languages=deep_linking.languages_for(chosen),
            language_choice=deep_linking.offers_languages(chosen),
            levels=LEVEL_CHOICES,
            after_choices=follows,
            time_limit_range=deep_linking.TIME_LIMIT_RANGE,
            attempts_range=deep_linking.ATTEMPTS_RANGE,
            attempt_policies=ATTEMPT_POLICY_CHOICES,
            submission_policies=SUBMISSION_POLICY_CHOICES,
            form=form,
            errors=errors,
        ),
        status,
    )


def _picker_form(skip: tuple[str, ...]) -> dict[str, str]:
    """The picker's fields as one string each; a pool's multi-select ("scenario") sends one value per
    choice, joined here with commas as it is stored."""
    form = {k: v for k, v in request.form.items() if k not in skip}
    for name in ("scenario", "language"):  # ticked boxes: a pool of scenarios, several languages
        chosen = [v.strip() for v in request.form.getlist(name) if v.strip()]
        if len(chosen) > 1:
            form[name] = ",".join(chosen)
    return form


ATTEMPT_POLICY_CHOICES = (
    ("best", "Best attempt counts (a worse attempt never lowers the grade)"),
    ("latest", "Latest attempt counts"),
    ("first", "First attempt counts (later attempts are practice)"),
)
SHOW_ANSWERS_CHOICES = (
    ("after_last", "Once no attempt is left (a retake does not start with the answers known)"),
    ("after_each", "After each attempt"),
)
SEEDING_CHOICES = (
    ("student", "A seeded exercise for each student and attempt (classmates cannot share answers)"),
    ("shared", "One exercise for the whole activity"),
)
LEVEL_CHOICES = (
    ("intern", "Intern — most of the solution given with TODO markers, every test shown, hints always"),
    ("junior", "Junior — function stubs, hidden tests listed by name, a free hint after each failed run"),
    ("mid", "Mid — the signature only, hidden tests hidden, hints on request for points"),
    ("senior", "Senior — an empty file; the student writes their own tests, which count toward quality"),
)
SUBMISSION_POLICY_CHOICES = (
    ("best", "Best Submit counts (most hidden tests passed)"),
    ("latest", "Latest Submit counts"),
)


@bp.post("/deep-link/<launch_id>")
def deep_link_submit(launch_id: str) -> Response:
    """The picker's answer: validate it, sign an LtiDeepLinkingResponse and auto-post it to the platform."""
    session = load_deep_link(launch_id)
    if session is None:
        raise LtiError("unknown_launch", "This activity picker has expired or was already used. Start again.", 403)
    if not hmac.compare_digest(request.form.get("csrf_token", ""), session.csrf_token):
        raise LtiError("csrf_failed", "The form did not come from this launch's picker.", 403)
    form = _picker_form(("csrf_token", "show_options"))
    course = (session.issuer, session.context_id)
    if request.form.get("show_options"):  # the no-JavaScript phase switch: the picker again, for that phase
        return _render_picker(launch_id, session.csrf_token, form, [], course=course)
    choice, errors = deep_linking.parse_choice(form, course=course)
    if choice is None:
        return _render_picker(launch_id, session.csrf_token, form, errors, status=400, course=course)
    try:
        token, activity_key = deep_linking.build_response_jwt(session, choice, url_for("lti.launch", _external=True))
    except LookupError as exc:
        raise LtiError("unknown_issuer", str(exc), 403) from exc
    if not consume(launch_id):
        raise LtiError("unknown_launch", "This activity picker was already used.", 403)
    log.info("deep link answered launch_id=%s activity_key=%s phase=%s", launch_id, activity_key, choice.phase)
    return_url = session.settings.get("deep_link_return_url", "")
    return make_response(render_template("lti/deep_link_response.html", return_url=return_url, jwt=token))


@bp.route("/configure/<launch_id>", methods=["GET", "POST"])
def configure(launch_id: str) -> Response:
    """Set up, in place, a resource link that came without CodeResidency parameters (Moodle's "Add an activity"
    without "Select content", a Canvas course-navigation link): the picker, checked exactly as for deep
    linking, stored on that link's activity. Authorised by the instructor's launch of that link, with CSRF."""
    from lti_app.access import activity_for, require_launch
    from lti_app.launches import configure_in_place
    from lti_app.security import check_csrf, csrf_token

    ctx = require_launch(launch_id, instructor=True)
    activity = activity_for(ctx)
    results = url_for("instructor.results", launch_id=launch_id)
    here = {"configure": True, "course": (ctx.issuer, ctx.context_id), "link": ctx.resource_link_id}
    if request.method == "GET":
        if activity.phase:  # already set up (by this picker, another instructor, or the link itself)
            return redirect(results)  # type: ignore[return-value]
        return _render_picker(launch_id, csrf_token(launch_id), {}, [], **here)
    check_csrf(launch_id)
    form = _picker_form(("csrf_token", "show_options", "title"))
    if activity.phase:  # a second submit, or someone else was first: change nothing
        return redirect(results, code=303)  # type: ignore[return-value]
    if request.form.get("show_options"):  # the no-JavaScript phase switch
        return _render_picker(launch_id, csrf_token(launch_id), form, [], **here)
    choice, errors = deep_linking.parse_choice(form, course=here["course"], link=ctx.resource_link_id)
    if choice is None:
        return _render_picker(launch_id, csrf_token(launch_id), form, errors, status=400, **here)
    if not configure_in_place(activity, choice.phase, choice.options):
        log.info("link already configured meanwhile launch_id=%s activity=%s", launch_id, activity.id)
    return redirect(results, code=303)  # type: ignore[return-value]


@bp.get("/jwks.json")
def jwks() -> Response:
    response = jsonify(public_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/config.json")
def config_json() -> Response:
    return jsonify(canvas_developer_key())


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response:
    """LTI Dynamic Registration initiation (the platform opens this URL in an iframe or window)."""
    from lti_app.lti.dynamic_registration import register as do_register

    openid_configuration = request.values.get("openid_configuration", "").strip()
    if not openid_configuration:
        raise LtiError("missing_openid_configuration", "Open this page from your LMS's registration screen.", 400)
    result = do_register(openid_configuration, request.values.get("registration_token") or None)
    return make_response(render_template("lti/registered.html", result=result))


from lti_app.lti import cli  # noqa: E402,F401  (attaches the CLI groups to bp.cli)
