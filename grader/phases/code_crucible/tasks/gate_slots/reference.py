"""The festival's entry plan: the gate and the 15-minute slot in which each booking comes in."""

import re

OPENING = 16 * 60  # minutes after midnight
LAST_SLOT = 22 * 60 + 45
SLOT_MINUTES = 15
CLOCK = re.compile(r"[0-9]{2}:[0-9]{2}")


def arrival_minutes(text: str) -> int | None:
    """Minutes after midnight of an "HH:MM" time, or None when it is not a real time of day."""
    # >>> TODO: read "HH:MM" (two digits each, hours 00-23, minutes 00-59); None for anything else
    if not CLOCK.fullmatch(text):
        return None
    hours, minutes = int(text[:2]), int(text[3:])
    return hours * 60 + minutes if hours < 24 and minutes < 60 else None
    # <<<


def asked_slot(booking: list, gates: list[str]) -> int | None:
    """The slot a booking asks for (its start, in minutes), or None when the booking is refused."""
    _booking_id, arrival, size, gate = booking
    minutes = arrival_minutes(arrival)
    if minutes is None or minutes >= LAST_SLOT + SLOT_MINUTES or size < 1 or (gate and gate not in gates):
        return None
    return max(OPENING, minutes - minutes % SLOT_MINUTES)


def choose_entry(loads: dict[tuple[str, int], int], gates: list[str], booking: list,
                 slot: int) -> tuple[str, int] | None:
    """The gate and slot the party comes in by: its own gate, or the best gate when it chose none."""
    _booking_id, _arrival, size, gate = booking
    best: tuple[tuple[int, int, int], str, int] | None = None
    for index, name in enumerate([gate] if gate else gates):
        entry = slot
        # >>> TODO[gate_capacity]: go on to the first slot where the whole party fits at this gate, else skip it
        capacity = 250  # cr:param gate_capacity
        while entry <= LAST_SLOT and loads.get((name, entry), 0) + size > capacity:
            entry += SLOT_MINUTES
        if entry > LAST_SLOT:
            continue
        # <<<
        # >>> TODO: rank the gate by its slot, then by the people already in it, then by its place in the list
        rank = (entry, loads.get((name, entry), 0), index)
        if best is None or rank < best[0]:
            best = (rank, name, entry)
        # <<<
    return None if best is None else (best[1], best[2])


def entry_plan(bookings: list[list], gates: list[str]) -> dict[str, str]:
    """Each booking's entry, "<gate> <HH:MM>", or "refused"."""
    plan: dict[str, str] = {}
    queue = []
    for order, booking in enumerate(bookings):
        slot = asked_slot(booking, gates)
        if slot is None:
            plan[booking[0]] = "refused"
        else:
            queue.append((arrival_minutes(booking[1]), order, slot))
    loads: dict[tuple[str, int], int] = {}
    # >>> TODO: in order of arrival time (then of sale), give each booking its entry and count its people in
    for _minutes, order, slot in sorted(queue):
        booking = bookings[order]
        entry = choose_entry(loads, gates, booking, slot)
        if entry is None:
            plan[booking[0]] = "refused"
            continue
        loads[entry] = loads.get(entry, 0) + booking[2]
        plan[booking[0]] = f"{entry[0]} {entry[1] // 60:02d}:{entry[1] % 60:02d}"
    # <<<
    return plan
