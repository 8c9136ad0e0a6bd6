import unittest
from decimal import Decimal

from billing.invoice import Line, totals


class TotalsTest(unittest.TestCase):
    def test_day_rates(self):
        self.assertEqual(totals([Line("Design", 3, Decimal("650.00"))]),
                         {"net": "1950.00", "vat": "390.00", "gross": "2340.00"})

    def test_each_line_is_rounded_before_summing(self):
        lines = [Line("Stamp", 1, Decimal("0.125")), Line("Stamp", 1, Decimal("0.125"))]
        self.assertEqual(totals(lines)["net"], "0.26")

    def test_reduced_vat(self):
        self.assertEqual(Line("Book", 2, Decimal("12.49"), Decimal("0.05")).vat, Decimal("1.25"))
