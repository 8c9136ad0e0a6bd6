"""The HTTP API: the storefront's public routes under the route prefix, /health, and the admin routes."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from cache import ResponseCache
from settings import Settings
from storage import Database, DatabaseError

MAX_ITEMS = 50
Response = tuple[int, object]


class App:
    def __init__(self, settings: Settings, db: Database, cache: ResponseCache, log, version: str) -> None:
        self.settings, self.db, self.cache, self.log, self.version = settings, db, cache, log, version
        prefix = settings.route_prefix
        public: list[tuple[str, str, Callable[..., Response]]] = [
            ("GET", prefix + "/products", self.list_products),
            ("GET", prefix + r"/products/(\d+)", self.get_product),
            ("POST", prefix + "/orders", self.create_order),
            ("GET", prefix + r"/orders/(\d+)", self.get_order),
        ]
        admin = [("GET", "/admin/stats", self.admin_stats), ("GET", "/admin/customers", self.admin_customers)]
        self.routes = [(method, re.compile(pattern + "$"), handler, False) for method, pattern, handler in public]
        self.routes += [(method, re.compile(pattern + "$"), handler, True) for method, pattern, handler in admin]
        self.routes.append(("GET", re.compile("/health$"), self.health, False))

    # -- dispatch ---------------------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers, body: bytes, client: str) -> tuple[int, bytes, dict]:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        for route_method, pattern, handler, admin in self.routes:
            match = pattern.match(parts.path)
            if not match:
                continue
            if route_method != method:
                return _json(405, {"error": "method not allowed"})
            if admin and not self.authorised(query, headers, client):
                return _json(401, {"error": "unauthorised"})
            cacheable = method == "GET" and handler in (self.list_products, self.get_product)
            if cacheable:
                hit = self.cache.get(target)
                if hit:
                    return 200, hit, {"X-Cache": "HIT"}
            try:
                status, payload = handler(*match.groups(), body=body)
            except DatabaseError as exc:
                self.log.error(f"database connection failed: {exc}")
                return _json(503, {"error": "database unavailable"})
            response = _json(status, payload)
            if cacheable and status == 200:
                self.cache.put(target, response[1])
            return response
        self.log.info(f"404 no route for {method} {parts.path}")
        return _json(404, {"error": "not found"})

    def authorised(self, query: dict, headers, client: str) -> bool:
        if not self.settings.auth_required:
            return True
        if self.settings.debug_override and ("1" in query.get("debug", []) or headers.get("X-Debug-Override") == "1"):
            self.log.warning(f"admin access granted by debug override to {client}")
            return True
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        expected = self.settings.admin_token
        ok = scheme.lower() == "bearer" and bool(expected) and hmac.compare_digest(token.strip(), expected)
        if ok:
            self.log.info(f"admin signed in with the admin token from {client}")
        else:
            self.log.warning(f"admin authentication failed for {client}")
        return ok

    # -- routes -----------------------------------------------------------------------------------------
    def health(self, body: bytes = b"") -> Response:
        try:
            self.db.ping()
        except DatabaseError as exc:
            return 503, {"status": "degraded", "version": self.version, "database": f"error: {exc}"}
        return 200, {"status": "ok", "version": self.version, "database": "ok",
                     "cache_entries": len(self.cache.entries)}

    def list_products(self, body: bytes = b"") -> Response:
        return 200, self.db.products()

    def get_product(self, product_id: str, body: bytes = b"") -> Response:
        product = self.db.product(int(product_id))
        return (200, product) if product else (404, {"error": "no such product"})

    def get_order(self, order_id: str, body: bytes = b"") -> Response:
        order = self.db.order(int(order_id))
        return (200, order) if order else (404, {"error": "no such order"})

    def create_order(self, body: bytes = b"") -> Response:
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return 400, {"error": "the body must be JSON"}
        problem = order_problem(data)
        if problem:
            self.log.info(f"order rejected: {problem}")
            return 400, {"error": problem}
        items = [(int(item["product_id"]), int(item["quantity"])) for item in data["items"]]
        try:
            order_id = self.db.create_order(data["customer_email"], items, self.log.now())
        except KeyError as exc:
            return 400, {"error": f"unknown product {exc.args[0]}"}
        return 201, self.db.order(order_id)

    def admin_stats(self, body: bytes = b"") -> Response:
        return 200, self.db.stats()

    def admin_customers(self, body: bytes = b"") -> Response:
        return 200, self.db.customers()


def order_problem(data: object) -> str:
    """Why an order request cannot be accepted, or ''."""
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    email = data.get("customer_email")
    if not isinstance(email, str) or "@" not in email or len(email) > 200:
        return "customer_email must be an email address"
    items = data.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        return f"items must be a list of 1 to {MAX_ITEMS} lines"
    for item in items:
        if not isinstance(item, dict):
            return "each item must be an object"
        product, quantity = item.get("product_id"), item.get("quantity")
        if not isinstance(product, int) or not isinstance(quantity, int) or not 1 <= quantity <= 99:
            return "each item needs an integer product_id and a quantity from 1 to 99"
    return ""


def _json(status: int, payload: object) -> tuple[int, bytes, dict]:
    return status, json.dumps(payload).encode(), {}
