import unittest
from decimal import Decimal

from fxrates.cache import TTLCache
from fxrates.provider import RateProvider

from tests.clock import FakeClock


class ProviderTest(unittest.TestCase):
    def setUp(self):
        self.calls = []
        self.clock = FakeClock()

        def fetch(base, quote):
            self.calls.append((base, quote))
            return "1.25"

        self.rates = RateProvider(fetch, TTLCache(300, clock=self.clock))

    def test_the_feed_is_asked_once_within_the_ttl(self):
        self.assertEqual(self.rates.rate("GBP", "EUR"), Decimal("1.25"))
        self.clock.now = 120
        self.rates.rate("GBP", "EUR")
        self.assertEqual(len(self.calls), 1)

    def test_same_currency_needs_no_feed(self):
        self.assertEqual(self.rates.rate("EUR", "EUR"), 1)
        self.assertEqual(self.calls, [])
