"""Per-student accommodations on an activity: extra time and extra attempts, honoured by the server."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from lti_app.extensions import db
from lti_app.models import Accommodation, Activity

MAX_MULTIPLIER = 4.0
MAX_EXTRA_MINUTES = 480
MAX_EXTRA_ATTEMPTS = 20


def accommodation_for(activity_id: int, user_id: int) -> Accommodation | None:
    from lti_app.access import kept_accommodation

    known, accommodation = kept_accommodation(activity_id, user_id)  # read with the launch's rows, if it was
    if known:
        return accommodation
    return db.session.scalar(_accommodation(), {"activity_id": activity_id, "user_id": user_id})


@cache  # built once, run with parameters
def _accommodation() -> Select[Any]:
    return select(Accommodation).where(Accommodation.activity_id == bindparam("activity_id"),
                                       Accommodation.user_id == bindparam("user_id"))


def attempts_allowed(activity: Activity, accommodation: Accommodation | None) -> int:
    extra = accommodation.extra_attempts if accommodation is not None else 0
    return activity.max_attempts + max(0, extra)


MAX_NOTE_CHARS = 255


class InvalidAccommodation(ValueError):
    """The instructor's form has a value out of range; the message says which and what is allowed."""


def parse_accommodation(form: dict[str, str]) -> dict[str, object]:
    """Check the accommodation form: ``time_multiplier`` 1–4, ``extra_minutes`` 0–480, ``extra_attempts``
    0–20 (blank = no change from the standard), ``note`` at most 255 characters. Raises
    ``InvalidAccommodation`` naming every bad field."""
    errors: list[str] = []

    def number(name: str, label: str, low: float, high: float, whole: bool, default: float) -> float:
        raw = (form.get(name) or "").strip()
        if not raw:
            return default
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            value = None
        if value is None or value != value or not low <= value <= high:  # value != value: NaN
            kind = "a whole number" if whole else "a number"
            errors.append(f"{label} must be {kind} from {low:g} to {high:g} (got “{raw[:20]}”)")
            return default
        return value

    multiplier = number("time_multiplier", "Time multiplier", 1.0, MAX_MULTIPLIER, False, 1.0)
    minutes = number("extra_minutes", "Extra minutes", 0, MAX_EXTRA_MINUTES, True, 0)
    attempts = number("extra_attempts", "Extra attempts", 0, MAX_EXTRA_ATTEMPTS, True, 0)
    note = (form.get("note") or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        errors.append(f"The note must be at most {MAX_NOTE_CHARS} characters (it has {len(note)})")
    if errors:
        raise InvalidAccommodation("; ".join(errors) + ".")
    return {"time_multiplier": round(float(multiplier), 2), "extra_minutes": int(minutes),
            "extra_attempts": int(attempts), "note": note}


def describe(accommodation: Accommodation | None) -> str:
    """A short summary for the instructor's table: "time ×1.5, +10 min, +1 attempt" or "none"."""
    if accommodation is None:
        return "none"
    parts = []
    if accommodation.time_multiplier and accommodation.time_multiplier != 1:
        parts.append(f"time ×{accommodation.time_multiplier:g}")
    if accommodation.extra_minutes:
        parts.append(f"+{accommodation.extra_minutes} min")
    if accommodation.extra_attempts:
        parts.append(f"+{accommodation.extra_attempts} attempt{'s' if accommodation.extra_attempts != 1 else ''}")
    return ", ".join(parts) or "none"
