"""Double-booked meeting rooms: every pair of bookings that clash."""

import re
from collections import defaultdict

TIME_PATTERN = re.compile(r"([0-9]{2}):([0-9]{2})")
MINUTES_PER_DAY = 24 * 60


def to_minutes(text: str) -> int | None:
    """Minutes since midnight for a valid "HH:MM" from 00:00 to 24:00, otherwise None."""
    # >>> TODO: parse two-digit hours and minutes and reject impossible times
    match = TIME_PATTERN.fullmatch(text)
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    return total if minutes < 60 and total <= MINUTES_PER_DAY else None
    # <<<


def bookings_by_room(bookings: list[list]) -> dict[str, list[tuple[int, int, int]]]:
    """The valid bookings as (start, end, booking_id), grouped by room."""
    rooms: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for booking_id, room, start_text, end_text in bookings:
        start, end = to_minutes(start_text), to_minutes(end_text)
        if start is not None and end is not None and start < end:
            rooms[room].append((start, end, booking_id))
    return rooms


def room_clashes(meetings: list[tuple[int, int, int]]) -> list[list[int]]:
    """The overlapping pairs in one room, by a sweep over the meetings in order of start time."""
    clashes = []
    ongoing: list[tuple[int, int]] = []  # (end, booking_id) of the meetings that have not ended yet
    # >>> TODO: sweep by start time; each meeting clashes with every earlier one that has not ended
    for start, end, booking_id in sorted(meetings):
        ongoing = [(other_end, other_id) for other_end, other_id in ongoing if other_end > start]
        clashes.extend(sorted([other_id, booking_id]) for _, other_id in ongoing)
        ongoing.append((end, booking_id))
    # <<<
    return clashes


def find_clashes(bookings: list[list]) -> list[list[int]]:
    """Every clashing pair as [smaller_id, larger_id], sorted."""
    pairs = []
    for meetings in bookings_by_room(bookings).values():
        pairs.extend(room_clashes(meetings))
    return sorted(pairs)
