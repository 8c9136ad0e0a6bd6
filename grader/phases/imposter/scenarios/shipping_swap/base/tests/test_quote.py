import unittest

from parcels.parcel import Parcel
from parcels.quote import quote


class QuoteTest(unittest.TestCase):
    def test_paris_to_lyon(self):
        result = quote(Parcel(2.2, 30, 20, 10), "paris", "lyon")
        self.assertEqual((result["km"], result["cents"]), (465, 450 + 3 * 120 + 300))

    def test_bulky_parcel_pays_its_volume(self):
        self.assertEqual(quote(Parcel(1, 50, 40, 30), "paris", "lille")["cents"], 450 + 12 * 120 + 300)
