"""A bank of verified exercises: one committed JSON file whose entries are keyed by name and carry the digest of
the files they were verified from. An entry is served only while its digest matches the current files; the file
is written by a phase's bank builder and re-verified in the sandbox by a CI test.

    bank = VerifiedBank(path, version=1, section="tasks")
    bank.entry("bakery_receipt", task.digest)   # the entry, or None when missing or stale
    bank.write({"bakery_receipt": {"digest": ..., ...}})

Reads are cached and re-read when the file changes, so a long-running worker sees a rebuilt bank.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_cache: dict[Path, tuple[float, dict[str, Any]]] = {}


def read_json_cached(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path`` (re-read when its modification time changes), or None when there is no file."""
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a bank is a JSON object")
    with _lock:
        _cache[path] = (stamp, data)
    return data


class VerifiedBank:
    """One bank file: ``{"version": n, <section>: {key: {"digest": ..., ...}}, ...extra}``."""

    def __init__(self, path: Path, version: int, section: str = "entries",
                 defaults: Mapping[str, Any] | None = None) -> None:
        self.path, self.version, self.section = Path(path), version, section
        self.defaults = dict(defaults or {})

    def read(self) -> dict[str, Any]:
        """The whole bank; an empty one when there is no file."""
        data = read_json_cached(self.path)
        if data is None:
            return {"version": self.version, **self.defaults, self.section: {}}
        return data

    def entries(self) -> dict[str, Any]:
        data = self.read()
        if data.get("version") != self.version:
            return {}  # another format: nothing in it is served
        entries = data.get(self.section)
        return entries if isinstance(entries, dict) else {}

    def entry(self, key: str, digest: str) -> dict[str, Any] | None:
        """The entry for ``key`` when it was verified from files with this ``digest``, else None."""
        found = self.entries().get(key)
        if isinstance(found, dict) and found.get("digest") == digest and digest:
            return found
        return None

    def write(self, entries: Mapping[str, Any], **extra: Any) -> None:
        """Replace the file: entries sorted by key, compact but diff-friendly (one value per line at most)."""
        data = {"version": self.version, **self.defaults, **extra, self.section: dict(sorted(entries.items()))}
        self.path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
