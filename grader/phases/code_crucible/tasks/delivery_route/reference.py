"""The fastest delivery route across town: Dijkstra's algorithm on two-way roads."""

import heapq


def build_map(roads: list[list]) -> dict[str, dict[str, int]]:
    """For each place, the quickest open road to each neighbour; closed roads are left out."""
    neighbours: dict[str, dict[str, int]] = {}
    for first, second, minutes in roads:
        if minutes < 0:
            continue
        # >>> TODO: keep the quickest road between the two places, in both directions
        for here, there in ((first, second), (second, first)):
            known = neighbours.setdefault(here, {})
            known[there] = min(minutes, known.get(there, minutes))
        # <<<
    return neighbours


def shortest_times(neighbours: dict[str, dict[str, int]], start: str) -> tuple[dict[str, int], dict[str, str]]:
    """Minutes from start to every reachable place, and the place each one is best reached from."""
    best = {start: 0}
    previous: dict[str, str] = {}
    queue = [(0, start)]
    # >>> TODO: settle the closest unsettled place, then try every road out of it
    while queue:
        minutes, place = heapq.heappop(queue)
        if minutes > best[place]:
            continue
        for neighbour, road_minutes in neighbours.get(place, {}).items():
            arrival = minutes + road_minutes
            if neighbour not in best or arrival < best[neighbour]:
                best[neighbour] = arrival
                previous[neighbour] = place
                heapq.heappush(queue, (arrival, neighbour))
    # <<<
    return best, previous


def trace_path(previous: dict[str, str], start: str, goal: str) -> list[str]:
    """The places from start to goal, following each place back to where it was reached from."""
    # >>> TODO: walk back from the goal to the start, then reverse
    path = [goal]
    while path[-1] != start:
        path.append(previous[path[-1]])
    return path[::-1]
    # <<<


def fastest_route(roads: list[list], start: str, goal: str) -> dict | None:
    """The quickest route as {"minutes", "path"}, or None when goal cannot be reached from start."""
    best, previous = shortest_times(build_map(roads), start)
    if goal not in best:
        return None
    return {"minutes": best[goal], "path": trace_path(previous, start, goal)}
