import unittest

from parcels.parcel import Parcel, chargeable_kg


class ChargeableTest(unittest.TestCase):
    def test_heavy_small_parcels_pay_their_weight(self):
        self.assertEqual(chargeable_kg(Parcel(4, 20, 20, 10)), 4)

    def test_light_bulky_parcels_pay_their_volume(self):
        self.assertEqual(chargeable_kg(Parcel(1, 50, 40, 30)), 12)
