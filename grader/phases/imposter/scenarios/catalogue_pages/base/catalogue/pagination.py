"""Split long result lists into pages for the listing endpoints."""

DEFAULT_PER_PAGE = 20


def page_count(total, per_page):
    """How many pages ``total`` items fill; at least one (an empty listing still has a page)."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return max(1, -(-total // per_page))


def paginate(items, page=1, per_page=DEFAULT_PER_PAGE):
    """The ``page``-th slice (1-based) of ``items``, with what a client needs to ask for the next one."""
    items = list(items)
    pages = page_count(len(items), per_page)
    if page < 1:
        raise ValueError("page must be at least 1")
    start = (page - 1) * per_page
    return {
        "items": items[start:start + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "pages": pages,
        "has_next": page < pages,
        "has_prev": page > 1,
    }
