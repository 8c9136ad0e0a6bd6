"""A response cache for product pages, and the memory it holds.

Each cached page is kept fully rendered (images inlined), about ENTRY_MB megabytes. The process is
killed by the kernel when its memory passes the service's limit (WR_MEMORY_MAX_MB, set by the service
manager), exactly like the real thing: the cache's size is what decides.
"""

from __future__ import annotations

import json
from collections import OrderedDict

BASE_MB = 96.0
ENTRY_MB = 2.5


class OutOfMemory(Exception):
    pass


class ResponseCache:
    def __init__(self, enabled: bool, max_entries: int, limit_mb: float) -> None:
        self.enabled = enabled
        self.max_entries = max_entries  # 0 = no limit
        self.limit_mb = limit_mb
        self.entries: OrderedDict[str, bytes] = OrderedDict()

    @property
    def memory_mb(self) -> float:
        return BASE_MB + ENTRY_MB * len(self.entries)

    def get(self, key: str) -> bytes | None:
        if not self.enabled or key not in self.entries:
            return None
        self.entries.move_to_end(key)
        return self.entries[key]

    def put(self, key: str, body: bytes) -> None:
        if not self.enabled:
            return
        self.entries[key] = body
        self.entries.move_to_end(key)
        while self.max_entries > 0 and len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)
        if self.memory_mb > self.limit_mb:
            raise OutOfMemory(f"{self.memory_mb:.1f} MB > {self.limit_mb:.1f} MB")

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"entries": list(self.entries)}, handle)

    def load(self, path: str) -> None:
        """The keys cached by this same process before (the service kept running between two looks at it)."""
        try:
            with open(path, encoding="utf-8") as handle:
                keys = json.load(handle).get("entries", [])
        except (OSError, ValueError, AttributeError):
            return
        for key in keys:
            if isinstance(key, str):
                self.put(key, b"")
