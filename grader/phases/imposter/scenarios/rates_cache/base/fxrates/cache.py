"""A small time-limited cache: an entry expires ``ttl_seconds`` after it was stored."""

import time


class TTLCache:
    def __init__(self, ttl_seconds, clock=time.monotonic):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries = {}

    def get(self, key):
        """The value stored for ``key``; None when there is none or it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, stored_at = entry
        if self._clock() - stored_at >= self.ttl_seconds:
            del self._entries[key]
            return None
        return value

    def set(self, key, value):
        self._entries[key] = (value, self._clock())

    def __len__(self):
        return len(self._entries)
