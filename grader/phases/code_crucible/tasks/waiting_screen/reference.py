"""The lines of the waiting-room screen: who is called now, who comes next, and the notice typed for it."""

NEXT_COUNT = 3  # cr:param next_count


def now_line(called: list[int], checked_in: list[int]) -> str:
    """The ticket called last, among the tickets that checked in."""
    # >>> TODO: find the last called ticket that checked in ("NOW -" when there is none)
    known = set(checked_in)
    last = next((ticket for ticket in reversed(called) if ticket in known), None)
    # <<<
    return "NOW -" if last is None else f"NOW {last}"


def next_line(called: list[int], checked_in: list[int]) -> str:
    """The next people waiting: checked in and never called, in the order they arrived."""
    # >>> TODO: keep the first tickets that were never called
    done = set(called)
    waiting = [ticket for ticket in checked_in if ticket not in done][:NEXT_COUNT]
    # <<<
    return "NEXT " + " ".join(str(ticket) for ticket in waiting) if waiting else "NEXT -"


# >>> TODO[no_names_on_screen]: write hide_names(words, patients): initials and ticket wherever a name was
TRAILING_MARKS = ",.!?:;"


def name_labels(patients: list[list]) -> dict[str, str]:
    """Each full name and each first name (lower case, words one space apart) with the initials and ticket of the
    first patient to check in with it; a full name wins over someone else's first name."""
    people = [(ticket, words) for ticket, full_name in patients if (words := full_name.split())]
    labels: dict[str, str] = {}
    for ticket, words in people:
        initials = "".join(word[0].upper() + "." for word in words)
        labels.setdefault(" ".join(words).lower(), f"{initials} {ticket}")
    for _ticket, words in people:
        labels.setdefault(words[0].lower(), labels[" ".join(words).lower()])
    return labels


def label_at(words: list[str], position: int, labels: dict[str, str], longest: int) -> tuple[int, str] | None:
    """(how many words, their replacement) for the longest name starting at ``position``, or None."""
    for size in range(min(longest, len(words) - position), 0, -1):
        last = words[position + size - 1]
        bare = last.rstrip(TRAILING_MARKS)
        key = " ".join([*words[position:position + size - 1], bare]).lower()
        if bare and key in labels:
            return size, labels[key] + last[len(bare):]
    return None


def hide_names(words: list[str], patients: list[list]) -> list[str]:
    """The notice's words with every patient's name replaced by their initials and ticket."""
    labels = name_labels(patients)
    longest = max((len(name.split()) for name in labels), default=0)
    out: list[str] = []
    position = 0
    while position < len(words):
        found = label_at(words, position, labels, longest)
        size, text = found if found else (1, words[position])
        out.append(text)
        position += size
    return out
# <<<


def waiting_screen(patients: list[list], called: list[int], notice: str) -> list[str]:
    """The screen's lines: who is called now, who comes next, then the notice unless it is blank."""
    checked_in = list(dict.fromkeys(ticket for ticket, _full_name in patients))
    lines = [now_line(called, checked_in), next_line(called, checked_in)]
    words = notice.split()
    # >>> TODO[no_names_on_screen]: swap every patient's name in the notice for their initials and ticket
    words = hide_names(words, patients)
    # <<<
    if words:
        lines.append(" ".join(words))
    return lines
