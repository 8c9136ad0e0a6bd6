"""Road distances between our depots, in kilometres."""

DISTANCES = {
    frozenset({"paris", "lyon"}): 465,
    frozenset({"paris", "lille"}): 225,
    frozenset({"lyon", "lille"}): 690,
}


def distance_km(origin, destination):
    if origin == destination:
        return 0
    try:
        return DISTANCES[frozenset({origin, destination})]
    except KeyError:
        raise ValueError(f"no route from {origin} to {destination}") from None
