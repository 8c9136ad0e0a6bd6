import unittest

from parcels.rates import distance_surcharge, price_cents


class RatesTest(unittest.TestCase):
    def test_bands(self):
        self.assertEqual([distance_surcharge(km) for km in (0, 100, 101, 500, 1500, 1501)], [0, 0, 300, 300, 800, 1500])

    def test_weight_rounds_up(self):
        self.assertEqual(price_cents(2.2, 80), 450 + 3 * 120)

    def test_weight_and_distance_add_up(self):
        self.assertEqual(price_cents(1, 465), 450 + 120 + 300)
