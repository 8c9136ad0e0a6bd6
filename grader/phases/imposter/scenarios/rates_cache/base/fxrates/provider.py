"""Exchange rates from the bank's feed, cached so the checkout does not call the feed for every page."""

from decimal import Decimal

from fxrates.cache import TTLCache

RATE_TTL_SECONDS = 300


class RateProvider:
    def __init__(self, fetch, cache=None):
        self._fetch = fetch  # (base, quote) -> the rate as a string, e.g. "1.0842"
        self._cache = cache if cache is not None else TTLCache(RATE_TTL_SECONDS)

    def rate(self, base, quote):
        """How many ``quote`` one ``base`` buys, at most ``RATE_TTL_SECONDS`` old."""
        if base == quote:
            return Decimal(1)
        key = f"{base}/{quote}"
        cached = self._cache.get(key)
        if cached is None:
            cached = Decimal(self._fetch(base, quote))
            self._cache.set(key, cached)
        return cached
