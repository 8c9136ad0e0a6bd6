"""Where the spelling app opens at each turn on the classroom tablets."""

LIST_COUNT = 30  # cr:param list_count


def turn_owner(turn: list) -> object:
    """Whose lists a turn ([tablet number, class code, child number, lists finished]) counts towards."""
    # >>> TODO[shared_tablets]: count a turn's lists under the child (class code and number), whatever the tablet
    # || count a turn's lists under its tablet number
    return (turn[1], turn[2])
    # <<<


def turn_lists(turns: list[list]) -> list[int]:
    """The spelling list the app opens at the start of each turn, in the order of the turns."""
    finished = {}
    opened: list[int] = []
    for turn in turns:
        owner = turn_owner(turn)
        done = finished.get(owner, 0)
        # >>> TODO: open the list after those finished so far (at most the last one), then add this turn's lists
        opened.append(min(done + 1, LIST_COUNT))
        finished[owner] = done + max(turn[3], 0)
        # <<<
    return opened
