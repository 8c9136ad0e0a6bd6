"""Moments in time: stored in UTC, shown in the customer's own offset."""

from datetime import UTC, datetime, timedelta, timezone


def zone(offset_minutes):
    """A fixed offset from UTC, e.g. 120 for UTC+02:00 (customers give theirs when they book)."""
    return timezone(timedelta(minutes=offset_minutes))


def to_local(moment, offset_minutes):
    """``moment`` (aware) as the wall-clock time where the customer is."""
    return moment.astimezone(zone(offset_minutes))


def format_local(moment, offset_minutes):
    """``2024-03-10 09:30`` in the customer's time."""
    return to_local(moment, offset_minutes).strftime("%Y-%m-%d %H:%M")


def parse_utc(text):
    """An ISO timestamp with an offset, as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry an offset")
    return moment.astimezone(UTC)
