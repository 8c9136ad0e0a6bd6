"""A scripted student's attempt: commands through the workbench terminal (``command_task``), each followed by
the post-command hook (``record_push``), and the grade at the end from a snapshot of the remote."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from grader.phases.imposter import (
    command_task,
    grade,
    record_push,
    remembered_head,
    remote_snapshot,
    workspace_seed,
)
from grader.phases.imposter.history import apply_edits

STARTED = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=20)


class Session:
    def __init__(self, backend: Any, state: dict[str, Any]) -> None:
        self.backend = backend
        self.state = state
        self.workspace = workspace_seed(state)
        self.task = command_task(state)
        self.log: list[dict[str, Any]] = []
        self.outputs: list[str] = []

    def run(self, command: str, ok: bool = True) -> str:
        before = remembered_head(self.state)
        view, self.workspace = self.task.run(self.backend, self.workspace, command)
        self.state = record_push(self.state, before, self.workspace, at=f"t{len(self.log)}", command=len(self.log))
        self.log.append({"kind": "command", "command": command, "exit_code": view["exit_code"],
                         "outcome": view["outcome"]})
        self.outputs.append(view["output"])
        if ok:
            assert view["outcome"] == "ok", f"{command!r} -> {view['outcome']}: {view['output'][-800:]}"
        return view["output"]

    def edit(self, edits: Any) -> None:
        """What the page's editor does: files of the workspace saved with new content (``edits`` as a truth
        file writes them)."""
        for edit in edits:
            full = f"repo/{edit.file}"
            files = apply_edits({edit.file: self.workspace.read(full).decode()}, (edit,), "the student's edit")
            self.workspace = self.workspace.with_file(full, files[edit.file])

    def bisect(self) -> str:
        """The first bad commit, by ``git bisect run`` against the tests from the first commit."""
        out = self.run("git bisect start HEAD $(git rev-list --max-parents=0 HEAD) >/dev/null && "
                       "git bisect run python3 -m unittest 2>/dev/null | grep 'is the first bad commit'; "
                       "git bisect reset >/dev/null 2>&1")
        match = re.search(r"([0-9a-f]{40}) is the first bad commit", out)
        assert match, out
        return match.group(1)

    def grade(self, report: dict[str, Any] | None, minutes: float) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        snapshot = remote_snapshot(self.backend, self.state, self.workspace)
        at = (STARTED + timedelta(minutes=minutes)).isoformat()
        sent = None if report is None else {**report, "submitted_at": at}
        return grade(self.state, self.log, sent, snapshot, STARTED.isoformat(), (STARTED + LIMIT).isoformat())
