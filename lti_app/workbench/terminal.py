"""The terminal and the workspace's files, for any phase with the ``RunsCommands`` capability.

Routes (on the workbench's blueprint; every one authorised against the launch, for the launch's open attempt;
writes need the launch's CSRF token):

- ``POST /api/a/<launch>/terminal/commands`` ``{"command"}`` — queue one command (≤ 2,000 characters of
  text): 202 with the submission's live view (``events_url``); 409 ``submission_pending`` while the previous
  command (or check) still runs. The shared execute handler runs it with the phase's ``CommandTask`` over
  the attempt's workspace and stores the new tree with the result.
- ``POST /api/a/<launch>/terminal/check`` — queue the phase's check of the workspace (404 ``no_check`` when the
  phase has none).
- ``GET /api/a/<launch>/terminal/log`` — the attempt's commands, checks and editor saves with their outputs,
  oldest first (for a reload), the terminal's current directory and the pending command, if any.
- ``GET /api/a/<launch>/workspace/file?path=`` — a text file of the workspace, for the editor (with its
  ``sha``); ``PUT`` the same URL with ``{"content", "base_sha"?}`` saves it (≤ 256 KB of text), recorded as an
  "edit" row carrying a unified diff; 409 ``file_changed`` when ``base_sha`` is given and the file changed
  since (a command wrote it), 409 ``submission_pending`` while a command runs.
- ``GET /api/a/<launch>/workspace/files`` — the workspace's entries (path, kind, size), for a file picker.
- ``POST /a/<launch>/terminal`` — the same as the first route for a plain form (no JavaScript): 303 back to
  the page, whose partial shows the log.

The page includes ``workbench/terminal.html`` with ``terminal=terminal_view(ctx, attempt)``.
"""

from __future__ import annotations

import difflib
import hashlib
from typing import Any

from flask import jsonify, redirect, request, url_for
from sqlalchemy import select, update

from grader.workbench.workspace import (
    COMMAND_LIMITS,
    MAX_COMMAND_CHARS,
    Workspace,
    WorkspaceError,
    check_path,
)
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus, Submission, WorkspaceRow, WorkStatus, utcnow
from lti_app.phases.registry import RunsCommands, get_phase
from lti_app.security import csrf_token
from lti_app.workbench.attempts import open_attempt, phase_attempt
from lti_app.workbench.inputs import json_body, text_field
from lti_app.workbench.submissions import PENDING, pending_submission, queue_submission, submission_view
from lti_app.workbench.web import bp
from lti_app.workbench.workspaces import store_workspace, workspace_of, workspace_row

TERMINAL_KINDS = ("command", "check", "edit")
MAX_FILE_BYTES = 256 * 1024
MAX_FILE_BODY_BYTES = 1024 * 1024  # JSON escapes a 256 KB file into more than 256 KB
MAX_DIFF_CHARS = 64 * 1024
LOG_ENTRIES = 300
LOG_OUTPUT_CHARS = 512 * 1024  # of output in one log answer; older outputs are cut to their ends beyond it
LOG_TAIL_CHARS = 2000
SHELL = "shell"  # the language column of a command row


def _readable_attempt(launch_id: str) -> tuple[Any, Attempt]:
    """For a read (no CSRF token needed): the launch's current attempt of any phase, still open."""
    ctx, attempt = phase_attempt(launch_id, None)
    if attempt.status != AttemptStatus.OPEN or attempt.state.get("finished"):
        refuse(409, "attempt_closed", "this attempt has ended; your report card has the results")
    return ctx, attempt


def terminal_adapter(attempt: Attempt) -> Any:
    """The attempt's phase adapter, refused (404 ``no_terminal``) when the phase has no terminal."""
    phase = get_phase(attempt.activity.phase)
    if phase is None or not isinstance(phase.adapter, RunsCommands):
        refuse(404, "no_terminal", "this activity has no terminal")
    return phase.adapter


# ----- views ------------------------------------------------------------------------------------------------
def _entry(launch_id: str | None, row: Submission, diffs: bool = False) -> dict[str, Any]:
    result = row.result if isinstance(row.result, dict) else {}
    entry: dict[str, Any] = {
        "id": row.id, "kind": row.kind, "state": str(row.status),
        "at": row.created_at.isoformat() + "Z",
        "finished_at": row.finished_at.isoformat() + "Z" if row.finished_at else None,
    }
    if row.kind == "edit":
        entry.update(path=row.source, added=result.get("added"), removed=result.get("removed"),
                     created=result.get("created", False))
        if diffs:
            entry["diff"] = result.get("diff", "")
        return entry
    entry.update(command=row.source if row.kind == "command" else "", started_in=result.get("started_in"),
                 output=result.get("output", ""), exit_code=result.get("exit_code"),
                 outcome=result.get("outcome"), note=result.get("note", ""), cwd=result.get("cwd"))
    if row.kind == "check":
        entry["result"] = result
    if row.status in PENDING and launch_id is not None:
        entry["submission"] = submission_view(launch_id, row)
    elif row.status == WorkStatus.FAILED:
        entry.update(outcome="failed", note=row.last_error or "This command could not be run.")
    return entry


def command_log(attempt_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    """For the instructor's view of an attempt (a phase's ``instructor_section``): every command, check and editor
    save, oldest first, with times (``at`` queued, ``finished_at``), outputs, exit codes, outcomes, the directory
    each ran in and each edit's unified ``diff``."""
    query = (select(Submission).where(Submission.attempt_id == attempt_id, Submission.kind.in_(TERMINAL_KINDS))
             .order_by(Submission.id))
    if limit is not None:
        query = query.limit(limit)
    return [_entry(None, row, diffs=True) for row in db.session.scalars(query)]


def terminal_log(launch_id: str, attempt_id: int, limit: int = LOG_ENTRIES) -> list[dict[str, Any]]:
    """The attempt's last ``limit`` commands, checks and edits, oldest first, as the terminal replays them.
    Outputs share a budget of LOG_OUTPUT_CHARS, newest first; beyond it an older output keeps its end."""
    rows = db.session.scalars(
        select(Submission).where(Submission.attempt_id == attempt_id, Submission.kind.in_(TERMINAL_KINDS))
        .order_by(Submission.id.desc()).limit(limit)
    ).all()
    entries = [_entry(launch_id, row) for row in rows]
    budget = LOG_OUTPUT_CHARS
    for entry in entries:  # newest first
        output = entry.get("output") or ""
        if len(output) > budget:
            tail = output[-LOG_TAIL_CHARS:]
            entry["output"] = f"[earlier output not shown here: {len(output) - len(tail):,} characters]\n" + tail
            budget = 0
        else:
            budget -= len(output)
    return entries[::-1]


def prompt_of(adapter: Any) -> dict[str, str]:
    return {"user": "student", "host": str(getattr(adapter, "terminal_host", "sandbox") or "sandbox")}


def terminal_view(ctx: Any, attempt: Attempt) -> dict[str, Any]:
    """What ``workbench/terminal.html`` needs: URLs, the CSRF token, the prompt, the current directory and the
    log (the form fallback shows it without JavaScript)."""
    adapter = terminal_adapter(attempt)
    launch_id = ctx.launch_id
    row = db.session.get(WorkspaceRow, attempt.id)
    task = adapter.command_task(attempt)
    pending = pending_submission(attempt.id)
    return {
        "commands_url": url_for("workbench.terminal_commands", launch_id=launch_id),
        "log_url": url_for("workbench.terminal_log_route", launch_id=launch_id),
        "form_url": url_for("workbench.terminal_form", launch_id=launch_id),
        "file_url": url_for("workbench.workspace_file", launch_id=launch_id),
        "files_url": url_for("workbench.workspace_files", launch_id=launch_id),
        "check_url": url_for("workbench.terminal_check", launch_id=launch_id) if hasattr(task, "check") else None,
        "csrf": csrf_token(launch_id),
        "prompt": prompt_of(adapter),
        "cwd": row.cwd if row is not None else "",
        "entries": terminal_log(launch_id, attempt.id, limit=50),
        "pending": submission_view(launch_id, pending) if pending is not None else None,
        "max_command_chars": MAX_COMMAND_CHARS,
        "limit_seconds": COMMAND_LIMITS.wall_seconds,
    }


# ----- commands ---------------------------------------------------------------------------------------------
def _command_text(data: dict[str, Any]) -> str:
    command = text_field(data, "command", max_chars=MAX_COMMAND_CHARS)
    return command.replace("\r\n", "\n").replace("\r", "\n")


def queue_command(launch_id: str, attempt: Attempt, command: str) -> Submission:
    adapter = terminal_adapter(attempt)
    workspace_row(attempt, adapter)  # made on first use, committed with the command's row
    return queue_submission(launch_id, attempt, kind="command", language=SHELL, source=command)


@bp.post("/api/a/<launch_id>/terminal/commands")
def terminal_commands(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = open_attempt(launch_id, None)
    terminal_adapter(attempt)
    command = _command_text(json_body())
    row = queue_command(launch_id, attempt, command)
    view = submission_view(launch_id, row)
    return jsonify(submission=view), 202, {"Location": view["url"]}


@bp.post("/a/<launch_id>/terminal")
def terminal_form(launch_id: str):  # type: ignore[no-untyped-def]
    """The plain form's command (no JavaScript): queue it and go back to the page, which shows the log."""
    _, attempt = open_attempt(launch_id, None)
    terminal_adapter(attempt)
    queue_command(launch_id, attempt, _command_text(request.form.to_dict()))
    return redirect(url_for("student.activity", launch_id=launch_id) + "#cr-terminal", code=303)


@bp.post("/api/a/<launch_id>/terminal/check")
def terminal_check(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = open_attempt(launch_id, None)
    adapter = terminal_adapter(attempt)
    if not hasattr(adapter.command_task(attempt), "check"):
        refuse(404, "no_check", "this activity has no check to run")
    workspace_row(attempt, adapter)
    row = queue_submission(launch_id, attempt, kind="check", language=SHELL, source="")
    view = submission_view(launch_id, row)
    return jsonify(submission=view), 202, {"Location": view["url"]}


@bp.get("/api/a/<launch_id>/terminal/log")
def terminal_log_route(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = _readable_attempt(launch_id)
    adapter = terminal_adapter(attempt)
    row = db.session.get(WorkspaceRow, attempt.id)
    pending = pending_submission(attempt.id)
    return jsonify(entries=terminal_log(launch_id, attempt.id), cwd=row.cwd if row is not None else "",
                   prompt=prompt_of(adapter), limit_seconds=COMMAND_LIMITS.wall_seconds,
                   pending=submission_view(launch_id, pending) if pending is not None else None)


# ----- files ------------------------------------------------------------------------------------------------
def _path_arg() -> str:
    try:
        return check_path(request.args.get("path", ""))
    except WorkspaceError as exc:
        refuse(400, "invalid_path", str(exc))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _text_of(data: bytes) -> str | None:
    """The file as text, or None when it is binary (NUL bytes, or not UTF-8)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _current(attempt: Attempt, adapter: Any) -> tuple[WorkspaceRow, Workspace]:
    row = workspace_row(attempt, adapter)
    return row, workspace_of(row)


@bp.get("/api/a/<launch_id>/workspace/files")
def workspace_files(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = _readable_attempt(launch_id)
    row, workspace = _current(attempt, terminal_adapter(attempt))
    db.session.commit()
    return jsonify(entries=workspace.listing(), revision=row.revision, cwd=workspace.cwd)


@bp.get("/api/a/<launch_id>/workspace/file")
def workspace_file(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = _readable_attempt(launch_id)
    adapter = terminal_adapter(attempt)
    path = _path_arg()
    row, workspace = _current(attempt, adapter)
    db.session.commit()
    kind = workspace.kind(path)
    if kind is None:
        refuse(404, "file_unknown", f"there is no file {path} in the workspace")
    if kind != "file":
        refuse(409, "not_a_file", f"{path} is a {'directory' if kind == 'dir' else 'link'}, not a file")
    data = workspace.read(path) or b""
    if len(data) > MAX_FILE_BYTES:
        refuse(413, "file_too_large", f"{path} is larger than {MAX_FILE_BYTES // 1024} KB; look at it in the terminal")
    text = _text_of(data)
    if text is None:
        refuse(415, "binary_file", f"{path} is not a text file; look at it in the terminal")
    return jsonify(path=path, content=text, sha=_sha(data), size=len(data), revision=row.revision,
                   editable=_editable(adapter, attempt, path))


def _editable(adapter: Any, attempt: Attempt, path: str) -> bool:
    check = getattr(adapter, "editable", None)
    return bool(check(attempt, path)) if callable(check) else True


def _diff(path: str, before: str, after: str) -> tuple[str, int, int]:
    lines = list(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                      fromfile=f"a/{path}", tofile=f"b/{path}"))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    if len(text) > MAX_DIFF_CHARS:
        text = text[:MAX_DIFF_CHARS] + "\n[diff cut]\n"
    return text, added, removed


@bp.put("/api/a/<launch_id>/workspace/file")
def save_workspace_file(launch_id: str):  # type: ignore[no-untyped-def]
    """An editor save: the file's new text replaces it in the workspace (revision + 1), recorded as an "edit"
    row with the diff. Refused while a command runs (its result would overwrite the save)."""
    _, attempt = open_attempt(launch_id, None)
    adapter = terminal_adapter(attempt)
    path = _path_arg()
    data = json_body(MAX_FILE_BODY_BYTES)
    content = data.get("content")
    if not isinstance(content, str):
        refuse(400, "invalid_content", "content must be text")
    content = text_field({"content": content}, "content", max_chars=MAX_FILE_BYTES, required=False)
    encoded = content.encode("utf-8")
    if len(encoded) > MAX_FILE_BYTES:
        refuse(413, "content_too_long", f"a file saved from the editor is limited to {MAX_FILE_BYTES // 1024} KB")
    base_sha = data.get("base_sha")
    if base_sha is not None and not isinstance(base_sha, str):
        refuse(400, "invalid_base_sha", "base_sha must be the sha the file was opened with")
    if not _editable(adapter, attempt, path):
        refuse(403, "not_editable", f"{path} cannot be changed from the editor")
    # One change at a time per attempt: the same lock queue_submission takes, then no command may be pending.
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(status=Attempt.status)
                       .execution_options(synchronize_session=False))
    pending = pending_submission(attempt.id)
    if pending is not None:
        view = submission_view(launch_id, pending)
        db.session.rollback()
        refuse(409, "submission_pending", "a command is still running; save again when it has finished",
               submission=view)
    row, workspace = _current(attempt, adapter)
    current = workspace.read(path)
    kind = workspace.kind(path)
    if kind is not None and kind != "file":
        db.session.rollback()
        refuse(409, "not_a_file", f"{path} is a {'directory' if kind == 'dir' else 'link'}, not a file")
    if base_sha is not None and (current is None or _sha(current) != base_sha):
        db.session.rollback()
        refuse(409, "file_changed", f"{path} changed since you opened it (a command wrote it); open it again",
               sha=_sha(current) if current is not None else None)
    if current == encoded:
        db.session.commit()
        return jsonify(path=path, sha=_sha(encoded), size=len(encoded), revision=row.revision, changed=False)
    before = _text_of(current) if current is not None else ""
    if before is None:
        db.session.rollback()
        refuse(415, "binary_file", f"{path} is not a text file; it cannot be replaced from the editor")
    try:
        updated = workspace.with_file(path, encoded)
    except WorkspaceError as exc:
        db.session.rollback()
        refuse(409, "workspace_refused", str(exc))
    revision = row.revision
    if not store_workspace(row, updated, revision):
        db.session.rollback()
        refuse(409, "workspace_changed", "the workspace changed while saving; try again")
    diff, added, removed = _diff(path, before, content)
    now = utcnow()
    edit = Submission(attempt_id=attempt.id, kind="edit", language="text", source=path, stdin="",
                      status=WorkStatus.DONE, started_at=now, finished_at=now,
                      result={"kind": "edit", "path": path, "diff": diff, "added": added, "removed": removed,
                              "created": current is None, "size": len(encoded)})
    db.session.add(edit)
    db.session.commit()
    return jsonify(path=path, sha=_sha(encoded), size=len(encoded), revision=revision + 1, changed=True,
                   edit={"id": edit.id, "added": added, "removed": removed, "created": current is None})
