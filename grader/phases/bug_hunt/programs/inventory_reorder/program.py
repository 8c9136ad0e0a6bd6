"""Weekly reorder run for a small shop: count the stock, spot what is running low, order in packs."""

import math

SAFETY_DAYS = 3  # extra days of stock kept in case a delivery is late


def parse_stocktake(lines):
    """Totals per product from stocktake lines like 'flour, 12'; a product may be counted twice.

    Blank lines and notes starting with '#' are skipped.
    """
    counts = {}
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("#"):
            continue
        name, quantity = line.split(",")
        name = name.strip().lower()
        counts[name] = counts.get(name, 0) + int(quantity)
    return counts


def days_of_cover(on_hand, daily_sales):
    """Whole days the stock lasts at the current rate of sales; None when it is not selling."""
    if not daily_sales:
        return None
    return math.floor(on_hand / daily_sales)


def should_reorder(item):
    """True when stock has fallen to what sells while a delivery arrives, plus the safety days."""
    reorder_level = item["daily_sales"] * (item["lead_days"] + SAFETY_DAYS)
    return item["on_hand"] <= reorder_level


def order_quantity(on_hand, target, pack_size):
    """Units to order to bring stock up to `target`, rounded up to whole packs."""
    shortfall = max(0, target - on_hand)
    packs = shortfall // pack_size
    if shortfall % pack_size:
        packs += 1
    return packs * pack_size


def stock_value(stock, catalogue):
    """Value of the stock in pounds, to the penny; products missing from the catalogue count as 0."""
    total = 0
    for sku, quantity in stock.items():
        price = catalogue.get(sku, {}).get("price", 0)
        total += price * quantity
    return round(total, 2)


def slow_movers(sales, threshold):
    """Products that sold fewer than `threshold` a day on average, alphabetically.

    `sales` maps each product to its daily sales figures; products with no figures yet are skipped.
    """
    slow = []
    for product, daily in sales.items():
        if not daily:
            continue
        if sum(daily) / len(daily) < threshold:
            slow.append(product)
    return sorted(slow)


def order_line(product, packs, pack_size, pack_price):
    """A purchase-order line, e.g. 'flour: 3 packs of 16 = 48 units, £36.00'."""
    units = packs * pack_size
    cost = packs * pack_price
    line = product + ": " + str(packs) + " packs of " + str(pack_size)
    return line + " = " + str(units) + " units, £" + format(cost, ".2f")


if __name__ == "__main__":
    counts = parse_stocktake(["flour, 12", "# back room", "Flour, 4", "yeast, 30"])
    item = {"on_hand": counts["flour"], "daily_sales": 2, "lead_days": 5}
    print(counts, days_of_cover(item["on_hand"], 2), should_reorder(item))
    print(order_line("flour", order_quantity(16, 60, 16) // 16, 16, 12.0))
