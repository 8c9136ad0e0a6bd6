"""What each car owes the car park: a rate per started hour, capped per day, short stays free."""

FREE_MINUTES = 15  # cr:param free_minutes
HOURLY_RATE = 3  # cr:param hourly_rate
DAILY_CAP = 20  # cr:param daily_cap
MINUTES_PER_DAY = 24 * 60


def stay_fee(minutes: int) -> int:
    """The fee in dollars for one stay of the given length in minutes."""
    # >>> TODO: short stays are free; otherwise whole days at the cap, plus started hours (capped) for the rest
    if minutes <= FREE_MINUTES:
        return 0
    full_days, rest = divmod(minutes, MINUTES_PER_DAY)
    started_hours = (rest + 59) // 60
    return full_days * DAILY_CAP + min(started_hours * HOURLY_RATE, DAILY_CAP)
    # <<<


def parking_fees(sessions: list[list]) -> dict[str, int]:
    """The total each plate owes; a session that exits before it enters is ignored."""
    totals: dict[str, int] = {}
    for plate, entry_minute, exit_minute in sessions:
        # >>> TODO: add the fee of each valid stay to its plate's total
        if exit_minute >= entry_minute:
            totals[plate] = totals.get(plate, 0) + stay_fee(exit_minute - entry_minute)
        # <<<
    return totals
