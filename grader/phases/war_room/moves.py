"""What a student did, read from the attempt's command log: each step classified (looked at what, changed
something, restarted, a destructive or brute-force move), which the systematic-approach and fix-quality
items of the grade read.

A log entry, as the web records it (oldest first)::

    {"at": iso time, "kind": "command", "command": "tail -n 50 logs/app.log", "output": "...", "exit_code": 0}
    {"at": iso time, "kind": "edit", "path": "config/service.ini", "diff": "--- a/...\\n+++ b/...\\n@@ ..."}

(the terminal's rows work as they are: a command's line may be in ``source``, an edit's path too; check rows
and other kinds are skipped).

Commands are parsed with shlex (falling back to whitespace on unbalanced quotes) into simple commands; the
classification is deliberately plain: what a reviewer reading the log would say.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grader.phases.war_room.incidents import Incident

READERS = {"cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "zgrep", "zcat", "awk", "sed", "cut",
           "sort", "uniq", "wc", "diff", "ls", "find", "stat", "file", "tree", "jq", "strings", "nl", "column",
           "view", "od", "hexdump", "xxd", "cmp", "md5sum", "sha256sum", "du", "readlink", "realpath", "git"}
PROBES = {"curl", "wget", "http", "nc", "telnet"}
STATUS = {"ps", "top", "pgrep", "free", "df", "uptime", "ss", "netstat", "lsof", "id", "whoami", "date", "env",
          "printenv", "journalctl", "dmesg", "vmstat", "pstree"}
CHANGERS = {"cp", "mv", "rm", "rmdir", "ln", "touch", "chmod", "chown", "truncate", "mkdir", "tee", "install",
            "patch", "shred", "unlink", "dd", "kill", "pkill", "killall"}
SERVICE_NAMES = {"bin/service", "./bin/service", "/tmp/ws/bin/service", "service", "systemctl"}
DEPLOY_NAMES = {"bin/deploy", "./bin/deploy", "/tmp/ws/bin/deploy"}
WRAPPERS = {"sudo", "time", "nohup", "nice", "env", "command", "exec", "builtin", "timeout", "bash", "sh"}
SQL_WRITES = re.compile(r"\b(insert|update|delete|drop|alter|create|replace|vacuum|attach)\b", re.I)

# Moves that make a mess whatever the incident (the systematic item's "did not flail").
DESTRUCTIVE: dict[str, tuple[str, tuple[str, ...]]] = {
    "rm_rf": ("deleted files recursively (rm -r)", (r"\brm\s+(-\w+\s+)*-\w*[rR]\w*",)),
    "permissions_opened": ("opened file permissions to everyone (chmod 777)",
                           (r"\bchmod\b[^;&|]*(\b0?777\b|\ba\+rwx\b|\bugo\+rwx\b|\bo\+w\b|-R\b)",)),
    "kill_everything": ("killed processes wholesale (kill -1, killall, pkill)",
                        (r"\bkill\s+(-\w+\s+)*-1\b", r"\bkillall\b", r"\bpkill\b")),
    "logs_wiped": ("wiped or deleted logs (the evidence)",
                   (r"(^|[;&|(]\s*)(:|true|echo|printf\s*(''|\"\"))?\s*>\s*\S*logs/",
                    r"\b(rm|truncate|shred)\b[^;&|]*\blogs?\b")),
    "data_deleted": ("deleted or rewrote production data",
                     (r"\b(rm|truncate|shred)\b[^;&|]*\b(data/|shop\.db)", r"\bdrop\s+table\b",
                      r"\bdelete\s+from\s+\w+\s*(;|'|\"|$)")),
    "fork_bomb": ("started a fork bomb", (r":\s*\(\)\s*\{", r"\bwhile\s+(true|:)\s*;\s*do\s+\S+\s*&")),
}
# Brute-force "fixes" every incident shares; the incident's own come from its truth file.
COMMON_BRUTE_FORCE: tuple[dict[str, Any], ...] = (
    {"id": "config_deleted", "says": "deleted or emptied the configuration so the built-in defaults apply",
     "patterns": [r"\b(rm|unlink|truncate|shred)\b[^;&|]*\bconfig\b", r"\bmv\s+(-\w+\s+)*\S*config/service\.ini\s",
                  r"(^|[;&|]\s*)(:|true)?\s*>\s*\S*config/service\.ini", r"/dev/null\s+\S*config/service\.ini"],
     "removed": [], "verify": "rm -f config/service.ini && bin/service restart", "finding": "config_deleted"},
    {"id": "auth_disabled", "says": "switched admin authentication off",
     "patterns": [r"\brequired\s*=\s*(false|no|off|0)\b"], "removed": [],
     "verify": "sed -i 's/^required = true$/required = false/' config/service.ini && bin/service restart",
     "finding": "auth_disabled"},
    {"id": "debug_override_on", "says": "switched the debug override on (anyone may skip admin authentication)",
     "patterns": [r"\ballow_override\s*=\s*(true|yes|on|1)\b"], "removed": [],
     "verify": "sed -i 's/^allow_override = false$/allow_override = true/' config/service.ini && bin/service restart",
     "finding": "debug_override_on"},
)


def brute_force_moves(incident: Incident) -> list[dict[str, Any]]:
    return [*COMMON_BRUTE_FORCE, *incident.data["brute_force"]]


@dataclass
class Step:
    """One entry of the command log, classified."""

    index: int
    at: datetime | None
    kind: str  # "command" | "edit"
    text: str  # the command line, or "edit <path>"
    looks: set[str] = field(default_factory=set)  # logs, config, code, data, history, status, probe
    changes: bool = False
    restarts: int = 0  # starts of the service (restart, start, a rollback's restart)
    stops: bool = False
    destructive: list[str] = field(default_factory=list)
    brute_force: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "at": self.at.isoformat() if self.at else None, "kind": self.kind,
                "text": self.text, "looks": sorted(self.looks), "changes": self.changes, "restarts": self.restarts,
                "stops": self.stops, "destructive": self.destructive, "brute_force": self.brute_force}


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def simple_commands(line: str) -> list[list[str]]:
    """The simple commands of a command line: split on ; && || | & and newlines, each as its words (comment
    lines dropped)."""
    line = " ;\n".join(part for part in line.splitlines() if not part.strip().startswith("#"))
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
    except ValueError:
        tokens = re.split(r"\s+", line)
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token and set(token) <= set(";&|") or token == "\n":
            commands.append([])
        elif token:
            commands[-1].append(token)
    return [c for c in commands if c]


def _program(words: list[str]) -> tuple[str, list[str]]:
    """The program a simple command runs (past VAR=x, sudo, time...) and its arguments."""
    rest = list(words)
    while rest and (re.match(r"^[A-Za-z_]\w*=", rest[0]) or rest[0] in WRAPPERS or rest[0].startswith("-")
                    and rest[0] != "-"):
        rest = rest[1:]
    if not rest:
        return "", []
    return rest[0], rest[1:]


def _targets(args: list[str]) -> set[str]:
    """What files or places the arguments name."""
    text = " ".join(args)
    found = set()
    if re.search(r"(^|[\s/])logs?(/|\b)|\.log\b|kern\.log|service\.out", text):
        found.add("logs")
    if re.search(r"\bconfig\b|\.ini\b", text):
        found.add("config")
    if re.search(r"\bapp/|\bapp$|\.py\b|\breleases\b|\bVERSION\b", text):
        found.add("code")
    if re.search(r"\bdata\b|\.db\b|\.sql\b", text):
        found.add("data")
    if re.search(r"\bdeploys\b|history|ci-build|RUNBOOK", text, re.I):
        found.add("history")
    if re.search(r"\brun/|\bstatus\.json\b", text):
        found.add("status")
    return found


def _redirects_into_workspace(line: str) -> bool:
    """An output redirection to a file that is not /dev/null or under /tmp."""
    for match in re.finditer(r"(?<![<>&\d])(\d?>>?|&>)\s*([^\s;&|]+)", line):
        target = match.group(2)
        elsewhere = target.startswith("/tmp/") and not target.startswith("/tmp/ws")
        if target.startswith("&") or target == "/dev/null" or elsewhere:
            continue
        return True
    return False


def _sed_replacements(line: str) -> str:
    """For ``sed s/a/b/``: what it writes (b), so that switching a setting back is not read as switching it off."""
    parts = []
    for match in re.finditer(r"(?:^|[\s'\";])s([/#|:,@!])(.*?)(?<!\\)\1(.*?)(?<!\\)\1", line):
        parts.append(match.group(3))
    return "\n".join(parts)


def _diff_lines(diff: str) -> tuple[str, str]:
    added = [ln[1:] for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    removed = [ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    return "\n".join(added), "\n".join(removed)


def _matches(patterns: list[str] | tuple[str, ...], subject: str) -> bool:
    return bool(subject) and any(re.search(p, subject, re.I | re.M) for p in patterns)


def classify(entry: dict[str, Any], index: int, incident: Incident) -> Step:
    kind = "edit" if entry.get("kind") == "edit" else "command"
    at = parse_time(entry.get("at"))
    moves = brute_force_moves(incident)
    if kind == "edit":
        path = str(entry.get("path") or entry.get("source") or "")
        step = Step(index, at, kind, f"edit {path}", changes=True)
        added, removed = _diff_lines(str(entry.get("diff") or ""))
        step.brute_force = [m["id"] for m in moves if _matches(m["patterns"], added) or _matches(m["removed"], removed)]
        if path.startswith("logs/") and removed and not added:
            step.destructive.append("logs_wiped")
        return step
    line = str(entry.get("command") or entry.get("source") or "")
    step = Step(index, at, kind, line)
    for words in simple_commands(line):
        program, args = _program(words)
        name = program.rsplit("/", 1)[-1] if program not in SERVICE_NAMES | DEPLOY_NAMES else program
        verb = next((a for a in args if not a.startswith("-") and a not in ("shop-api", "shop-api.service")), "")
        if program in SERVICE_NAMES:
            if verb in ("restart", "start", "reload", "force-reload", "try-restart"):
                step.restarts += 1
            elif verb == "stop":
                step.stops = True
            else:
                step.looks.add("status")
        elif program in DEPLOY_NAMES:
            if verb == "rollback":
                step.changes, step.restarts = True, step.restarts + 1
            else:
                step.looks |= {"history", "code"}
        elif name in PROBES:
            step.looks.add("probe")
        elif name in STATUS:
            step.looks.add("status")
        elif name == "sqlite3":
            if SQL_WRITES.search(" ".join(args)):
                step.changes = True
            else:
                step.looks.add("data")
        elif name in ("sed", "perl") and any(a == "-i" or a.startswith(("-i", "--in-place")) for a in args) or \
                name == "awk" and "inplace" in args:
            step.changes = True
        elif name in CHANGERS:
            step.changes = True
            if name in ("kill", "pkill", "killall"):
                step.stops = True
        elif name in READERS:
            step.looks |= _targets(args) or {"files"}
        elif name in ("cd", "pwd", "echo", "printf", "true", "clear", "history", "help", "man", "which", "type"):
            pass
        if name in READERS and name not in ("sed", "awk"):
            step.looks |= _targets(args)
    if _redirects_into_workspace(line):
        step.changes = True
    subject = _sed_replacements(line) if re.search(r"\bsed\b", line) else line
    if step.changes or step.restarts:
        step.brute_force = [m["id"] for m in moves if _matches(m["patterns"], subject)]
    step.destructive = [name for name, (_, patterns) in DESTRUCTIVE.items() if _matches(patterns, line)]
    return step


def log_entries(command_log: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The commands and edits of a log (check rows and anything else are not steps)."""
    return [e for e in command_log or [] if isinstance(e, dict) and e.get("kind", "command") in ("command", "edit")]


def classify_log(command_log: list[dict[str, Any]] | None, incident: Incident) -> list[Step]:
    return [classify(entry, n, incident) for n, entry in enumerate(log_entries(command_log))]


def destructive_words(name: str) -> str:
    return DESTRUCTIVE[name][0] if name in DESTRUCTIVE else name.replace("_", " ")


def brute_force_words(incident: Incident, name: str) -> str:
    return next((m["says"] for m in brute_force_moves(incident) if m["id"] == name), name.replace("_", " "))
