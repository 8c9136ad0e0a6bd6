"""Wrong deployment: fixed when orders in the format the apps in customers' hands send (no currency) go
through again, and so do orders in the new release's format, while bad orders are still refused (running
and after a restart). Accepted: a rollback to an earlier release, or 2.8.0 made backwards compatible."""

import os

from checklib import WS, read, run

BROKEN_RELEASE = "2.8.0"


def extra(check, service):
    check.place_order(service.mode, {"customer_email": "app.v5@example.com", "currency": "EUR",
                                     "items": [{"product_id": 6, "quantity": 3}]},
                      "orders in the new format (with a currency) go through")
    check.place_order(service.mode, {"customer_email": "web@example.com", "items": [{"product_id": 4, "quantity": 1},
                                                                                  {"product_id": 8, "quantity": 1}]},
                      "orders from the apps in customers' hands go through")


def same_tree(a, b):
    names = set()
    for top in (a, b):
        for folder, _, files in os.walk(os.path.join(WS, top)):
            names |= {os.path.relpath(os.path.join(folder, f), os.path.join(WS, top)) for f in files}
    return bool(names) and all(read(os.path.join(a, n)) == read(os.path.join(b, n)) for n in names
                               if "__pycache__" not in n)


def decide(check):
    earlier = [r for r in os.listdir(os.path.join(WS, "releases")) if r != BROKEN_RELEASE] \
        if os.path.isdir(os.path.join(WS, "releases")) else []
    if any(same_tree("app", f"releases/{release}/app") for release in earlier):
        return "rolled_back"
    return "compatibility_restored"


run(extra=extra, decide=decide)
