"""404 for all customers: fixed when every customer route answers again under /api/v1 (running and after a
restart). Accepted: the prefix set back to /api/v1, or code that tolerates the trailing slash."""

from checklib import config, run, setting


def decide(check):
    prefix = setting(config("config/service.ini"), "server", "route_prefix", "/api/v1")
    return "prefix_restored" if prefix == "/api/v1" else "prefix_normalised_in_code"


run(decide=decide)
