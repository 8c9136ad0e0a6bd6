"""A morning at the bakery counter: tickets, orders, and how long customers wait to be served.

One assistant serves customers in the order they arrive. Times are minutes since midnight.
"""

BASE_MINUTES = 1  # greeting the customer and taking payment
MINUTES_PER_ITEM = 0.5  # fetching and bagging each item


def to_minutes(clock):
    """Minutes since midnight for a till time such as '08:45'."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def next_ticket(ticket):
    """The ticket after 'A07' is 'A08'; after 'A99' the roll moves on to 'B00'."""
    letter = ticket[0]
    number = int(ticket[1:]) + 1
    if number > 99:
        letter = chr(ord(letter) + 1)
        number = 0
    return f"{letter}{number:02d}"


def items_in_order(order):
    """Number of items in an order written like '2 sourdough, 1 rye, 6 croissant'."""
    total = 0
    for part in order.split(","):
        if not part.strip():
            continue
        quantity, _product = part.split(maxsplit=1)
        total += int(quantity)
    return total


def waiting_times(customers):
    """Minutes each customer waits before being served; customers are [name, arrival, items]."""
    clock = 0
    waits = []
    for name, arrival, items in sorted(customers, key=lambda customer: customer[1]):
        start = max(clock, arrival)
        waits.append([name, start - arrival])
        clock = start + BASE_MINUTES + MINUTES_PER_ITEM * items
    return waits


def average_wait(waits):
    """Mean wait in minutes over [name, minutes] pairs, to two decimal places."""
    if not waits:
        return 0.0
    total = sum(minutes for _name, minutes in waits)
    return round(total / len(waits), 2)


def longest_wait(waits):
    """Name of the customer who waited longest; the one served first wins a tie. None if nobody came."""
    if not waits:
        return None
    best = waits[0]
    for entry in waits[1:]:
        if entry[1] > best[1]:
            best = entry
    return best[0]


def queue_length(schedule, minute):
    """How many customers are queueing at `minute`: arrived but not yet served.

    `schedule` rows are [name, arrival, start of service].
    """
    count = 0
    for _name, arrival, start in schedule:
        if arrival <= minute < start:
            count += 1
    return count


def price_label(pence):
    """Shelf-label price for a whole number of pence: 250 -> '£2.50'."""
    return "£" + str(pence // 100) + "." + str(pence % 100).zfill(2)


if __name__ == "__main__":
    customers = [["Ana", to_minutes("08:00"), items_in_order("2 sourdough, 1 rye")], ["Ben", 481, 6]]
    waits = waiting_times(customers)
    print(waits, average_wait(waits), longest_wait(waits), next_ticket("A99"), price_label(250))
