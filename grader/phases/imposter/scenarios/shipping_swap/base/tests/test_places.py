import unittest

from parcels.places import distance_km


class DistanceTest(unittest.TestCase):
    def test_either_direction(self):
        self.assertEqual(distance_km("paris", "lyon"), distance_km("lyon", "paris"))

    def test_unknown_route(self):
        with self.assertRaises(ValueError):
            distance_km("paris", "oslo")
