import unittest

from catalogue.pagination import paginate


class PaginateTest(unittest.TestCase):
    def test_first_page(self):
        page = paginate(range(45), page=1, per_page=20)
        self.assertEqual(page["items"], list(range(20)))
        self.assertTrue(page["has_next"])
        self.assertFalse(page["has_prev"])

    def test_last_partial_page(self):
        page = paginate(range(45), page=3, per_page=20)
        self.assertEqual(page["items"], [40, 41, 42, 43, 44])
        self.assertEqual(page["pages"], 3)
        self.assertFalse(page["has_next"])

    def test_an_empty_listing_has_one_page(self):
        self.assertEqual(paginate([], page=1)["pages"], 1)

