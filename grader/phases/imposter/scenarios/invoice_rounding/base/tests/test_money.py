import unittest
from decimal import Decimal

from billing.money import round_cents


class RoundCentsTest(unittest.TestCase):
    def test_halves_round_away_from_zero(self):
        self.assertEqual(round_cents(Decimal("0.125")), Decimal("0.13"))
        self.assertEqual(round_cents(Decimal("-0.125")), Decimal("-0.13"))

    def test_other_amounts_round_to_the_nearest_cent(self):
        self.assertEqual(round_cents("2.674"), Decimal("2.67"))
        self.assertEqual(round_cents(10), Decimal("10.00"))
