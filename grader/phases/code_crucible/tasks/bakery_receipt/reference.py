"""Plain-text receipts for Marchetti's Bakery, printed from the till without any paid service."""


def format_money(cents: int) -> str:
    """Dollars with two decimals, from a whole number of cents (no floating-point rounding)."""
    # >>> TODO: split the cents into dollars and a two-digit remainder
    return f"{cents // 100}.{cents % 100:02d}"
    # <<<


def merge_lines(items: list[list]) -> list[dict]:
    """One line per item (same name and price), in order of first appearance; voided lines are dropped."""
    by_item: dict[tuple[str, int], dict] = {}
    for name, quantity, price, allergens in items:
        if quantity <= 0:
            continue
        # >>> TODO[allergen_labels]: add the quantity and the lower-case allergens to the line for this name and price
        # || add the quantity to the line for this name and price
        line = by_item.setdefault((name, price), {"name": name, "price": price, "quantity": 0, "allergens": set()})
        line["quantity"] += quantity
        line["allergens"].update(label.lower() for label in allergens)
        # <<<
    return list(by_item.values())


def format_line(line: dict) -> str:
    """One receipt line: quantity, name, unit price and line total."""
    line_total = line["quantity"] * line["price"]
    text = f"{line['quantity']} x {line['name']} @ {format_money(line['price'])} = {format_money(line_total)}"
    # >>> TODO[allergen_labels]: append the allergens in brackets, alphabetically, each once
    if line["allergens"]:
        text += " [" + ", ".join(sorted(line["allergens"])) + "]"
    # <<<
    return text


def format_receipt(items: list[list]) -> str:
    """The receipt for one sale: a line per item, then the total."""
    lines = merge_lines(items)
    grand_total = sum(line["quantity"] * line["price"] for line in lines)
    return "\n".join([*(format_line(line) for line in lines), f"TOTAL {format_money(grand_total)}"])
