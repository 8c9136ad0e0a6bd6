"""Whether a volunteer may sign up for a shift."""

from collections.abc import Sequence


def is_valid_shift(shift: Sequence[int]) -> bool:
    """Hours within 0-24 and an end after the start."""
    _, start, end = shift
    return 0 <= start < end <= 24


def overlaps(first: Sequence[int], second: Sequence[int]) -> bool:
    """Whether two shifts share time on the same day (one ending as the other starts does not count)."""
    # >>> TODO: the same day, and each one starts before the other ends
    return first[0] == second[0] and first[1] < second[2] and second[1] < first[2]
    # <<<


def can_take_shift(age: int, booked: list[list[int]], shift: list[int]) -> bool:
    """Whether the volunteer may take the shift, given the shifts they already have."""
    if not is_valid_shift(shift):
        return False
    distinct = {tuple(other) for other in booked}
    if any(overlaps(other, shift) for other in distinct):
        return False
    # >>> TODO[shift_rules]: count this week's shifts against the weekly limit, then the late-shift rule for minors
    # || the shift is free: say whether they may take it
    max_shifts = 2  # cr:param max_shifts
    latest_end = 20  # cr:param latest_end
    week = (shift[0] - 1) // 7  # week 0 holds days 1-7, week 1 days 8-14, ...
    shifts_this_week = sum(1 for other in distinct if (other[0] - 1) // 7 == week)
    if shifts_this_week >= max_shifts:
        return False
    return age >= 18 or shift[2] <= latest_end
    # <<<
