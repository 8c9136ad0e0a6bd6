"""Whether a plan fits Baptiste's Grill's budget."""


def to_cents(dollars: float) -> int:
    """Whole cents, so that adding up prices never drifts."""
    return round(dollars * 100)


def item_cost(item: dict) -> int | None:
    """What Tony pays for the item, in cents, or None when the plan cannot fit with it."""
    price = to_cents(item["price"])
    # >>> TODO[budget_200]: refuse an item whose fee bills again (monthly or yearly, above zero)
    if price > 0 and item["billing"] != "once":
        return None
    # <<<
    # >>> TODO[existing_tablets]: refuse hardware and apps for a newer Android than 7; a per-device app is paid 4 times
    if item["kind"] == "hardware" or item["min_android"] > 7:
        return None
    if item["per_device"]:
        price *= 4
    # <<<
    return None if price < 0 else price


def plan_fits(plan: list[dict], budget: float) -> bool:
    """Whether what Tony pays for the whole plan adds up to at most the budget, to the cent."""
    total = 0
    for item in plan:
        cost = item_cost(item)
        if cost is None:
            return False
        # >>> TODO: add the item's cost to the running total
        total += cost
        # <<<
    return total <= to_cents(budget)
