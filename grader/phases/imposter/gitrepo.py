"""A plan made real with the git CLI: ``git fast-import`` writes every commit of the history (authors, dates,
branches and merges exactly as planned) into a bare repository, the shared remote; a clone of it is the
student's working copy. Then the page's data — commits and their diffs — is read back with ``git log``.

Git runs here only on repositories we generate ourselves, in a temporary directory, with a fixed environment:
no system or user configuration (``GIT_CONFIG_NOSYSTEM``, ``HOME`` and ``GIT_CONFIG_GLOBAL`` pointing into the
temporary directory), a fixed locale and time zone. A student's repository is never given to the host's git:
``gitread`` reads it as data, and anything that runs its code runs in the sandbox.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.phases.imposter.history import Plan
from grader.phases.imposter.personas import PERSONAS

WORKSPACE_ROOT = "/tmp/ws"  # where the terminal unpacks a workspace (HOME there); origin's absolute URL
REMOTE_DIR = "remote.git"
REPO_DIR = "repo"
GIT_TIMEOUT = 60
# Left out of the workspace: reflogs name the temporary paths the repository was built in.
_SKIPPED = ("logs/", "FETCH_HEAD", "ORIG_HEAD", "description", "hooks/")


class GitError(Exception):
    """git failed on a repository we generated (so the seed or the host is at fault, never a student)."""


def git_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"), "LANG": "C", "LC_ALL": "C", "TZ": "UTC",
        "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_PAGER": "cat", "GIT_ADVICE": "0",
        "GIT_AUTHOR_NAME": PERSONAS["you"].name, "GIT_AUTHOR_EMAIL": "you@example.invalid",
        "GIT_COMMITTER_NAME": PERSONAS["you"].name, "GIT_COMMITTER_EMAIL": "you@example.invalid",
        "GIT_AUTHOR_DATE": "2030-01-01T12:00:00+0000", "GIT_COMMITTER_DATE": "2030-01-01T12:00:00+0000",
    }


def git(home: Path, args: Sequence[str], cwd: Path, data: bytes | None = None, check: bool = True) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=git_env(home), input=data, capture_output=True,
                              timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {' '.join(args[:2])}: {exc}") from None
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args[:3])} failed ({done.returncode}): "
                       f"{done.stderr.decode(errors='replace').strip()[-400:]}")
    return done.stdout.decode("utf-8", errors="replace")


@contextmanager
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cr-imposter-"))
    try:
        (path / ".gitconfig").write_text("", encoding="utf-8")
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data " + str(len(raw)).encode() + b"\n" + raw + b"\n"


def fast_import_stream(plan: Plan) -> bytes:
    """Every event as a fast-import commit (mark = index + 1), files changed against the first parent."""
    out = [b"feature done\n"]
    for event in plan.events:
        persona = PERSONAS[event.author]
        ident = (f"{persona.name} <{persona.email(plan.domain)}> {int(event.when.timestamp())} "
                 f"{persona.git_offset()}").encode()
        out += [f"commit refs/heads/{event.ref}\nmark :{event.index + 1}\n".encode(),
                b"author " + ident + b"\n", b"committer " + ident + b"\n", _data(event.message.rstrip("\n") + "\n")]
        before: dict[str, str] = {}
        if event.parents:
            out.append(f"from :{event.parents[0] + 1}\n".encode())
            before = plan.events[event.parents[0]].files
        for parent in event.parents[1:]:
            out.append(f"merge :{parent + 1}\n".encode())
        for path in sorted(set(before) - set(event.files)):
            out.append(f"D {path}\n".encode())
        for path in sorted(event.files):
            if before.get(path) != event.files[path]:
                out.append(f"M 100644 inline {path}\n".encode())
                out.append(_data(event.files[path]))
        out.append(b"\n")
    out.append(b"done\n")
    return b"".join(out)


@dataclass(frozen=True)
class Built:
    """A generated repository pair on disk (valid while its ``scratch`` directory lives)."""

    root: Path  # holds remote.git and repo, like the workspace
    shas: tuple[str, ...]  # per event index

    @property
    def remote(self) -> Path:
        return self.root / REMOTE_DIR

    @property
    def repo(self) -> Path:
        return self.root / REPO_DIR


def build(plan: Plan, home: Path) -> Built:
    """remote.git (every branch) and its clone repo/ (main checked out, origin at the workspace's remote)."""
    root = home / "ws"
    root.mkdir()
    remote = root / REMOTE_DIR
    git(home, ["init", "-q", "--bare", "--template=", "-b", "main", str(remote)], home)
    marks = home / "marks"
    git(home, ["fast-import", "--quiet", "--date-format=raw", f"--export-marks={marks}"], remote,
        data=fast_import_stream(plan))
    by_mark = dict(line.split() for line in marks.read_text().splitlines())
    shas = tuple(by_mark[f":{e.index + 1}"] for e in plan.events)
    for key, value in (("receive.unpackLimit", "1"), ("receive.autogc", "false"), ("gc.auto", "0")):
        git(home, ["config", key, value], remote)
    git(home, ["-c", "repack.writeBitmaps=false", "-c", "repack.updateServerInfo=false", "repack", "-a", "-d", "-q"],
        remote)
    repo = root / REPO_DIR
    git(home, ["clone", "-q", "--no-local", "--template=", str(remote), str(repo)], home)
    git(home, ["remote", "set-url", "origin", f"{WORKSPACE_ROOT}/{REMOTE_DIR}"], repo)
    for key, value in (("gc.auto", "256"), ("gc.autoDetach", "false")):
        git(home, ["config", key, value], repo)
    return Built(root, shas)


GITCONFIG = """[user]
\tname = You
\temail = you@{domain}
[core]
\teditor = true
\tpager = cat
[init]
\tdefaultBranch = main
[pull]
\trebase = false
[advice]
\tdetachedHead = false
"""


def workspace_files(built: Built, domain: str) -> dict[str, bytes]:
    """The workspace's files: repo/ (with .git), remote.git/ and a ~/.gitconfig naming "You"."""
    files: dict[str, bytes] = {".gitconfig": GITCONFIG.format(domain=domain).encode()}
    for top in (REPO_DIR, REMOTE_DIR):
        base = built.root / top
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            relative = path.relative_to(built.root).as_posix()
            inner = relative.split(".git/", 1)[1] if ".git/" in relative else ""
            if inner.startswith(_SKIPPED) or inner in _SKIPPED:
                continue
            files[relative] = path.read_bytes()
    return files


def diffs(built: Built, home: Path) -> dict[str, str]:
    """Each commit's unified diff (a merge against its first parent, the first commit against nothing)."""
    text = git(home, ["log", "--all", "-p", "--diff-merges=first-parent", "--no-color", "--no-ext-diff",
                      "--no-textconv", "-M", "--format=%x1e%H"], built.remote)
    out: dict[str, str] = {}
    for chunk in text.split("\x1e")[1:]:
        sha, _, patch = chunk.partition("\n")
        out[sha.strip()] = patch.strip("\n") + "\n" if patch.strip() else ""
    return out


def merge_tree(home: Path, remote: Path, first: str, second: str) -> str | None:
    """The tree git's own merge of two commits gives, or None when it conflicts."""
    try:
        out = git(home, ["merge-tree", "--write-tree", "--no-messages", first, second], remote)
    except GitError:
        return None
    return out.split("\n", 1)[0].strip() or None


def tree_of(home: Path, remote: Path, sha: str) -> str:
    return git(home, ["rev-parse", f"{sha}^{{tree}}"], remote).strip()
