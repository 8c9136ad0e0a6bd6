"""Loans at a small public library: due dates, renewals, fines and the reservation queue.

Dates are day numbers (day 1 is the first day of the library's year), which keeps the arithmetic simple.
"""

LOAN_DAYS = {"book": 21, "dvd": 7, "magazine": 14}
FINE_PER_DAY = {"book": 20, "dvd": 100, "magazine": 10}  # pence
MAX_FINE = 800  # pence; no single item is fined more than this
MAX_RENEWALS = 2


def due_day(borrowed_day, kind):
    """Day an item is due back; the library is shut on Sundays, so those loans are due on the Monday.

    Sundays are days 7, 14, 21, and so on.
    """
    due = borrowed_day + LOAN_DAYS[kind]
    if due % 7 == 0:
        due += 1
    return due


def fine_pence(kind, due, returned):
    """Fine for returning an item on day `returned`: a daily rate for each day late, up to MAX_FINE."""
    days_late = max(0, returned - due)
    return min(MAX_FINE, days_late * FINE_PER_DAY[kind])


def renew(loan, today):
    """Renew a loan for another loan period from its due day, or say why it cannot be renewed."""
    if today > loan["due"]:
        return {"refused": "overdue since day " + str(loan["due"])}
    if loan["renewals"] >= MAX_RENEWALS:
        return {"refused": "already renewed " + str(loan["renewals"]) + " times"}
    due = loan["due"] + LOAN_DAYS[loan["kind"]]
    return {"kind": loan["kind"], "due": due, "renewals": loan["renewals"] + 1}


def overdue_notices(loans, today):
    """'Title (N days)' for each loan past its due day, longest overdue first, ties by title."""
    overdue = [loan for loan in loans if loan["due"] < today]
    overdue.sort(key=lambda loan: (loan["due"], loan["title"]))
    return [loan["title"] + " (" + str(today - loan["due"]) + " days)" for loan in overdue]


def average_loan_days(history):
    """Average number of days items were kept, from [borrowed, returned] pairs, to one decimal."""
    if not history:
        return 0.0
    total = sum(returned - borrowed for borrowed, returned in history)
    return round(total / len(history), 1)


def queue_position(reservations, member):
    """A member's place in the reservation queue for a title, counting from 1; 0 if not queueing."""
    if member not in reservations:
        return 0
    return reservations.index(member) + 1


def fines_by_member(fines):
    """Total fines per member from [member, pence] records, largest first; members with 0 are left out."""
    totals = {}
    for member, pence in fines:
        totals[member] = totals.get(member, 0) + pence
    owing = [[member, total] for member, total in totals.items() if total > 0]
    owing.sort(key=lambda pair: (-pair[1], pair[0]))
    return owing


if __name__ == "__main__":
    due = due_day(10, "book")
    print(due, fine_pence("book", due, 40), renew({"kind": "book", "due": due, "renewals": 0}, 30))
    print(queue_position(["m12", "m7"], "m7"), fines_by_member([["m7", 60], ["m12", 0], ["m7", 20]]))
