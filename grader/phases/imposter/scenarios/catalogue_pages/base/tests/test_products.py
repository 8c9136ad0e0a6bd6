import unittest

from catalogue.products import Product, load_products


class LoadProductsTest(unittest.TestCase):
    def test_reads_the_required_fields(self):
        [product] = load_products([{"sku": "A1", "name": "Oak desk", "price_cents": "15900"}])
        self.assertEqual(product, Product("A1", "Oak desk", 15900))

    def test_stock_and_tags_are_optional(self):
        [product] = load_products([{"sku": "B2", "name": "Lamp", "price_cents": 2500, "stock": "3",
                                    "tags": ["lighting", "desk"]}])
        self.assertEqual(product.stock, 3)
        self.assertEqual(product.tags, ("lighting", "desk"))
        self.assertTrue(product.in_stock)

