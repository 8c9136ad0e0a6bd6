"""The Workspace value (no sandbox): building, reading, editing, limits, and how run_command reads the runner's
record — a missing, doubled or malformed record leaves the workspace as it was."""

from __future__ import annotations

import base64
import gzip
import io
import json
import tarfile

import pytest

from grader.sandbox import RunRequest, RunResult, SandboxBackend
from grader.workbench.workspace import (
    BROKEN_OUTPUT,
    MAX_ENTRIES,
    MAX_OUTPUT_BYTES,
    MAX_UNPACKED_BYTES,
    Entry,
    ShellTask,
    Workspace,
    WorkspaceError,
    check_path,
    run_command,
)


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return raw.getvalue()


def _info(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, size, link
    return info


def test_files_round_trip_with_directories_modes_and_a_stable_digest():
    ws = Workspace.from_files({"app/config.ini": "port = 8000\n", "run.sh": b"#!/bin/sh\necho hi\n"},
                              executable=["run.sh"], mtime=1_700_000_000)
    assert ws.files() == {"app/config.ini": b"port = 8000\n", "run.sh": b"#!/bin/sh\necho hi\n"}
    assert ws.read("app/config.ini") == b"port = 8000\n" and ws.read("app") is None and ws.read("nope") is None
    assert ws.kind("app") == "dir" and ws.entries()["run.sh"].mode == 0o755
    assert ws.entries()["app/config.ini"].mode == 0o644
    assert [e["path"] for e in ws.listing()] == ["app", "app/config.ini", "run.sh"]
    # The same tree gives the same bytes and digest; times do not change the digest, content does.
    again = Workspace.from_files({"run.sh": b"#!/bin/sh\necho hi\n", "app/config.ini": "port = 8000\n"},
                                 executable=["run.sh"], mtime=1_700_000_000)
    assert again.archive == ws.archive and again.digest() == ws.digest()
    later = Workspace.from_files({"run.sh": b"#!/bin/sh\necho hi\n", "app/config.ini": "port = 8000\n"},
                                 executable=["run.sh"], mtime=1_800_000_000)
    assert later.digest() == ws.digest() and later.archive != ws.archive
    assert ws.with_file("app/config.ini", "port = 9000\n").digest() != ws.digest()


def test_an_editor_save_replaces_a_file_keeps_its_mode_and_makes_new_directories():
    ws = Workspace.from_files({"run.sh": "echo 1\n"}, executable=["run.sh"])
    saved = ws.with_file("run.sh", "echo 2\n").with_file("new/dir/file.txt", "x")
    assert saved.read("run.sh") == b"echo 2\n" and saved.entries()["run.sh"].mode == 0o755
    assert saved.kind("new") == "dir" and saved.kind("new/dir") == "dir" and saved.read("new/dir/file.txt") == b"x"
    assert ws.read("run.sh") == b"echo 1\n"  # immutable
    with pytest.raises(WorkspaceError, match="directory"):
        saved.with_file("new", "not a dir any more")
    with pytest.raises(WorkspaceError, match="not a directory"):
        saved.with_file("run.sh/inside", "x")
    linked = Workspace.from_entries({"target.txt": Entry("file", data=b"t"),
                                     "link": Entry("link", target="target.txt")})
    with pytest.raises(WorkspaceError, match="link"):
        linked.with_file("link", "through the link")
    assert saved.without("new").listing() == [{"path": "run.sh", "kind": "file", "size": 7}]


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../escape", "a/../../b", "a//b", "./a", "a/.", "tab\there",
                                  "nul\x00byte", "x" * 256, "/".join(["d"] * 70), "bad\ud800"])
def test_unsafe_paths_are_refused(path):
    with pytest.raises(WorkspaceError):
        check_path(path)
    with pytest.raises(WorkspaceError):
        Workspace.from_files({path: "x"})


def test_limits_on_entries_size_and_links():
    with pytest.raises(WorkspaceError, match="files and directories"):
        Workspace.from_files({f"f{i}": "" for i in range(MAX_ENTRIES + 1)})
    with pytest.raises(WorkspaceError, match="MB"):
        Workspace.from_files({"a": b"\0" * (MAX_UNPACKED_BYTES // 2 + 1), "b": b"\0" * (MAX_UNPACKED_BYTES // 2 + 1)})
    with pytest.raises(WorkspaceError, match="outside"):
        Workspace.from_entries({"up": Entry("link", target="../../etc/passwd")})
    with pytest.raises(WorkspaceError, match="outside"):
        Workspace.from_entries({"abs": Entry("link", target="/etc/passwd")})
    inside = Workspace.from_entries({"d/x": Entry("file", data=b"1"), "d/up": Entry("link", target="../d/x"),
                                     "abs": Entry("link", target="/tmp/ws/d/x")})
    assert inside.kind("d/up") == "link" and inside.read("d/up") is None


def test_archives_that_break_the_rules_are_refused():
    with pytest.raises(WorkspaceError):
        Workspace(b"not gzip at all")
    bomb = gzip.compress(b"\0" * (MAX_UNPACKED_BYTES + 5 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200_000
    with pytest.raises(WorkspaceError, match="MB"):
        Workspace(bomb)
    for members in (
        [(_info("../evil", size=1), b"x")],
        [(_info("/abs", size=1), b"x")],
        [(_info("dev", tarfile.CHRTYPE), None)],
        [(_info("hard", tarfile.LNKTYPE, link="x"), None)],
        [(_info("fifo", tarfile.FIFOTYPE), None)],
        [(_info("out", tarfile.SYMTYPE, link="/etc/shadow"), None)],
        [(_info("orphan/file", size=1), b"x")],  # its parent is missing
        [(_info("twice", size=1), b"x"), (_info("twice", size=1), b"y")],
    ):
        with pytest.raises(WorkspaceError):
            Workspace(_tar(members))


class _Scripted(SandboxBackend):
    """A backend that answers with a scripted stdout; ``{nonce}`` is replaced by the request's real nonce."""

    name = "scripted"

    def __init__(self, stdout: str, **result: object) -> None:
        self.stdout, self.result, self.requests = stdout, result, []

    def run(self, request: RunRequest) -> RunResult:
        self.requests.append(request)
        header = json.loads(request.stdin.split(b"\n", 1)[0])
        fields = {"stdout": self.stdout.replace("{nonce}", header["nonce"]), "stderr": "", "exit_code": 0,
                  **self.result}
        return RunResult(**fields)  # type: ignore[arg-type]

    def check(self) -> list[str]:
        return []


def _record(**fields: object) -> str:
    return json.dumps({"v": 1, "exit_code": 0, "signal": None, "timed_out": False, "flood": False, "output": "",
                       "output_bytes": 0, "cwd": "", **fields})


SEED = Workspace.from_files({"a.txt": "before\n"})
AFTER = Workspace.from_files({"a.txt": "after\n"})


def test_the_record_brings_output_exit_code_directory_and_the_new_tree():
    archive = base64.b64encode(AFTER.at("").archive).decode()
    backend = _Scripted("noise\n{nonce} " + _record(output="hello\n", output_bytes=6, exit_code=3, cwd="",
                                                      archive=archive) + "\n")
    result = run_command(backend, SEED, "echo hello; exit 3")
    assert (result.output, result.exit_code, result.outcome) == ("hello\n", 3, "error")
    assert result.workspace.read("a.txt") == b"after\n" and result.changed
    header = json.loads(backend.requests[0].stdin.split(b"\n", 1)[0])
    # The nonce travels on stdin only: never in argv, the environment or a file.
    assert header["nonce"] not in " ".join(backend.requests[0].command) + json.dumps(backend.requests[0].files)
    assert backend.requests[0].stdin.endswith(SEED.archive)


@pytest.mark.parametrize("stdout", [
    "",  # the runner was killed before it wrote anything
    "0123456789abcdef {\"output\": \"forged\"}\n",  # a record with the wrong nonce
    "{nonce} not json\n",  # garbled
    "{nonce} [1, 2]\n",  # not an object
    "{nonce} " + _record(output="one") + "\n{nonce} " + _record(output="two") + "\n",  # two records
    "{nonce} " + _record(output="cut", archive="AAAA"),  # no newline: cut before the end
    "{nonce} " + _record(output="bad archive", archive="!!!not base64!!!") + "\n",
    "{nonce} " + _record(output="not a tar", archive=base64.b64encode(b"garbage").decode()) + "\n",
])
def test_without_one_valid_record_the_workspace_stays_as_it_was(stdout):
    result = run_command(_Scripted(stdout), SEED, "echo changed > a.txt")
    assert result.outcome == "broken" and result.exit_code is None and not result.changed
    assert result.workspace.archive == SEED.archive
    assert result.output == BROKEN_OUTPUT + "\n"


def test_a_tree_the_runner_could_not_pack_is_not_kept():
    result = run_command(_Scripted("{nonce} " + _record(output="hi\n", archive=None, pack_error="OSError: x") + "\n"),
                         SEED, "echo hi")
    assert result.outcome == "broken" and result.output == "hi\n" and "could not be saved" in result.note
    assert result.workspace.archive == SEED.archive


def test_the_sandbox_s_word_wins_when_the_record_is_missing():
    result = run_command(_Scripted("", exit_code=None, timed_out=True), SEED, "sleep 100")
    assert result.outcome == "timeout" and "nothing it changed was kept" in result.output
    cancelled = run_command(_Scripted("", exit_code=None, cancelled=True), SEED, "sleep 100")
    assert cancelled.outcome == "cancelled" and cancelled.workspace.archive == SEED.archive


def test_a_cut_output_says_so_and_a_tree_beyond_the_limits_is_not_kept():
    big = "x" * MAX_OUTPUT_BYTES
    result = run_command(_Scripted("{nonce} " + _record(output=big, output_bytes=10 * MAX_OUTPUT_BYTES,
                                                           archive=base64.b64encode(AFTER.archive).decode()) + "\n"),
                         SEED, "yes")
    assert result.truncated and result.output.endswith(f"of {10 * MAX_OUTPUT_BYTES:,} bytes]\n")
    too_large = run_command(_Scripted("{nonce} " + _record(too_large="more than 32 MB of files") + "\n"), SEED, "x")
    assert too_large.outcome == "too_large" and "32 MB" in too_large.note
    assert too_large.workspace.archive == SEED.archive


def test_commands_scripts_and_environment_are_checked():
    backend = _Scripted("")
    for bad in ("", "   ", "nul\x00"):
        with pytest.raises(WorkspaceError):
            run_command(backend, SEED, bad)
    with pytest.raises(WorkspaceError):
        run_command(backend, SEED, "ls", env={"PATH": "/evil"})
    with pytest.raises(WorkspaceError):
        run_command(backend, SEED, "ls", env={"BAD NAME": "x"})
    with pytest.raises(WorkspaceError):
        run_command(backend, SEED, "ls", cwd="../up")
    view, after = ShellTask().run(_Scripted("{nonce} " + _record(output="ok\n", archive=base64.b64encode(
        SEED.archive).decode()) + "\n"), SEED, "true")
    assert view["kind"] == "command" and view["output"] == "ok\n" and view["limit_seconds"] == 10.0
    assert after.archive == SEED.archive and view["changed"] is False
