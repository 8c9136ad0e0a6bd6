import unittest

from fxrates.cache import TTLCache

from tests.clock import FakeClock


class TTLCacheTest(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()
        self.cache = TTLCache(300, clock=self.clock)

    def test_fresh_entries_are_returned(self):
        self.cache.set("EUR/USD", 1.08)
        self.clock.now = 299
        self.assertEqual(self.cache.get("EUR/USD"), 1.08)

    def test_entries_expire_after_the_ttl(self):
        self.cache.set("EUR/USD", 1.08)
        self.clock.now = 300
        self.assertIsNone(self.cache.get("EUR/USD"))
        self.assertEqual(len(self.cache), 0)
