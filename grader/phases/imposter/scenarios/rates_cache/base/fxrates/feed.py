"""Where the bank publishes its rates (the HTTP client lives in the shop's service layer)."""

FEED_URL = "http://rates.bank.example/v1/latest"

# The bank promises an answer within this many seconds.
TIMEOUT_SECONDS = 3


def feed_params(base, quote):
    return {"from": base, "to": quote}
