"""What a job handler decided about its row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """``ok``, or an error; ``retry_at`` set means: try again later (status RETRY)."""

    ok: bool
    error: str = ""
    retry_at: datetime | None = None

    @classmethod
    def done(cls) -> Outcome:
        return cls(ok=True)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls(ok=False, error=error)

    @classmethod
    def retry(cls, error: str, at: datetime) -> Outcome:
        return cls(ok=False, error=error, retry_at=at)


Handler = Callable[[Any], Outcome]
