"""Capped output buffers: keep the first N bytes of a stream, count the rest, flag a flood."""

from __future__ import annotations

# A program that writes this much past its cap is stopped: nobody reads it and it only burns CPU.
FLOOD_SLACK_BYTES = 4 * 1024 * 1024


class CappedBuffer:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._chunks: list[bytes] = []
        self.kept = 0
        self.seen = 0

    def feed(self, data: bytes) -> None:
        self.seen += len(data)
        room = self.cap - self.kept
        if room > 0:
            part = data[:room]
            self._chunks.append(part)
            self.kept += len(part)

    @property
    def truncated(self) -> bool:
        return self.seen > self.kept

    @property
    def flooding(self) -> bool:
        return self.seen > self.cap + FLOOD_SLACK_BYTES

    def text(self) -> str:
        return b"".join(self._chunks).decode("utf-8", errors="replace")

    def raw(self) -> bytes:
        return b"".join(self._chunks)
