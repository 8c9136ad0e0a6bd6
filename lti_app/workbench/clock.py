"""Server clocks: an attempt's deadline is fixed when it starts (the activity's time limit, stretched by the
student's accommodation); the page counts down from the server's figure, and at the deadline the
reconciler closes the attempt by itself (see :mod:`lti_app.workbench.deadlines`).

The time limit is the activity option ``time_limit`` in minutes; 0 or absent means none.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask import url_for

from lti_app.models import utcnow

MAX_MINUTES = 480


def time_limit_minutes(activity: Any) -> int | None:
    """The activity's own limit (unset: its phase's default, e.g. the Code Crucible's 15 minutes), before any
    accommodation."""
    from lti_app.phases.registry import activity_options

    try:
        minutes = int(str(activity_options(activity).get("time_limit", "0")).strip() or 0)
    except ValueError:
        return None
    return min(minutes, MAX_MINUTES) if minutes > 0 else None


def allowed_minutes(activity: Any, accommodation: Any | None) -> float | None:
    """The student's limit: the activity's, times their multiplier, plus their extra minutes."""
    minutes = time_limit_minutes(activity)
    if minutes is None:
        return None
    if accommodation is None:
        return float(minutes)
    return minutes * max(1.0, accommodation.time_multiplier) + max(0, accommodation.extra_minutes)


def deadline_for(activity: Any, accommodation: Any | None, started_at: datetime) -> datetime | None:
    minutes = allowed_minutes(activity, accommodation)
    return None if minutes is None else started_at + timedelta(minutes=minutes)


def seconds_left(attempt: Any, now: datetime | None = None) -> float | None:
    """None when the attempt has no deadline; never negative."""
    if attempt.deadline_at is None:
        return None
    return max(0.0, (attempt.deadline_at - (now or utcnow())).total_seconds())


def minutes_phrase(minutes: float) -> str:
    whole = int(round(minutes))
    return "1 minute" if whole == 1 else f"{whole} minutes"


def left_phrase(seconds: float) -> str:
    if seconds >= 60:
        minutes = math.ceil(seconds / 60)
        return "1 minute left." if minutes == 1 else f"{minutes} minutes left."
    whole = int(seconds)
    return "1 second left." if whole == 1 else f"{whole} seconds left."


def clock_view(launch_id: str, attempt: Any, *, submits_draft: bool = False) -> dict[str, Any] | None:
    """What the shared clock partial shows (``workbench/clock.html``); None without a deadline."""
    left = seconds_left(attempt)
    if left is None or attempt.deadline_at is None:
        return None
    allowed = (attempt.deadline_at - attempt.started_at).total_seconds() / 60
    return {
        "seconds_left": left,
        "left_phrase": left_phrase(left) if left > 0 else "Time is up.",
        "allowed": minutes_phrase(allowed),
        "accommodated": (limit := time_limit_minutes(attempt.activity)) is not None and allowed > limit + 0.01,
        "url": url_for("workbench.clock", launch_id=launch_id),
        "submits_draft": submits_draft,
    }
