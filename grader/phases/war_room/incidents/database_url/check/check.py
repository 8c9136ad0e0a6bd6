"""Database connection failure: fixed when the service serves the production data again (running and after a
restart) from the production database. A copy of the database under the name the bad setting expects
"works" for customers but splits the data in two: that is a brute-force move, not a fix."""

import os

from checklib import WS, request, run, setting

PRODUCTION = os.path.join(WS, "data", "shop.db")


def database_file(url):
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///"):]
    return os.path.normpath(path if path.startswith("/") else os.path.join(WS, path))


def extra(check, service):
    url = setting(service.config(), "database", "url", "sqlite:///data/shop.db")
    serving = request("GET", "/health").status == 200
    if serving and database_file(url) != PRODUCTION:
        check.finding("database_copied")
        check.probe(service.mode, "the service uses the production database", False,
                    "it reads another database file than data/shop.db")


def decide(check):
    return "url_restored"


run(extra=extra, decide=decide)
