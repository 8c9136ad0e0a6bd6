"""An attempt's state, its workspace and terminal, and what a student may see of it.

The state is plain JSON kept on the server: the scenario, difficulty and seed, the page's public data (the
team, the commits and their diffs), the shared remote's record (``remote.record_push``) and, under
``"truth"``, the answer. Everything a student sees — ``student_view``, ``graph``, ``diff``, the terminal — is
computed without ``"truth"``: a test checks that removing it changes none of them.
"""

from __future__ import annotations

import difflib
import re
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from grader.phases.imposter.catalogue import Choice, NoScenario
from grader.phases.imposter.generator import generated
from grader.phases.imposter.gitread import GitReadError, Repository
from grader.phases.imposter.gitrepo import REPO_DIR
from grader.phases.imposter.personas import PERSONAS, TEAMMATES
from grader.phases.imposter.remote import REMOTE_GIT, remote_head
from grader.phases.imposter.truth import load_scenario
from grader.sandbox import SandboxBackend

STATE_VERSION = 1
LOCAL_GIT = f"{REPO_DIR}/.git"
MAX_NEW_COMMITS = 200  # of the student's own, shown in the graph
MAX_DIFF_CHARS = 200_000
SHA_PREFIX = re.compile(r"[0-9a-f]{4,40}")


class UnknownCommit(Exception):
    """No commit of the attempt's repository has that name; the message is safe to show the student."""


class RepositoryChanged(Exception):
    """The scenario's files changed since the attempt started: its repository cannot be rebuilt."""


# -- the state ------------------------------------------------------------------------------------------------
def start_state(choice: Choice) -> dict[str, Any]:
    """A new attempt's state for a chosen scenario, difficulty and seed (from ``choose_scenario``)."""
    scenario = load_scenario(choice.scenario_id)
    made = generated(choice.scenario_id, choice.difficulty, choice.seed)
    if made.head != choice.head or made.truth["sabotage"] != choice.sabotage:
        raise NoScenario("The Imposter's bank of repositories needs rebuilding by whoever runs this server.")
    return {
        "version": STATE_VERSION,
        "scenario": scenario.id, "difficulty": choice.difficulty, "seed": choice.seed, "digest": made.digest,
        "title": scenario.title, "summary": scenario.summary, "incident": scenario.incident,
        "domain": scenario.domain,
        "team": [{"id": t, "name": PERSONAS[t].name, "email": PERSONAS[t].email(scenario.domain),
                  "area": dict(scenario.team)[t], "habits": PERSONAS[t].habits} for t in TEAMMATES],
        "repo": {"head": made.head, "branches": [list(b) for b in made.branches], "commits": list(made.commits),
                 "diffs": dict(made.diffs)},
        "remote": {"original": made.head, "head": made.head, "updates": []},
        "truth": dict(made.truth),
    }


def check_state(state: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION or "repo" not in state:
        raise ValueError("not an Imposter attempt state")
    return state


def public_state(state: dict[str, Any]) -> dict[str, Any]:
    """The state without the truth (and without the remote's record, which is derived from it)."""
    return {k: v for k, v in check_state(state).items() if k not in ("truth", "remote")}


def remembered_head(state: dict[str, Any]) -> str | None:
    """The remote's main as the server last recorded it (pass it to ``record_push`` after the next command)."""
    return check_state(state)["remote"].get("head")


def student_view(state: dict[str, Any]) -> dict[str, Any]:
    """What the page shows before the report: the story, the team and how to work; never the answer."""
    state = public_state(state)
    return {
        "title": state["title"],
        "summary": state["summary"],
        "incident": state["incident"],
        "difficulty": state["difficulty"],
        "team": [{k: member[k] for k in ("id", "name", "email", "area", "habits")} for member in state["team"]],
        "you": {"name": PERSONAS["you"].name, "email": f"you@{state['domain']}"},
        "repository": {"head": state["repo"]["head"], "commits": len(state["repo"]["commits"]),
                       "branches": [name for name, _ in state["repo"]["branches"]], "folder": REPO_DIR,
                       "remote": "origin (the team's shared repository)"},
        "tests_command": "python3 -m unittest",
        "steps": [
            "Find the commit that broke the tests: git log, git show, git blame, or let "
            "git bisect run python3 -m unittest find it.",
            "Resolve it in repo/ and push to origin's main branch: the team's shared history is what counts.",
            "Report who wrote it, which commit (at least 7 characters of its sha), how you resolved it and why.",
        ],
        "report": {"teammates": [{"id": t, "name": PERSONAS[t].name} for t in TEAMMATES],
                   "resolutions": [{"id": k, "label": label} for k, label in REPORT_RESOLUTIONS]},
    }


REPORT_RESOLUTIONS = (
    ("revert", "I reverted the commit (git revert) and pushed"),
    ("reset_soft", "I rewrote history without it (git reset --soft, rebase) and force-pushed"),
    ("manual_fix", "I fixed the bug by hand in a new commit and pushed"),
    ("force_push", "I reset main to before it and force-pushed"),
    ("none", "I did not change the shared repository"),
)


# -- the workspace and the terminal ---------------------------------------------------------------------------
def workspace_files(state: dict[str, Any]) -> dict[str, bytes]:
    """The attempt's first workspace as files: repo/ (main checked out, origin = the shared remote),
    remote.git/ and ~/.gitconfig naming "You". Regenerated from the seed (deterministic, cached)."""
    state = check_state(state)
    try:
        made = generated(state["scenario"], state["difficulty"], state["seed"])
    except Exception as exc:  # noqa: BLE001 - a missing scenario or a broken generator: say so plainly
        raise RepositoryChanged(f"the repository cannot be rebuilt: {exc}") from exc
    if made.digest != state["digest"] or made.head != state["repo"]["head"]:
        raise RepositoryChanged("the scenario changed since this attempt started; its repository cannot be rebuilt")
    return dict(made.files)


def workspace_seed(state: dict[str, Any]) -> Any:
    """The attempt's first ``Workspace``, with the terminal in repo/."""
    from grader.workbench.workspace import Workspace

    return Workspace.from_files(workspace_files(state)).at(REPO_DIR)


def command_env(state: dict[str, Any]) -> dict[str, str]:
    email = f"you@{check_state(state)['domain']}"
    # No terminal: an editor would hang until the time limit, so git takes its default messages. Whatever the
    # student puts in --author, the committer is You.
    return {"GIT_EDITOR": "true", "GIT_TERMINAL_PROMPT": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "GIT_COMMITTER_NAME": PERSONAS["you"].name, "GIT_COMMITTER_EMAIL": email}


def command_setup(state: dict[str, Any]) -> str:
    """Before each command: "You" is git's identity even if the student removed ~/.gitconfig."""
    email = f"you@{check_state(state)['domain']}"
    return (f'git config --global user.email >/dev/null 2>&1 || {{ git config --global user.name "You"; '
            f'git config --global user.email "{email}"; }}')


def command_task(state: dict[str, Any]) -> Any:
    """The terminal's task for this attempt (a ``ShellTask``): its ``run`` adds ``"remote_changed"`` to the
    command's student-safe result. After each command the web half calls ``record_push(state,
    remembered_head(state), workspace_after)`` and stores the state it returns."""
    from grader.workbench.workspace import ShellTask

    class ImposterTask(ShellTask):
        def run(self, backend: SandboxBackend, workspace: Any, command: str,
                cancel: threading.Event | None = None) -> tuple[dict[str, Any], Any]:
            result = self.execute(backend, workspace, command, cancel)
            view = result.view(self.limits.wall_seconds)
            view["remote_changed"] = remote_head(workspace) != remote_head(result.workspace)
            return view, result.workspace

    return ImposterTask(setup=command_setup(state), env=command_env(state))


# -- the graph and the diffs ----------------------------------------------------------------------------------
def _labels(state: dict[str, Any], files: Any) -> dict[str, list[str]]:
    """sha -> ref names to show on it: the remote's branches as origin/<name>, local branches, HEAD."""
    out: dict[str, list[str]] = {}

    def add(sha: str | None, name: str) -> None:
        if sha:
            out.setdefault(sha, []).append(name)

    if files is None:
        for name, sha in state["repo"]["branches"]:
            add(sha, f"origin/{name}")
            if name == "main":
                add(sha, "main")
                add(sha, "HEAD")
        return out
    remote = Repository(files, REMOTE_GIT)
    for ref, sha in sorted(remote.refs().items()):
        if ref.startswith("refs/heads/"):
            add(sha, "origin/" + ref[len("refs/heads/"):])
    local = Repository(files, LOCAL_GIT)
    for ref, sha in sorted(local.refs().items()):
        if ref.startswith("refs/heads/"):
            add(sha, ref[len("refs/heads/"):])
    add(local.resolve("HEAD"), "HEAD")
    return out


def _student_commits(state: dict[str, Any], files: Any) -> dict[str, tuple[Any, Repository]]:
    """The student's commits (local or pushed) that are not in the team's history: sha -> (commit, its repo)."""
    known = {c["sha"] for c in state["repo"]["commits"]}
    out: dict[str, tuple[Any, Repository]] = {}
    for git_dir in (LOCAL_GIT, REMOTE_GIT):
        repo = Repository(files, git_dir)
        heads = [*repo.refs().values(), repo.resolve("HEAD") or ""]
        try:
            commits = repo.walk([h for h in heads if h], stop=known, limit=MAX_NEW_COMMITS * 4)
        except GitReadError:
            continue
        for commit in commits:
            out.setdefault(commit.sha, (commit, repo))
    return out


def _new_commits(state: dict[str, Any], files: Any) -> list[dict[str, Any]]:
    views = [{"sha": commit.sha, "parents": list(commit.parents), "author": commit.author_name,
              "email": commit.author_email, "date": _iso(commit.author_time, commit.author_offset),
              "subject": commit.message.split("\n", 1)[0][:200], "message": commit.message[:4000], "new": True}
             for commit, _repo in _student_commits(state, files).values()]
    return topological(views)[:MAX_NEW_COMMITS]


def topological(commits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Children before their parents (the newest first among commits free to go): clocks can disagree."""
    by_sha = {c["sha"]: c for c in commits}
    waiting = {sha: 0 for sha in by_sha}
    for commit in commits:
        for parent in commit["parents"]:
            if parent in waiting:
                waiting[parent] += 1
    ready = sorted((c for c in commits if waiting[c["sha"]] == 0), key=lambda c: c["date"])
    out: list[dict[str, Any]] = []
    while ready:
        commit = ready.pop()
        out.append(commit)
        for parent in commit["parents"]:
            if parent in waiting:
                waiting[parent] -= 1
                if waiting[parent] == 0:
                    ready.append(by_sha[parent])
                    ready.sort(key=lambda c: c["date"])
    return out


def _iso(when: int, offset: str) -> str:
    sign = -1 if offset.startswith("-") else 1
    try:
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    except (ValueError, IndexError):
        zone = UTC
    return datetime.fromtimestamp(when, zone).isoformat()


def assign_lanes(commits: list[dict[str, Any]]) -> None:
    """Each commit's column in the drawing (newest first): a commit takes the lane that waits for it, a merge's
    other parents get lanes of their own."""
    lanes: list[str | None] = []
    for commit in commits:
        sha = commit["sha"]
        if sha in lanes:
            lane = lanes.index(sha)
            lanes = [None if (s == sha and i != lane) else s for i, s in enumerate(lanes)]
        else:
            lane = lanes.index(None) if None in lanes else len(lanes)
            if lane == len(lanes):
                lanes.append(None)
        parents = commit["parents"]
        lanes[lane] = parents[0] if parents else None
        for parent in parents[1:]:
            if parent not in lanes:
                slot = lanes.index(None) if None in lanes else len(lanes)
                if slot == len(lanes):
                    lanes.append(parent)
                else:
                    lanes[slot] = parent
        commit["lane"] = lane
        while lanes and lanes[-1] is None:
            lanes.pop()


def graph(state: dict[str, Any], workspace: Any = None) -> dict[str, Any]:
    """The commit graph for the page: every commit (sha, parents, author, email, date, subject, message,
    refs, lane, merge, new) newest first, the authors for the filter, and the branches. With the attempt's
    workspace, the student's own commits and where the branches are now."""
    state = public_state(state)
    files = None
    if workspace is not None:
        files = workspace.files() if hasattr(workspace, "files") else workspace
    new = _new_commits(state, files) if files is not None else []
    commits = [{**c, "new": False} for c in state["repo"]["commits"]]
    every = [dict(c) for c in new + commits]  # the student's commits all descend from the team's
    labels = _labels(state, files)
    for commit in every:
        commit["refs"] = labels.get(commit["sha"], [])
        commit["merge"] = len(commit["parents"]) > 1
        commit.pop("branches", None)
    assign_lanes(every)
    authors = sorted({(c["author"], c["email"]) for c in every})
    return {"commits": every, "authors": [{"name": n, "email": e} for n, e in authors],
            "head": state["repo"]["head"], "lanes": max((c["lane"] for c in every), default=0) + 1}


def _resolve(state: dict[str, Any], files: Any, sha: str) -> tuple[str, Repository | None]:
    name = str(sha or "").strip().lower()
    if not SHA_PREFIX.fullmatch(name):
        raise UnknownCommit("A commit is named by 4 to 40 hexadecimal characters of its sha.")
    found: dict[str, Repository | None] = {c["sha"]: None for c in state["repo"]["commits"]
                                           if c["sha"].startswith(name)}
    if files is not None:
        for full, (_commit, repo) in _student_commits(state, files).items():
            if full.startswith(name):
                found.setdefault(full, repo)
    if not found:
        raise UnknownCommit(f"There is no commit {name} in this repository.")
    if len(found) > 1:
        raise UnknownCommit(f"{name} names {len(found)} commits; give more characters of the sha.")
    full, repo = next(iter(found.items()))
    return full, repo


def _summary(patch: str) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            path = line.split(" b/", 1)[-1]
            files.append({"path": path, "added": 0, "removed": 0})
        elif files and line.startswith("+") and not line.startswith("+++"):
            files[-1]["added"] += 1
        elif files and line.startswith("-") and not line.startswith("---"):
            files[-1]["removed"] += 1
    return files


def unified_patch(before: dict[str, str], after: dict[str, str]) -> str:
    """A git-style unified diff between two trees (the student's commits; the team's come from git itself)."""
    out: list[str] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        out.append(f"diff --git a/{path} b/{path}\n")
        if old is None:
            out.append("new file mode 100644\n")
        elif new is None:
            out.append("deleted file mode 100644\n")
        body = difflib.unified_diff((old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True),
                                    fromfile=f"a/{path}" if old is not None else "/dev/null",
                                    tofile=f"b/{path}" if new is not None else "/dev/null", n=3)
        for line in body:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def diff(state: dict[str, Any], workspace: Any, sha: str) -> dict[str, Any]:
    """One commit for the diff view: {"sha", "parents", "author", "email", "date", "subject", "message",
    "files": [{"path", "added", "removed"}], "patch"} (a merge against its first parent). Raises UnknownCommit."""
    state = public_state(state)
    files = None
    if workspace is not None:
        files = workspace.files() if hasattr(workspace, "files") else workspace
    full, repo = _resolve(state, files, sha)
    if repo is None:
        commit = next(c for c in state["repo"]["commits"] if c["sha"] == full)
        patch = state["repo"]["diffs"].get(full, "")
        info = {k: commit[k] for k in ("sha", "parents", "author", "email", "date", "subject", "message")}
    else:
        try:
            found = repo.commit(full)
            before = repo.files_at(found.parents[0]) if found.parents else {}
            patch = unified_patch(before, repo.files_at(full))
        except GitReadError as exc:
            raise UnknownCommit(f"Commit {full[:7]} cannot be read: {exc}") from None
        info = {"sha": full, "parents": list(found.parents), "author": found.author_name,
                "email": found.author_email, "date": _iso(found.author_time, found.author_offset),
                "subject": found.message.split("\n", 1)[0][:200], "message": found.message[:4000]}
    cut = len(patch) > MAX_DIFF_CHARS
    return {**info, "files": _summary(patch), "patch": patch[:MAX_DIFF_CHARS], "cut": cut}
