"""Invoice arithmetic for a small shop: supplier lines, discounts, VAT and the printed amount.

Amounts are in euros and rounded to cents wherever a customer would see them.
"""

VAT_RATES = {"standard": 0.20, "reduced": 0.05, "zero": 0.0}


def parse_line(text):
    """Read one line of the supplier's export, "bread;2;3.50", as [name, quantity, amount]."""
    fields = text.split(";")
    name = fields[0].strip()
    quantity = int(fields[1])
    unit_price = float(fields[2])
    return [name, quantity, round(quantity * unit_price, 2)]


def bulk_discount(quantity):
    """The percentage off a line: 15 from 50 items, 10 from 10 items, nothing below that."""
    if quantity >= 50:
        return 15
    if quantity >= 10:
        return 10
    return 0


def line_amount(quantity, unit_price, percent_off):
    """What one line costs after its discount, rounded to cents."""
    full_price = quantity * unit_price
    return round(full_price * (100 - percent_off) / 100, 2)


def average_line(amounts):
    """The mean line amount of an invoice; an empty invoice averages 0."""
    if not amounts:
        return 0.0
    return round(sum(amounts) / len(amounts), 2)


def largest_line(lines):
    """The name of the most expensive [name, amount] line; the earlier line wins a tie."""
    if not lines:
        return ""
    best_name, best_amount = lines[0]
    for index in range(1, len(lines)):
        name, amount = lines[index]
        if amount > best_amount:
            best_name, best_amount = name, amount
    return best_name


def invoice_total(amounts, rate_name):
    """Line amounts plus VAT; an unknown rate name is charged at the standard rate."""
    subtotal = 0.0
    for amount in amounts:
        subtotal += amount
    rate = VAT_RATES.get(rate_name, VAT_RATES["standard"])
    return round(subtotal + subtotal * rate, 2)


def format_amount(amount, currency):
    """Show an amount as "EUR 12.50"; a refund (a negative amount) gets a minus sign."""
    cents = round(abs(amount) * 100)
    text = str(cents // 100) + "." + str(cents % 100).zfill(2)
    if amount < 0:
        text = "-" + text
    return currency + " " + text
