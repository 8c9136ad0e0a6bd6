"""The pickup days a customer of Marchetti's Bakery can still order for."""


def is_valid_hour(hour: int) -> bool:
    """Whether the order form sent a real hour of the day (0-23)."""
    return 0 <= hour <= 23


def orderable_days(placed_day: int, placed_hour: int, wanted_days: list[int], closed_days: list[int]) -> list[int]:
    """The wanted pickup days that can still be ordered, ascending, each once."""
    if not is_valid_hour(placed_hour):
        return []
    # >>> TODO: keep each wanted day that comes after the order day and is not a closed day
    closed = set(closed_days)
    days = {day for day in wanted_days if day > placed_day and day not in closed}
    # <<<
    # >>> TODO[order_cutoff]: drop the days too far ahead, and tomorrow once the cutoff hour has passed
    cutoff_hour = 14  # cr:param cutoff_hour
    max_days_ahead = 7  # cr:param max_days_ahead
    first_day = placed_day + (1 if placed_hour < cutoff_hour else 2)
    days = {day for day in days if first_day <= day <= placed_day + max_days_ahead}
    # <<<
    return sorted(days)
