import unittest

from fxrates.convert import convert_cents


class ConvertTest(unittest.TestCase):
    def test_rounds_half_up_to_the_cent(self):
        self.assertEqual(convert_cents(1000, "1.0845"), 1085)
        self.assertEqual(convert_cents(1999, "0.5"), 1000)
