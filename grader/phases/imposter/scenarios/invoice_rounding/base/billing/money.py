"""Money as Decimal: an amount is rounded to the cent once, at the end of each calculation."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_cents(amount):
    """``amount`` to the cent, halves rounded away from zero, as the tax office requires."""
    return to_decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
