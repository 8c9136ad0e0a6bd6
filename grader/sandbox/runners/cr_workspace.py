"""In-sandbox runner for one terminal command over a persistent workspace. Runs inside the sandbox; never
imported by the grader (see grader.workbench.workspace, which starts it and reads its record).

stdin: one JSON header line {"nonce", "command", "setup", "teardown", "prelude", "cwd", "env", "seconds",
"caps"}, then the workspace archive (tar.gz, the rest of stdin). Everything is read before anything of the
student's runs. Then:

1. the runner makes itself non-dumpable (its /proc files, memory and fds become unreachable to the
   student's processes, which run as the same uid), unpacks the archive into /tmp/ws;
2. runs ``setup`` (the phase's, e.g. start a service when the workspace says it runs), then
   ``bash -c <command>`` in /tmp/ws/<cwd> in a session of its own, with HOME=/tmp/ws, a fixed PATH and
   environment, stdin from /dev/null, stdout and stderr together into a pipe the runner drains (the first
   ``caps.output`` bytes kept; a flood is stopped), within ``seconds.command``;
3. kills what is left of the command's session, runs ``teardown``, kills every other process of the
   sandbox (kill(-1): services, daemons, escaped background jobs), packs /tmp/ws;
4. writes one record ``<nonce> <json>`` on its original stdout, which no student process holds (the
   command's output goes to its own pipe). The nonce never appears in argv, the environment or a file.

A command can change its own workspace (that is its job); it cannot make this runner report another
output or skip packing what it changed: killing the runner or garbling the channel leaves no valid record,
and then the grader keeps the workspace as it was before the command.
"""

import base64
import contextlib
import ctypes
import gzip
import io
import json
import os
import select
import signal
import stat
import subprocess
import sys
import tarfile
import time

WS = "/tmp/ws"
CWD_FILE = "/tmp/.cr-cwd"
ENV_FILE = "/tmp/.cr-bash-env"
SETUP_LOG = "/tmp/.cr-setup.log"
TEARDOWN_LOG = "/tmp/.cr-teardown.log"
PATH = "/usr/local/bin:/usr/bin:/bin"
PR_SET_DUMPABLE = 4
MAX_NAME_BYTES = 255
MAX_PATH_CHARS = 1024
MAX_DEPTH = 64


def _non_dumpable():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


# ----- unpacking ------------------------------------------------------------------------------------
def _inside(link_dir, target):
    """Whether a symlink in ``link_dir`` (relative to WS) pointing at ``target`` stays inside WS."""
    full = os.path.normpath(target) if target.startswith("/") else os.path.normpath(os.path.join(WS, link_dir, target))
    return full == WS or full.startswith(WS + "/")


def unpack(archive):
    os.mkdir(WS, 0o755)
    if not archive:
        return
    dirs = []
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar:
            name = member.name
            parts = name.split("/")
            if name.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise ValueError(f"unsafe name in the workspace archive: {name!r}")
            path = os.path.join(WS, name)
            if member.isdir():
                os.makedirs(path, 0o700, exist_ok=True)
                dirs.append((path, member))
            elif member.isreg():
                os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
                data = tar.extractfile(member).read()
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                finally:
                    os.close(fd)
                os.chmod(path, member.mode & 0o777)
                os.utime(path, (member.mtime, member.mtime))
            elif member.issym():
                if not _inside(os.path.dirname(name), member.linkname):
                    raise ValueError(f"a link in the workspace archive points outside it: {name!r}")
                os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
                os.symlink(member.linkname, path)
                os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
            else:
                raise ValueError(f"unsupported entry in the workspace archive: {name!r}")
    for path, member in reversed(dirs):
        os.chmod(path, member.mode & 0o777)
        os.utime(path, (member.mtime, member.mtime))


# ----- packing --------------------------------------------------------------------------------------
class TooLarge(Exception):
    pass


def _name_ok(rel):
    if len(rel) > MAX_PATH_CHARS or rel.count("/") >= MAX_DEPTH:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in rel):
        return False
    try:
        parts = rel.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a name (os.fsdecode's surrogates)
        return False
    return all(len(p) <= MAX_NAME_BYTES for p in parts.split(b"/"))


def _readable(path, st):
    """Make a file or directory of ours readable (and a directory searchable) so it can be packed."""
    need = 0o700 if stat.S_ISDIR(st.st_mode) else 0o400
    if st.st_mode & need != need:
        os.chmod(path, (st.st_mode & 0o777) | need)


def pack(caps):
    """tar.gz of WS (sorted, deterministic: the same tree gives the same bytes) and the names skipped."""
    skipped = []
    entries = []  # (rel, lstat)
    try:
        top = os.lstat(WS)
    except FileNotFoundError:
        top = None
    if top is not None and stat.S_ISDIR(top.st_mode):
        _readable(WS, top)
        stack = [""]
        while stack:
            rel_dir = stack.pop()
            base = os.path.join(WS, rel_dir) if rel_dir else WS
            try:
                names = sorted(os.listdir(base))
            except OSError:
                skipped.append(rel_dir)
                continue
            for name in names:
                rel = f"{rel_dir}/{name}" if rel_dir else name
                path = os.path.join(base, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if not _name_ok(rel):
                    skipped.append(rel)
                    continue
                if stat.S_ISDIR(st.st_mode):
                    try:
                        _readable(path, st)  # the archive keeps the mode it had (st, read before)
                    except OSError:
                        skipped.append(rel)
                        continue
                    entries.append((rel, st))
                    stack.append(rel)
                elif stat.S_ISREG(st.st_mode):
                    entries.append((rel, st))
                elif stat.S_ISLNK(st.st_mode):
                    target = os.readlink(path)
                    if _inside(rel_dir, target) and _name_ok(target):
                        entries.append((rel, st))
                    else:
                        skipped.append(rel)
                else:  # sockets, fifos, devices
                    skipped.append(rel)
                if len(entries) > caps["entries"]:
                    raise TooLarge(f"more than {caps['entries']} files and directories")
    entries.sort(key=lambda e: e[0])
    raw = io.BytesIO()
    total = 0
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, st in entries:
            path = os.path.join(WS, rel)
            info = tarfile.TarInfo(rel)
            info.mode = st.st_mode & 0o777
            info.mtime = int(st.st_mtime)
            if stat.S_ISDIR(st.st_mode):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif stat.S_ISLNK(st.st_mode):
                info.type = tarfile.SYMTYPE
                info.linkname = os.readlink(path)
                tar.addfile(info)
            else:
                if st.st_mode & 0o400 == 0:
                    os.chmod(path, (st.st_mode & 0o777) | 0o400)
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                try:
                    with os.fdopen(fd, "rb", closefd=False) as f:
                        data = f.read(caps["unpacked"] + 1)
                finally:
                    os.close(fd)
                total += len(data)
                if total > caps["unpacked"]:
                    raise TooLarge(f"more than {caps['unpacked'] // (1024 * 1024)} MB of files")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            if raw.tell() > caps["packed"]:
                raise TooLarge(f"more than {caps['packed'] // (1024 * 1024)} MB packed")
    data = raw.getvalue()
    if len(data) > caps["packed"]:
        raise TooLarge(f"more than {caps['packed'] // (1024 * 1024)} MB packed")
    return data, skipped


# ----- processes ------------------------------------------------------------------------------------
def _others():
    """Pids in this sandbox other than pid 1 (its init) and this runner."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me):
            found.append(int(entry))
    return found


def _session_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat_line = f.read()
    except OSError:
        return None
    # pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses; split after the last ")"
    fields = stat_line[stat_line.rfind(b")") + 2:].split()
    try:
        return int(fields[3])
    except (IndexError, ValueError):
        return None


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_session(sid):
    """Kill every process of the session ``sid`` (a command and what it started), until none is left."""
    for _ in range(50):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(sid, signal.SIGKILL)
        members = [p for p in _others() if _session_of(p) == sid]
        for pid in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        _reap()
        if not [p for p in _others() if _session_of(p) == sid and _alive(p)]:
            return
        time.sleep(0.005)


def _alive(pid):
    """Present and not a zombie (a zombie whose parent is init is reaped by init soon)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            line = f.read()
    except OSError:
        return False
    return line[line.rfind(b")") + 2:][:1] != b"Z"


def kill_everything():
    """kill(-1): every process this runner may signal in the sandbox except itself and pid 1."""
    for _ in range(100):
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        _reap()
        if not [p for p in _others() if _alive(p)]:
            return True
        time.sleep(0.005)
    return False


def run_shell(script, cwd, env, seconds, cap, log_path=None, keep_session=False):
    """``bash -c script`` in its own session. Its stdout+stderr go to a pipe drained here (the first ``cap``
    bytes kept; a flood is stopped), or with ``log_path`` to that file (for setup and teardown: a service they
    start may keep writing after they end, and must not meet a closed pipe). Ends when bash exits, on the
    deadline, or on a flood; then what is left of its session is killed unless ``keep_session`` (the setup's
    services run on; they are stopped with everything else before packing). A run stopped on its deadline
    takes its session with it. Returns a dict: exit_code, signal, timed_out, flood, output (bytes), seen
    (bytes written), seconds, spawn_error."""
    started = time.monotonic()
    deadline = started + seconds
    if log_path is not None:
        # A fresh regular file: the command may have put a fifo or a link at that path meanwhile.
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(log_path)
        try:
            write_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError:
            write_fd, log_path = os.open(os.devnull, os.O_WRONLY), None
        read_fd = None
    else:
        read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(["/bin/bash", "-c", script], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=write_fd, stderr=write_fd, close_fds=True, start_new_session=True)
    except OSError as exc:
        for fd in (read_fd, write_fd):
            if fd is not None:
                os.close(fd)
        return {"exit_code": None, "signal": None, "timed_out": False, "flood": False, "output": b"",
                "seen": 0, "seconds": 0.0, "spawn_error": str(exc)}
    os.close(write_fd)
    if read_fd is not None:
        os.set_blocking(read_fd, False)
    try:
        exited = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        exited = None
    kept, seen, kept_bytes = [], 0, 0
    timed_out = flood = False
    status = None
    eof = read_fd is None
    while True:
        if status is None:
            code = proc.poll()
            if code is not None:
                status = code
        if status is not None:
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        watch = [exited] if exited is not None else []
        if not eof:
            watch.append(read_fd)
        ready, _, _ = select.select(watch, [], [], min(remaining, 0.01 if exited is None else remaining))
        if read_fd is not None and read_fd in ready:
            try:
                chunk = os.read(read_fd, 65536)
            except BlockingIOError:
                chunk = None
            if chunk == b"":
                eof = True
            elif chunk:
                seen += len(chunk)
                if kept_bytes < cap:
                    kept.append(chunk[:cap - kept_bytes])
                    kept_bytes += len(kept[-1])
                if seen > cap + 4 * 1024 * 1024:
                    flood = True
                    break
    # Whatever is already in the pipe belongs to the output; background writers are not waited for.
    if read_fd is not None and not flood:
        for _ in range(64):
            try:
                chunk = os.read(read_fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            seen += len(chunk)
            if kept_bytes < cap:
                kept.append(chunk[:cap - kept_bytes])
                kept_bytes += len(kept[-1])
    if not keep_session or timed_out:
        kill_session(proc.pid)  # reaps the bash too when it was still running: its status means nothing then
    if read_fd is not None:
        os.close(read_fd)
    if exited is not None:
        os.close(exited)
    if log_path is not None:
        data = _read_regular(log_path, cap)
        kept, seen = [data or b""], len(data or b"")
    exit_code = sig = None
    if status is not None:
        if status < 0:
            sig = -status
        else:
            exit_code = status
    return {"exit_code": exit_code, "signal": sig, "timed_out": timed_out, "flood": flood,
            "output": b"".join(kept), "seen": seen, "seconds": round(time.monotonic() - started, 4),
            "spawn_error": None}


def _text(data):
    return data.decode("utf-8", "replace").replace("\x00", "\u2400")


def _part(result):
    """A setup/teardown run in the record (for the phase, not the student)."""
    return {"exit_code": result["exit_code"], "signal": result["signal"], "timed_out": result["timed_out"],
            "output": _text(result["output"]), "spawn_error": result["spawn_error"]}


def _start_dir(cwd):
    """The directory the command starts in: ``cwd`` inside WS if it still is a directory there, else WS."""
    if cwd:
        path = os.path.realpath(os.path.join(WS, cwd))
        if (path == WS or path.startswith(WS + "/")) and os.path.isdir(path):
            return path, True
        return WS, False
    return WS, True


def _read_regular(path, cap):
    """Up to ``cap`` bytes of ``path`` if it is a regular file (never a fifo or a device the command put there,
    which could block this runner), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, left = [], cap
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _final_cwd(fallback):
    """Where the command ended (its EXIT trap wrote ``pwd -P``), relative to WS; ``fallback`` if it left WS
    or the note is missing or unusable (the command may have written anything there)."""
    data = _read_regular(CWD_FILE, 4096)
    try:
        text = (data or b"").decode("utf-8").strip()
    except UnicodeDecodeError:
        return fallback
    if not text:
        return fallback
    if text == WS:
        return ""
    if text.startswith(WS + "/") and os.path.isdir(text) and _name_ok(text[len(WS) + 1:]):
        return text[len(WS) + 1:]
    return fallback


def main():
    raw = sys.stdin.buffer.read()
    head, _, archive = raw.partition(b"\n")
    header = json.loads(head)
    nonce = header["nonce"]
    del raw, head
    # Nothing more to read; no student process may inherit this runner's stdin or stdout (the channel).
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    channel = os.dup(1)
    devnull_w = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull_w, 1)
    os.dup2(devnull_w, 2)
    os.close(devnull_w)

    def emit(record):
        data = ("\n" + nonce + " " + json.dumps(record, separators=(",", ":")) + "\n").encode()
        while data:
            data = data[os.write(channel, data):]

    caps = header["caps"]
    seconds = header["seconds"]
    try:
        _non_dumpable()
        unpack(archive)
    except Exception as exc:  # noqa: BLE001 - a broken start is reported, never half-run
        emit({"error": "start", "detail": f"{type(exc).__name__}: {exc}"[:500]})
        os._exit(0)
    del archive
    start_dir, cwd_kept = _start_dir(header.get("cwd") or "")
    env = {"PATH": PATH, "HOME": WS, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "dumb", "PAGER": "cat",
           "GIT_PAGER": "cat", "SHELL": "/bin/bash", "USER": "student", "LOGNAME": "student", "TMPDIR": "/tmp"}
    env.update(header.get("env") or {})
    env.update({"PATH": PATH, "HOME": WS})
    # Sourced by the command's bash before the command (BASH_ENV): the phase's prelude (shell functions, say),
    # and a trap that notes the directory the command ends in, so the next command starts there.
    with open(ENV_FILE, "w", encoding="utf-8") as f:
        f.write("unset BASH_ENV\n")
        f.write(header.get("prelude") or "")
        # Only into a regular file (or none yet): a fifo the command left there would block its exit.
        f.write(f"\ntrap '{{ [ -L {CWD_FILE} ] || {{ [ -e {CWD_FILE} ] && [ ! -f {CWD_FILE} ]; }}; }} "
                f"|| pwd -P > {CWD_FILE}' EXIT\n")
    record = {"v": 1}
    if header.get("setup"):
        setup = run_shell(header["setup"], WS, env, seconds["setup"], 16 * 1024, log_path=SETUP_LOG,
                          keep_session=True)
        record["setup"] = _part(setup)
    command_env = {**env, "BASH_ENV": ENV_FILE, "PWD": start_dir}
    result = run_shell(header["command"], start_dir, command_env, seconds["command"], caps["output"])
    record.update({
        "exit_code": result["exit_code"], "signal": result["signal"], "timed_out": result["timed_out"],
        "flood": result["flood"], "output": _text(result["output"]), "output_bytes": result["seen"],
        "seconds": result["seconds"], "spawn_error": result["spawn_error"], "cwd_kept": cwd_kept,
    })
    fallback = os.path.relpath(start_dir, WS) if start_dir != WS else ""
    record["cwd"] = _final_cwd(fallback)
    if header.get("teardown"):
        teardown = run_shell(header["teardown"], WS, env, seconds["teardown"], 16 * 1024, log_path=TEARDOWN_LOG)
        record["teardown"] = _part(teardown)
    record["all_stopped"] = kill_everything()
    # The cwd may have been removed by the teardown: check again once nothing runs.
    if record["cwd"] and not os.path.isdir(os.path.join(WS, record["cwd"])):
        record["cwd"] = ""
    try:
        data, skipped = pack(caps)
        record["archive"] = base64.b64encode(data).decode("ascii")
        record["skipped"] = skipped[:20]
        record["skipped_count"] = len(skipped)
    except TooLarge as exc:
        record["archive"] = None
        record["too_large"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - said in the record: the grader keeps the workspace as it was
        record["archive"] = None
        record["pack_error"] = f"{type(exc).__name__}: {exc}"[:300]
    emit(record)
    os._exit(0)


main()
