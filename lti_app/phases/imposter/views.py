"""HTTP routes of the Imposter: the commit graph, a commit's diff, the author filter, the report (a draft kept
as the student types; Save checks it) and Finish. The terminal (git log, show, blame, bisect, the tests, push)
and the workspace editor are the workbench's (lti_app.workbench.terminal).

Every route is authorised against its launch and the launch's Imposter attempt, open; writes check the launch's
CSRF token (and, but for Finish, that time is left). The graph and the diffs are the domain's ``graph`` and
``diff``, computed without the answer; opening a diff and choosing a filter are recorded for the instructor. The
page's plain forms (no JavaScript) get a page back, with the refusal's sentences and what was typed; the API
gets ``{"error", "detail"}`` (and ``errors`` per field for a report that cannot be saved).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from grader.phases.imposter import PHASE, InvalidReport, RepositoryChanged, UnknownCommit, diff, graph, parse_report
from grader.workbench.workspace import Workspace
from lti_app.errors import Refusal, refuse
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus, utcnow
from lti_app.phases.imposter.records import (
    REPORT_FIELDS,
    change_state,
    iso,
    record_filter,
    record_opened,
)
from lti_app.workbench.attempts import open_attempt, phase_attempt
from lti_app.workbench.clock import seconds_left
from lti_app.workbench.finish import close_for_grading, report_card_answer
from lti_app.workbench.inputs import from_form, json_body, text_field
from lti_app.workbench.workspaces import workspace_of, workspace_row

bp = Blueprint(PHASE.id, __name__, template_folder="templates", static_folder="static",
               static_url_path=f"/static/phases/{PHASE.id}")
log = logging.getLogger(__name__)
CLOSED = ("attempt_closed", "this attempt has ended; your report card has the results")
# What a report's fields may hold before it is even looked at (a draft keeps what was typed; Save says what is
# too long for the report itself: 2,000 characters of explanation).
FIELD_CHARS = {"imposter": 200, "commit": 200, "resolution": 100, "why": 8000}
SHA_CHARS = 64
HEX = re.compile(r"[0-9a-fA-F]+")


def render_page(ctx: Any, attempt: Attempt, **extra: Any) -> str:
    from lti_app.phases.imposter.page import page_html

    return page_html(ctx, attempt, **extra)


# ----- the attempt's repository -----------------------------------------------------------------------------
def seed_workspace(state: dict[str, Any]) -> Workspace:
    """The attempt's first workspace, regenerated from its seed; 409 ``repository_changed`` (a sentence to give
    the instructor) when the scenario changed since the attempt started."""
    from grader.phases.imposter import workspace_seed

    try:
        return workspace_seed(state)
    except RepositoryChanged as exc:
        refuse(409, "repository_changed", f"this attempt's repository cannot be rebuilt ({exc}); tell your "
                                          f"instructor")


class _Seed:
    """What ``workspace_row`` needs of an adapter: the attempt's first workspace."""

    @staticmethod
    def workspace_seed(attempt: Attempt) -> Workspace:
        return seed_workspace(attempt.state)


def current_workspace(attempt: Attempt) -> Workspace:
    """The attempt's workspace as it is now (made from the seed on first use, and committed)."""
    row = workspace_row(attempt, _Seed)
    workspace = workspace_of(row)
    db.session.commit()
    return workspace


def readable_attempt(launch_id: str) -> tuple[Any, Attempt]:
    """For a read (no CSRF token needed): the launch's Imposter attempt, still open."""
    ctx, attempt = phase_attempt(launch_id, PHASE.id)
    if attempt.status != AttemptStatus.OPEN or attempt.state.get("finished"):
        refuse(409, *CLOSED)
    return ctx, attempt


# ----- the graph and the diffs ------------------------------------------------------------------------------
def _sha_arg(sha: str) -> str:
    sha = sha.strip()
    if not sha or len(sha) > SHA_CHARS or not HEX.fullmatch(sha):
        refuse(400, "invalid_commit", "a commit is named by 4 to 40 hexadecimal characters of its sha")
    return sha.lower()


def commit_diff(attempt: Attempt, sha: str) -> dict[str, Any]:
    """The domain's diff of one commit (the team's or the student's own), recorded as opened; 404
    ``unknown_commit`` with the domain's sentence when no commit (or more than one) has that name."""
    name = _sha_arg(sha)
    workspace = current_workspace(attempt)
    try:
        shown = diff(attempt.state, workspace, name)
    except UnknownCommit as exc:
        refuse(404, "unknown_commit", str(exc))
    record_opened(attempt.id, shown["sha"])
    return shown


@bp.get("/api/a/<launch_id>/imposter/graph")
def graph_route(launch_id: str):  # type: ignore[no-untyped-def]
    """The commit graph: every commit (sha, parents, author, email, date, subject, message, refs, lane, merge,
    new) newest first, the authors for the filter, the head and the number of lanes; with the student's own
    commits and where the branches are now."""
    _, attempt = readable_attempt(launch_id)
    return jsonify(graph(attempt.state, current_workspace(attempt)))


@bp.get("/api/a/<launch_id>/imposter/commits/<sha>")
def commit_route(launch_id: str, sha: str):  # type: ignore[no-untyped-def]
    """One commit's full diff (``patch``: a git-style unified diff; a merge against its first parent)."""
    _, attempt = readable_attempt(launch_id)
    return jsonify(commit_diff(attempt, sha))


@bp.get("/a/<launch_id>/imposter/commits/<sha>")
def commit_page(launch_id: str, sha: str):  # type: ignore[no-untyped-def]
    """The same as a page, for the graph's plain list (no JavaScript)."""
    ctx, attempt = readable_attempt(launch_id)
    shown = commit_diff(attempt, sha)
    return render_template("imposter/commit.html", ctx=ctx, commit=shown, title=attempt.state.get("title", ""),
                           page_url=url_for("student.activity", launch_id=launch_id))


def author_label(attempt: Attempt, wanted: str) -> tuple[str, str]:
    """(email, name) of the author ``wanted`` names (an email or a name), ("", "everyone") for none; 400
    ``unknown_author`` for anyone else."""
    wanted = wanted.strip()
    if not wanted:
        return "", "everyone"
    for author in graph(attempt.state, current_workspace(attempt))["authors"]:
        if wanted.lower() in (author["email"].lower(), author["name"].lower()):
            return author["email"], author["name"]
    refuse(400, "unknown_author", "no commit of this repository has that author; choose one from the list")


@bp.post("/api/a/<launch_id>/imposter/filter")
def filter_route(launch_id: str):  # type: ignore[no-untyped-def]
    """The author filter the page now shows (``{"author": email or name, or "" for everyone}``), recorded for
    the instructor. The page filters the graph itself."""
    _, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    wanted = text_field(json_body(), "author", max_chars=320, required=False)
    email, name = author_label(attempt, wanted)
    record_filter(attempt.id, name)
    return jsonify(author=email, name=name)


# ----- the report -------------------------------------------------------------------------------------------
def report_fields(data: dict[str, Any]) -> dict[str, str]:
    """The report's four fields from ``{"report": {...}}`` or the form itself; each text, bounded."""
    source = data.get("report") if isinstance(data.get("report"), dict) else data
    return {name: text_field(source, name, max_chars=FIELD_CHARS[name], required=False).strip()
            for name in REPORT_FIELDS}


def store_report(attempt_id: int, fields: dict[str, str], valid: bool) -> str:
    """The draft (always) and, when it is a valid report, the saved report; returns when. Saving the same
    report again keeps when it was first saved (the time it was reported)."""
    at = iso(utcnow()) or ""

    def put(state: dict[str, Any]) -> dict[str, Any]:
        new = {**state, "report_draft": {"fields": fields, "saved_at": at}}
        if valid:
            old = state.get("report") if isinstance(state.get("report"), dict) else None
            same = old is not None and old.get("fields") == fields
            new["report"] = {"fields": fields, "saved_at": old["saved_at"] if same else at}
        return new

    stored = change_state(attempt_id, put)
    if stored is None:
        refuse(409, *CLOSED)
    db.session.commit()
    return str((stored.get("report") or {}).get("saved_at") if valid else at)


def save_report(attempt: Attempt, fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """(when, errors): every field checked by the domain (``parse_report``); what was typed is kept as the
    draft either way."""
    try:
        parse_report(attempt.state, fields)
        errors: dict[str, str] = {}
    except InvalidReport as exc:
        errors = dict(exc.errors)
    return store_report(attempt.id, fields, not errors), errors


def report_refusal(errors: dict[str, str], at: str) -> Refusal:
    detail = "the report was not saved: " + " ".join(errors.values()) + " (what you typed is kept)"
    return Refusal(400, "invalid_report", detail, errors=errors, draft_saved_at=at)


@bp.put("/api/a/<launch_id>/imposter/report/draft")
def save_draft(launch_id: str):  # type: ignore[no-untyped-def]
    """What the student has typed in the report form, kept as they type (not checked: Save checks it). At the
    deadline, a valid draft newer than the saved report counts."""
    _, attempt = open_attempt(launch_id, PHASE.id)
    fields = report_fields(json_body())
    return jsonify(saved_at=store_report(attempt.id, fields, False))


@bp.post("/api/a/<launch_id>/imposter/report")
def save_report_route(launch_id: str):  # type: ignore[no-untyped-def]
    """Save the report (it does not end the attempt; Finish does): 200 ``{"saved_at", "report"}``; 400
    ``invalid_report`` with ``errors`` ``{field: sentence}`` for every field that is wrong."""
    _, attempt = open_attempt(launch_id, PHASE.id)
    fields = report_fields(json_body())
    at, errors = save_report(attempt, fields)
    if errors:
        raise report_refusal(errors, at)
    return jsonify(saved_at=at, report=fields)


@bp.post("/a/<launch_id>/imposter/report")
def save_report_form(launch_id: str):  # type: ignore[no-untyped-def]
    """The report's plain form: back to the page at the report, or the page with each field's sentence and
    what was typed."""
    if not from_form():
        return save_report_route(launch_id)
    ctx, attempt = open_attempt(launch_id, PHASE.id)
    typed = {k: v[:FIELD_CHARS.get(k, 200) * 2] for k, v in request.form.to_dict().items() if k in REPORT_FIELDS}
    try:
        fields = report_fields(request.form.to_dict())
    except Refusal as exc:
        return render_page(ctx, attempt, report_error=exc.detail, report_values=typed), exc.code
    _, errors = save_report(attempt, fields)
    if errors:
        attempt = db.session.get(Attempt, attempt.id)
        return render_page(ctx, attempt, report_errors=errors, report_values=fields), 400
    return redirect(url_for("student.activity", launch_id=launch_id, saved=1) + "#im-report", code=303)


# ----- the end ----------------------------------------------------------------------------------------------
@bp.post("/a/<launch_id>/imposter/finish")
def finish(launch_id: str):  # type: ignore[no-untyped-def]
    """End the attempt: it closes and is graded on the shared remote as it is now, with the saved report (then
    the report card). A body with ``report`` fields saves them first (400 ``invalid_report``, nothing closed,
    when they are wrong). Possible while the attempt is open, even once its time is up; refused while a command
    is still running (what it does to the remote counts)."""
    _, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    data = json_body()
    if isinstance(data.get("report"), dict):
        if seconds_left(attempt) == 0:  # the saved report (or the last draft) is what the deadline grades
            refuse(409, "time_up", "the time limit has passed: the report can no longer change; it is being graded")
        at, errors = save_report(attempt, report_fields(data))
        if errors:
            raise report_refusal(errors, at)
    close_for_grading(attempt, pending_in_swap="a command is still running; finish when it has ended")
    log.info("attempt %s finished by the student", attempt.id)
    return report_card_answer(launch_id)
