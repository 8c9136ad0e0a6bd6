"""Products as the catalogue holds them, loaded from plain rows (the admin export)."""

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int
    stock: int = 0
    tags: tuple = field(default_factory=tuple)

    @property
    def in_stock(self):
        return self.stock > 0


def load_products(rows):
    """Products from dicts with sku, name and price_cents, and optionally stock and tags."""
    products = []
    for row in rows:
        products.append(Product(
            sku=row["sku"],
            name=row["name"],
            price_cents=int(row["price_cents"]),
            stock=int(row.get("stock", 0)),
            tags=tuple(row.get("tags", ())),
        ))
    return products


def load_products_file(path):
    """Products from a JSON file of rows (a developer shortcut; the shop reads the admin export)."""
    with open(path, encoding="utf-8") as handle:
        return load_products(json.load(handle))
