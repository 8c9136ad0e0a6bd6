"""Prices in another currency, to the cent."""

from decimal import ROUND_HALF_UP, Decimal


def convert_cents(amount_cents, rate):
    """``amount_cents`` times ``rate``, rounded half up to a whole cent."""
    exact = Decimal(amount_cents) * Decimal(rate)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
