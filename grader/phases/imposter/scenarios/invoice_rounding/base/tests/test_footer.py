import unittest

from billing.footer import footer


class FooterTest(unittest.TestCase):
    def test_names_the_company_and_vat_number(self):
        self.assertIn("Northlight Studio Ltd", footer())
        self.assertIn("VAT GB 123 4567 89", footer())
