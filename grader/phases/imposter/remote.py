"""The shared remote (``remote.git`` in the workspace): what each command did to its main branch, and how the
student resolved the sabotage, read from the repository itself.

The student can write into the remote directly, not only push, so the server remembers the remote's head
before every command: ``record_push(state, before_head, after_workspace)`` (the terminal's post-command hook)
notes each change of main — a fast-forward or a rewrite, and for a rewrite which commits' work it dropped. A
push that rewrote history stays on that record even if a later command puts the remote back.

Resolutions, from the remote's history (``resolution``):
- **revert** (30): only fast-forwards, and a new commit undoes the sabotage's whole change (what
  ``git revert`` writes) — history preserved;
- **reset --soft** (15): history was rewritten, no one's work was dropped, and the sabotage is gone from it
  (e.g. ``git reset --soft`` before it, then one new commit, force-pushed; or a rebase that drops it);
- **manual fix** (5): the bug fixed by hand in new commits (or in a rewrite that kept the sabotage);
- **force push** (−50): a rewrite that dropped teammates' work (whatever came after);
- **none** (0): nothing of the above.
A resolution other than force push counts only if the project's tests pass on the remote's head
(``checks.check_tree``: the scenario's probes and the project's own tests, in the sandbox).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from grader.phases.imposter.checks import check_tree
from grader.phases.imposter.generator import KEPT_SHARE, change_lines, tree_keys
from grader.phases.imposter.gitread import GitReadError, Repository
from grader.phases.imposter.truth import load_scenario
from grader.sandbox import SandboxBackend

MAIN = "refs/heads/main"
REMOTE_GIT = "remote.git"
RESOLUTIONS = ("revert", "reset_soft", "manual_fix", "force_push", "none")
RESOLUTION_POINTS = {"revert": 30.0, "reset_soft": 15.0, "manual_fix": 5.0, "force_push": -50.0, "none": 0.0}
RESOLUTION_WORDS = {
    "revert": "git revert of the sabotage, pushed as a fast-forward",
    "reset_soft": "history rewritten without the sabotage, everyone's work kept",
    "manual_fix": "the bug fixed by hand",
    "force_push": "a force push that dropped teammates' work",
    "none": "not resolved",
}
MAX_HISTORY = 120  # commits of the remote shown to the instructor


def files_of(workspace: Any) -> Mapping[str, bytes]:
    """A workspace's files (a ``Workspace`` or already a mapping of path -> bytes)."""
    return workspace.files() if hasattr(workspace, "files") and callable(workspace.files) else workspace


def remote_repo(workspace: Any) -> Repository:
    return Repository(files_of(workspace), REMOTE_GIT)


def remote_head(workspace: Any) -> str | None:
    """The shared remote's main branch (None when it is gone)."""
    return remote_repo(workspace).resolve(MAIN)


def inverts(change: dict[str, dict[str, list[str]]], before: dict[str, str], after: dict[str, str]) -> bool:
    """Whether going ``before`` -> ``after`` undoes ``change``: it removes every line the change added and
    brings back every line it removed, file by file (indentation aside)."""
    if not change:
        return False
    mine = change_lines(before, after)
    for path, lines in change.items():
        done = mine.get(path, {"removed": [], "added": []})
        if Counter(lines["added"]) - Counter(done["removed"]) or Counter(lines["removed"]) - Counter(done["added"]):
            return False
    return True


def dropped_work(truth: dict[str, Any], files: dict[str, str] | None) -> list[str]:
    """The original commits whose surviving work is no longer in ``files`` (all of them when there is no tree)."""
    work: dict[str, list[str]] = truth.get("work", {})
    if files is None:
        return sorted(work)
    present = tree_keys(files)
    return sorted(sha for sha, keys in work.items() if sum(k in present for k in keys) < KEPT_SHARE * len(keys))


def original_shas(state: dict[str, Any]) -> set[str]:
    return {c["sha"] for c in state["repo"]["commits"]}


def analyse_update(truth: dict[str, Any], original: set[str], repo: Repository, before: str | None,
                   after: str | None) -> dict[str, Any]:
    """One change of the remote's main: a fast-forward, or a rewrite — ``rewrote`` when commits of the team's
    history that main had are gone from it (rewriting only the student's own pushed commits is not), and then
    which commits' work the new tree no longer has."""
    fast_forward = before is not None and after is not None and repo.is_ancestor(before, after)
    update: dict[str, Any] = {"before": before, "after": after, "fast_forward": fast_forward, "rewrote": False,
                              "dropped": []}
    if fast_forward:
        return update
    try:
        kept = {c.sha for c in repo.walk([after])} if after else set()
    except GitReadError:
        kept = set()
    try:
        had = ({c.sha for c in repo.walk([before])} & original) if before else set()
    except GitReadError:
        had = set(original)  # what main had cannot be read back: assume all of it
    update["rewrote"] = after is None or bool(had - kept)
    if update["rewrote"]:
        try:
            files = repo.files_at(after) if after else None
        except GitReadError:
            files = None
            update["unreadable"] = True
        update["dropped"] = dropped_work(truth, files)
    return update


def record_push(state: dict[str, Any], before_head: str | None, after_workspace: Any, *, at: str | None = None,
                command: Any = None) -> dict[str, Any]:
    """The state after a command (the input is untouched): when the remote's main moved from ``before_head``,
    the change is recorded. ``at`` (ISO time) and ``command`` (the command's id) label the record."""
    repo = remote_repo(after_workspace)
    after = repo.resolve(MAIN)
    remote = state["remote"]
    if after == before_head:
        return state if remote.get("head") == after else {**state, "remote": {**remote, "head": after}}
    update = analyse_update(state["truth"], original_shas(state), repo, before_head, after)
    update.update(at=at, command=command)
    return {**state, "remote": {**remote, "head": after, "updates": [*remote.get("updates", []), update]}}


# -- the remote as it is at grading --------------------------------------------------------------------------
def _commit_view(commit: Any, original: set[str]) -> dict[str, Any]:
    return {"sha": commit.sha, "parents": list(commit.parents), "author": commit.author_name,
            "email": commit.author_email, "time": commit.author_time, "offset": commit.author_offset,
            "subject": commit.message.split("\n", 1)[0][:200], "new": commit.sha not in original}


def remote_snapshot(backend: SandboxBackend, state: dict[str, Any], workspace: Any) -> dict[str, Any]:
    """Everything the grade needs from the remote, as plain data (stored with the grade, so a regrade needs
    neither the workspace nor the sandbox): head, the recorded updates (plus one for any change not recorded
    yet), the remote's main history marked new/original with which new commits undo the sabotage, whether the
    sabotage is still in it, and the tests on its head (run in the sandbox)."""
    truth = state["truth"]
    repo = remote_repo(workspace)
    head = repo.resolve(MAIN)
    remembered = state["remote"].get("head")
    updates = list(state["remote"].get("updates", []))
    if head != remembered:
        updates.append({**analyse_update(truth, original_shas(state), repo, remembered, head), "at": None,
                        "command": "unrecorded"})
    original = original_shas(state)
    snapshot: dict[str, Any] = {"head": head, "original": state["remote"]["original"], "updates": updates,
                                "history": [], "sabotage_in_history": False,
                                "tests": {"passed": False, "failed": [], "problem": "the remote has no main branch"}}
    if head is None:
        return snapshot
    try:
        history = repo.walk([head], limit=MAX_HISTORY * 20)
        snapshot["sabotage_in_history"] = any(c.sha == truth["sabotage"] for c in history)
        views = []
        for commit in history[:MAX_HISTORY]:
            view = _commit_view(commit, original)
            if view["new"] and commit.parents:
                before, after = repo.files_at(commit.parents[0]), repo.files_at(commit.sha)
                view["undoes_sabotage"] = inverts(truth["sabotage_change"], before, after)
                view["undoes_bug"] = inverts(truth["bug_change"], before, after)
            views.append(view)
        snapshot["history"] = views
        files = repo.files_at(head)
    except GitReadError as exc:
        snapshot["tests"] = {"passed": False, "failed": [], "problem": f"the remote cannot be read: {exc}"}
        return snapshot
    scenario = load_scenario(state["scenario"])
    snapshot["tests"] = check_tree(backend, files, scenario.probes).to_dict()
    return snapshot


def resolution(original_head: str, remote_after: dict[str, Any], sabotage: str) -> dict[str, Any]:
    """How the student resolved it, from ``remote_after`` (a ``remote_snapshot``): {"kind", "points",
    "evidence", "tests_pass"}."""
    updates = remote_after.get("updates", [])
    head = remote_after.get("head")
    tests = remote_after.get("tests", {})
    passed = bool(tests.get("passed"))
    rewrites = [u for u in updates if u.get("rewrote")]
    dropped = sorted({sha for u in rewrites for sha in u.get("dropped", [])})
    new = [c for c in remote_after.get("history", []) if c.get("new")]
    failing = ", ".join(tests.get("failed", [])[:3]) or tests.get("problem") or "they fail"
    if dropped:
        kind = "force_push"
        evidence = (f"a push rewrote main and dropped the work of {len(dropped)} commit"
                    f"{'s' if len(dropped) != 1 else ''} ({', '.join(s[:7] for s in dropped[:4])})")
    elif head == original_head and not rewrites:
        kind, evidence = "none", "the remote's main is where it started"
    elif not passed:
        kind, evidence = "none", f"main changed but the tests do not pass on it ({failing})"
    elif rewrites and not remote_after.get("sabotage_in_history"):
        kind = "reset_soft"
        evidence = "main was rewritten without the sabotage and everyone's work kept; the tests pass"
    elif rewrites:
        kind = "manual_fix"
        evidence = "main was rewritten (the sabotage still in it) with the bug fixed; the tests pass"
    elif any(c.get("undoes_sabotage") for c in new):
        reverting = next(c for c in new if c.get("undoes_sabotage"))
        kind = "revert"
        evidence = (f"commit {reverting['sha'][:7]} undoes {sabotage[:7]} and was pushed as a fast-forward; "
                    f"the tests pass")
    else:
        kind = "manual_fix"
        evidence = f"{len(new)} new commit{'s' if len(new) != 1 else ''} fixed the bug by hand; the tests pass"
    return {"kind": kind, "points": RESOLUTION_POINTS[kind], "evidence": evidence, "tests_pass": passed,
            "words": RESOLUTION_WORDS[kind]}
