"""The tickets on the kitchen screen at Baptiste's Grill, from the website and the tablets' offline queues."""


def received(online: list[list], offline_queues: list[list[list]]) -> list[list]:
    """Every [order_id, placed_minute] received, the online ones then each tablet's queue, without the entries
    from a clock that was never set."""
    entries = list(online)
    for queue in offline_queues:
        entries.extend(queue)
    # >>> TODO: leave out the entries whose clock was never set (a negative minute)
    return [entry for entry in entries if entry[1] >= 0]
    # <<<


def kitchen_queue(online: list[list], offline_queues: list[list[list]], screen_size: int) -> list[int]:
    """The order ids on the kitchen screen: at most screen_size of them."""
    if screen_size <= 0:
        return []
    tickets = received(online, offline_queues)
    # >>> TODO[offline_friday]: keep each order id once, at its earliest placed minute
    earliest: dict[int, int] = {}
    for order_id, minute in tickets:
        earliest[order_id] = min(minute, earliest.get(order_id, minute))
    tickets = [[order_id, minute] for order_id, minute in earliest.items()]
    # <<<
    # >>> TODO[kitchen_order]: put the oldest first (placed in the same minute: the smaller id first)
    tickets.sort(key=lambda ticket: (ticket[1], ticket[0]))
    # <<<
    return [order_id for order_id, _ in tickets[:screen_size]]
