import unittest

from catalogue.products import Product
from catalogue.search import search

PRODUCTS = [
    Product("A1", "Oak desk", 15900, stock=2, tags=("office", "wood")),
    Product("B2", "Desk lamp", 2500, stock=0, tags=("lighting", "office")),
    Product("C3", "Walnut shelf", 8900, stock=5, tags=("wood",)),
]


class SearchTest(unittest.TestCase):
    def test_matches_the_words_of_the_name(self):
        self.assertEqual([p.sku for p in search(PRODUCTS, "desk")], ["A1", "B2"])

    def test_ignores_case_and_word_order(self):
        self.assertEqual([p.sku for p in search(PRODUCTS, "LAMP desk")], ["B2"])

    def test_an_empty_query_matches_everything(self):
        self.assertEqual(len(search(PRODUCTS, "  ")), 3)

