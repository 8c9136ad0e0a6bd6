"""Finding products by what a shopper types."""


def matches(product, query):
    """Whether every word of ``query`` appears in the product's name (case does not matter)."""
    name = product.name.lower()
    return all(word in name for word in query.lower().split())


def search(products, query):
    """The products matching ``query``, in catalogue order; an empty query matches everything."""
    return [product for product in products if matches(product, query)]
