"""Invoice lines and totals with VAT."""

from dataclasses import dataclass
from decimal import Decimal

from billing.money import round_cents, to_decimal

STANDARD_VAT = Decimal("0.20")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal = STANDARD_VAT

    @property
    def net(self):
        return round_cents(self.quantity * to_decimal(self.unit_price))

    @property
    def vat(self):
        return round_cents(self.net * to_decimal(self.vat_rate))


def totals(lines):
    """Net, VAT and gross of an invoice, as strings with two decimals (what the PDF prints)."""
    net = sum((line.net for line in lines), Decimal("0.00"))
    vat = sum((line.vat for line in lines), Decimal("0.00"))
    return {"net": str(net), "vat": str(vat), "gross": str(net + vat)}
