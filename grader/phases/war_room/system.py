"""The broken system a student lands on: the workspace's files, and the snippets that run the service.

The files are the shared service (``service/``) with the incident's edits and ``system/`` files over it,
earlier releases where the incident keeps them, a SQLite database built from the workspace's own schema and
seed SQL (no binary file in git), the deploy history, the logs (``logs.generate``) and the service manager's
state (``run/``): running, from the code and config it loaded at its last start, with the memory it holds.

Commands run one by one (grader.workbench.workspace): before each, ``SETUP`` brings the service back as it
was when the last command ended if the workspace says it runs (and restarts it after the kernel killed it,
as systemd's Restart=on-abnormal would); after each, ``TEARDOWN`` stops it cleanly so it saves what it holds.
"""

from __future__ import annotations

import json
import os
import posixpath
import sqlite3
import tempfile
from datetime import UTC, datetime
from typing import Any

from grader.phases.war_room.incidents import Incident, service_files
from grader.phases.war_room.logs import generate
from grader.workbench.workspace import Entry, Workspace

BASE_MTIME = int(datetime(2025, 3, 1, 9, 0, tzinfo=UTC).timestamp())
MEMORY_MAX_MB = 512

SETUP = r"""# shop-api's service manager, before the command: the service is up if the box says so.
cd /tmp/ws 2>/dev/null || exit 0
mkdir -p run logs
rm -f run/ready run/app.pid
# A 10 ms pause without a process per pause (a read that times out on a fifo nobody writes).
mkfifo /tmp/.wr-tick 2>/dev/null; exec 9<>/tmp/.wr-tick
tick() { read -r -t 0.01 -u 9 _ 2>/dev/null; return 0; }
clock_now() {
    local i r
    read -r i r < <(tr -dc '0-9 ,' < run/clock.json 2>/dev/null | tr ',' ' ')
    echo $(( ${i:-0} + $(date +%s) - ${r:-0} ))
}
journal() { echo "$(date -u -d "@$(clock_now)" +%FT%TZ) INFO    systemd[1]: $*" >> logs/app.log; }
state=$(cut -d' ' -f1 run/service.state 2>/dev/null)
fresh=
if [ "$state" = failed ] && grep -q oom-kill run/service.state 2>/dev/null; then
    # Restart=on-abnormal: the kernel killed it, so the manager starts it again from the files on disk.
    n=$(( $(cat run/restarts 2>/dev/null || echo 0) + 1 ))
    echo "$n" > run/restarts
    journal "shop-api.service: Main process exited, code=killed, status=9/KILL"
    journal "shop-api.service: Scheduled restart job, restart counter is at $n."
    rm -rf run/loaded run/heap.json
    mkdir -p run/loaded
    cp -r app run/loaded/app 2>/dev/null
    [ -d config ] && cp -r config run/loaded/config
    clock_now > run/started_at
    state=running
    fresh=1
    echo running > run/service.state
fi
if [ "$state" = running ] && [ -f run/loaded/app/server.py ]; then
    WR_MEMORY_MAX_MB=__MEMORY__ setsid python3 -E -S -B run/loaded/app/server.py \
        --config run/loaded/config/service.ini --root . --heap run/heap.json --traffic __TRAFFIC__ \
        >> logs/service.out 2>&1 < /dev/null &
    echo $! > run/app.pid
    for _ in $(seq 250); do [ -e run/ready ] && break; kill -0 $! 2>/dev/null || break; tick; done
    if [ -e run/ready ]; then
        [ -n "$fresh" ] && journal "Started shop-api (pid $(cat run/app.pid))."
    elif ! grep -q oom-kill run/service.state 2>/dev/null; then
        echo failed > run/service.state
    fi
fi
exit 0
"""

TEARDOWN = r"""# After the command: stop the service cleanly (it saves what it holds) so the next command resumes it.
cd /tmp/ws 2>/dev/null || exit 0
# A 10 ms pause without a process per pause (a read that times out on a fifo nobody writes).
mkfifo /tmp/.wr-tick 2>/dev/null; exec 9<>/tmp/.wr-tick
tick() { read -r -t 0.01 -u 9 _ 2>/dev/null; return 0; }
pid=$(cat run/app.pid 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 80); do kill -0 "$pid" 2>/dev/null || break; tick; done
fi
rm -f run/ready run/app.pid
exit 0
"""

# Shell functions for the command's bash: the box's tools by the names people type (and callable where the
# workspace is mounted noexec). The service is the service whatever it is called.
PRELUDE = r"""__wr_service() {
    local a args=()
    for a in "$@"; do case "$a" in shop-api|shop-api.service|shop) ;; *) args+=("$a") ;; esac; done
    bash /tmp/ws/bin/service "${args[@]}"
}
bin/service() { __wr_service "$@"; }
./bin/service() { __wr_service "$@"; }
/tmp/ws/bin/service() { __wr_service "$@"; }
service() { __wr_service "$@"; }
systemctl() { __wr_service "$@"; }
bin/deploy() { bash /tmp/ws/bin/deploy "$@"; }
./bin/deploy() { bash /tmp/ws/bin/deploy "$@"; }
/tmp/ws/bin/deploy() { bash /tmp/ws/bin/deploy "$@"; }
"""


def setup_script(incident: Incident) -> str:
    traffic = int(incident.data["system"]["traffic_per_command"])
    return SETUP.replace("__MEMORY__", str(MEMORY_MAX_MB)).replace("__TRAFFIC__", str(traffic))


def _apply(text: str, edits: list[dict[str, Any]], file: str) -> str:
    for edit in edits:
        if edit["file"] == file:
            text = text.replace(edit["find"], edit["replace"], 1)
    return text


def _app(shared: dict[str, bytes], edits: list[dict[str, Any]], version: str) -> dict[str, bytes]:
    """The app/ files of a release: the shared app with the release's edits, and its VERSION."""
    app = {p: _apply(c.decode(), edits, p).encode() for p, c in shared.items() if p.startswith("app/")}
    app["app/VERSION"] = f"{version}\n".encode()
    return app


def build_database(schema: bytes, seed: bytes) -> bytes:
    """data/shop.db from the workspace's own db/schema.sql and db/seed.sql."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "shop.db")
        db = sqlite3.connect(path)
        try:
            db.executescript(schema.decode())
            db.executescript(seed.decode())
            db.commit()
        finally:
            db.close()
        with open(path, "rb") as handle:
            return handle.read()


def _history(incident: Incident, difficulty: str) -> str:
    rows = ["# deploys/history.log - every deploy and configuration change to shop-api on this box (newest last)"]
    for deploy in sorted(incident.data["deploys"], key=lambda d: d["at"]):
        at = deploy["at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        rows.append(f"{at}  {deploy['kind']:<8} shop-api {deploy['version']:<7} by {deploy['by']:<10} "
                    f"{deploy['note'][difficulty]}")
    return "\n".join(rows) + "\n"


def _epoch(when: datetime) -> int:
    return int(when.timestamp())


def build_files(incident: Incident, difficulty: str, seed: int,
                real_epoch: float) -> tuple[dict[str, bytes], dict[str, int], set[str]]:
    """(path -> content, path -> mtime, executable paths) of the incident's system for this attempt."""
    system = incident.data["system"]
    shared = service_files()
    deploys = sorted(incident.data["deploys"], key=lambda d: d["at"])
    changed = _epoch(system["changed_at"] or deploys[-1]["at"])
    page = _epoch(incident.incident_time)
    files = dict(shared)
    mtimes = dict.fromkeys(files, BASE_MTIME)
    current = _app(shared, system["edits"], system["version"])
    for path, content in current.items():
        if content != shared.get(path):
            mtimes[path] = changed
    files.update(current)
    for path, content in incident.overlay:
        files[path], mtimes[path] = content, changed
    if system["releases"]:
        for release in [*system["releases"], {"version": system["version"], "edits": system["edits"]}]:
            for path, content in _app(shared, release["edits"], release["version"]).items():
                target = f"releases/{release['version']}/{path}"
                files[target], mtimes[target] = content, BASE_MTIME
    level = (system.get("log_level") or {}).get(difficulty)
    config = files.get("config/service.ini")
    if level and config is not None:
        files["config/service.ini"] = config.replace(b"\nlevel = INFO\n", f"\nlevel = {level}\n".encode())
    files["data/shop.db"], mtimes["data/shop.db"] = build_database(files["db/schema.sql"], files["db/seed.sql"]), page
    for name, text in generate(incident, difficulty, seed).items():
        files[f"logs/{name}"], mtimes[f"logs/{name}"] = text.encode(), page
    files["logs/service.out"], mtimes["logs/service.out"] = b"", changed
    files["deploys/history.log"], mtimes["deploys/history.log"] = _history(incident, difficulty).encode(), changed
    run = {
        "run/service.state": b"running\n",
        "run/clock.json": json.dumps({"incident_epoch": page, "real_epoch": int(real_epoch)}).encode(),
        "run/started_at": f"{changed}\n".encode(),
        "run/restarts": f"{system['restarts']}\n".encode(),
    }
    entries = int((system.get("cache_entries") or {}).get(difficulty, 0))
    keys = [f"/api/v1/products/{n % 8 + 1}?session={seed:04x}{n:05x}" for n in range(entries)]
    run["run/heap.json"] = json.dumps({"entries": keys}).encode()
    for path in [p for p in files if p.startswith(("app/", "config/"))]:
        run[f"run/loaded/{path}"] = files[path]
    for path, content in run.items():
        files[path], mtimes[path] = content, page
    executables = {"bin/service", *incident.executables}
    return files, mtimes, {p for p in executables if p in files}


def build_workspace(incident: Incident, difficulty: str, seed: int, real_epoch: float) -> Workspace:
    files, mtimes, executables = build_files(incident, difficulty, seed, real_epoch)
    entries: dict[str, Entry] = {}
    for path in sorted(files):
        entries[path] = Entry("file", 0o755 if path in executables else 0o644, mtimes.get(path, BASE_MTIME),
                              files[path])
        parent = posixpath.dirname(path)
        while parent and parent not in entries:
            entries[parent] = Entry("dir", 0o755, BASE_MTIME)
            parent = posixpath.dirname(parent)
    return Workspace.from_entries(entries)
