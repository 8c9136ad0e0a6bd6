"""The shop's SQLite database: products, customers, orders and their items."""

from __future__ import annotations

import os
import sqlite3
import time


class DatabaseError(Exception):
    """The database cannot be reached or used."""


def database_path(url: str, root: str) -> str:
    """sqlite:///relative/to/root.db or sqlite:////absolute/path.db -> a file path."""
    if not url.startswith("sqlite:///"):
        raise DatabaseError(f"unsupported database url scheme: {url.split(':', 1)[0]!r}")
    path = url[len("sqlite:///"):]
    return path if path.startswith("/") else os.path.join(root, path)


class Database:
    def __init__(self, url: str, root: str, timeout: float = 2.0) -> None:
        self.url, self.root, self.timeout = url, root, timeout

    def connect(self) -> sqlite3.Connection:
        try:
            path = database_path(self.url, self.root)
            # mode=rw: never create an empty database where the real one should be
            connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=self.timeout)
            connection.row_factory = sqlite3.Row
            connection.execute("SELECT 1 FROM products LIMIT 1")
            return connection
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from None

    def ping(self) -> None:
        self.connect().close()

    def products(self) -> list[dict]:
        with self.connect() as db:
            rows = db.execute("SELECT id, sku, name, price_cents, stock FROM products ORDER BY id").fetchall()
        return [_product(row) for row in rows]

    def product(self, product_id: int) -> dict | None:
        with self.connect() as db:
            row = db.execute("SELECT id, sku, name, price_cents, stock FROM products WHERE id = ?",
                             (product_id,)).fetchone()
        return _product(row) if row else None

    def order(self, order_id: int) -> dict | None:
        with self.connect() as db:
            row = db.execute("SELECT o.id, c.email, o.status, o.total_cents, o.created_at FROM orders o "
                             "JOIN customers c ON c.id = o.customer_id WHERE o.id = ?", (order_id,)).fetchone()
            if row is None:
                return None
            items = db.execute("SELECT product_id, quantity, price_cents FROM order_items WHERE order_id = ? "
                               "ORDER BY product_id", (order_id,)).fetchall()
        return {"id": row["id"], "customer_email": row["email"], "status": row["status"],
                "total_cents": row["total_cents"], "created_at": row["created_at"],
                "items": [dict(item) for item in items]}

    def create_order(self, email: str, items: list[tuple[int, int]], now: float | None = None) -> int:
        """Insert an order for ``email`` (a new customer is created); raises KeyError for an unknown product."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if now is None else now))
        with self.connect() as db:
            prices = {}
            for product_id, _ in items:
                row = db.execute("SELECT price_cents FROM products WHERE id = ?", (product_id,)).fetchone()
                if row is None:
                    raise KeyError(product_id)
                prices[product_id] = row["price_cents"]
            db.execute("INSERT OR IGNORE INTO customers (email, name, created_at) VALUES (?, ?, ?)",
                       (email, email.split("@")[0], stamp))
            customer = db.execute("SELECT id FROM customers WHERE email = ?", (email,)).fetchone()["id"]
            total = sum(prices[p] * q for p, q in items)
            cursor = db.execute("INSERT INTO orders (customer_id, created_at, status, total_cents) "
                                "VALUES (?, ?, 'paid', ?)", (customer, stamp, total))
            order_id = int(cursor.lastrowid)
            db.executemany("INSERT INTO order_items (order_id, product_id, quantity, price_cents) VALUES (?, ?, ?, ?)",
                           [(order_id, p, q, prices[p]) for p, q in items])
        return order_id

    def stats(self) -> dict:
        with self.connect() as db:
            orders, revenue = db.execute("SELECT COUNT(*), COALESCE(SUM(total_cents), 0) FROM orders").fetchone()
            customers = db.execute("SELECT COUNT(*) FROM customers").fetchone()[0]
        return {"orders": orders, "customers": customers, "revenue_cents": revenue}

    def customers(self) -> list[dict]:
        with self.connect() as db:
            rows = db.execute("SELECT id, email, name, created_at FROM customers ORDER BY id").fetchall()
        return [dict(row) for row in rows]


def _product(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "sku": row["sku"], "name": row["name"], "price_cents": row["price_cents"],
            "in_stock": row["stock"] > 0}
