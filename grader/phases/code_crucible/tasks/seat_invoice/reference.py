"""Tallyo's monthly invoice, billed on the team's peak number of seats."""

PLANS = ("monthly", "annual")


def apply_event(team: set[str], action: str, email: str) -> None:
    """Adds or removes one person; adding a member or removing a stranger changes nothing."""
    if action == "add":
        team.add(email)
    elif action == "remove":
        team.discard(email)


def peak_seats(events: list[list]) -> int:
    """The most people on the team at any moment; events of the same day apply in the order listed."""
    team: set[str] = set()
    peak = 0
    # >>> TODO: replay the events by day (keeping the listed order within a day) and track the largest team
    for _, action, email in sorted(events, key=lambda event: event[0]):
        apply_event(team, action, email.strip().lower())
        peak = max(peak, len(team))
    # <<<
    return peak


def invoice_cents(peak: int, plan: str) -> int:
    """What the month costs in cents, for the team's peak on this plan."""
    # >>> TODO[seat_price]: bill whole seats at the seat price, and at least one seat
    # || work out what the month costs, in cents
    amount = max(peak, 1) * 1200  # cr:param seat_price_cents
    # <<<
    # >>> TODO[annual_discount]: take the discount off annual plans of five seats or more
    if plan == "annual" and peak >= 5:
        amount = amount * (100 - 15) // 100  # cr:param discount_percent
    # <<<
    return amount


def monthly_invoice(events: list[list], plan: str) -> dict | str:
    """The month's invoice, or "invalid" for a plan that is neither monthly nor annual."""
    if plan not in PLANS:
        return "invalid"
    peak = peak_seats(events)
    # >>> TODO[seat_cap]: send a team that outgrew self-serve to sales
    if peak > 50:  # cr:param seat_cap
        return "contact sales"
    # <<<
    return {"peak_seats": peak, "amount": invoice_cents(peak, plan) / 100}
