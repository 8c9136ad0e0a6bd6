"""The activity's optional time limit (LTI custom ``time_limit``, minutes; 0 or absent means none).

When it has passed, an attempt accepts no more work; ending it (and getting the grade) always stays possible.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lti_app.models import utcnow

MAX_MINUTES = 480


def time_limit_minutes(activity: Any) -> int | None:
    try:
        minutes = int(str((activity.options or {}).get("time_limit", "0")).strip() or 0)
    except ValueError:
        return None
    return min(minutes, MAX_MINUTES) if minutes > 0 else None


def deadline(activity: Any, attempt: Any) -> datetime | None:
    minutes = time_limit_minutes(activity)
    return attempt.started_at + timedelta(minutes=minutes) if minutes else None


def seconds_left(activity: Any, attempt: Any, now: datetime | None = None) -> float | None:
    end = deadline(activity, attempt)
    return None if end is None else max(0.0, (end - (now or utcnow())).total_seconds())
