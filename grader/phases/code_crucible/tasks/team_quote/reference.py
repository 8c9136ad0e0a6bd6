"""Checkout quotes for Tallyo's teams."""

BILLINGS = ("monthly", "annual")


def count_seats(members: list[str]) -> int:
    """The number of different people among the pasted emails: trimmed, any case, blanks ignored."""
    # >>> TODO: count the distinct non-blank emails, ignoring case and surrounding spaces
    return len({email.strip().lower() for email in members} - {""})
    # <<<


def monthly_cents(seats: int, billing: str) -> int:
    """The price per month in cents, for this many seats on this billing."""
    # >>> TODO[seat_price]: price the seats at the seat price || work out the price per month, in cents
    price = seats * 1200  # cr:param seat_price_cents
    # <<<
    # >>> TODO[annual_discount]: take the annual discount off when the team qualifies
    if billing == "annual" and seats >= 5:
        price = price * (100 - 15) // 100  # cr:param discount_percent
    # <<<
    return price


def team_quote(members: list[str], billing: str) -> dict | str:
    """The checkout quote, or "invalid"."""
    seats = count_seats(members)
    if seats == 0 or billing not in BILLINGS:
        return "invalid"
    # >>> TODO[seat_cap]: send teams above the self-serve limit to sales
    if seats > 50:  # cr:param seat_cap
        return "contact sales"
    # <<<
    per_month = monthly_cents(seats, billing)
    months_due = 12 if billing == "annual" else 1
    return {"seats": seats, "per_month": per_month / 100, "due_today": per_month * months_due / 100}
