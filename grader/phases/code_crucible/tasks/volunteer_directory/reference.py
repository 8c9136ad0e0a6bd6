"""The volunteer directory of the Riverside Food Pantry, searchable by name."""

COLUMNS = ("name", "phone", "address", "role")


def column_positions(names: list[str]) -> dict[str, int]:
    """Where each column is in the rows, from the names in the first row."""
    # >>> TODO[shared_spreadsheet]: map each trimmed, lower-case column name to its position
    # || map each column name to its position
    return {name.strip().lower(): position for position, name in enumerate(names)}
    # <<<


def field(row: list[str], positions: dict[str, int], column: str) -> str:
    """What the row holds in the column."""
    # >>> TODO[shared_spreadsheet]: the trimmed cell, or "" when the row is too short for it (or the column is missing)
    # || what the row holds in that column
    position = positions.get(column)
    if position is None or position >= len(row):
        return ""
    return row[position].strip()
    # <<<


def read_people(sheet: list[list[str]]) -> list[dict[str, str]]:
    """One record per row that has a name, in sheet order."""
    positions = column_positions(sheet[0])
    people = []
    for row in sheet[1:]:
        person = {column: field(row, positions, column) for column in COLUMNS}
        if person["name"]:
            people.append(person)
    return people


def matching(people: list[dict[str, str]], query: str) -> list[dict[str, str]]:
    """The people whose name contains query (any case), sorted by name (the same name: in sheet order)."""
    needle = query.lower()
    # >>> TODO: keep the people whose name contains the query, sorted by name (the same name: in sheet order)
    return sorted((person for person in people if needle in person["name"].lower()), key=lambda person: person["name"])
    # <<<


def directory_view(sheet: list[list[str]], viewer: str, query: str) -> list[dict]:
    """The directory for the viewer: the people whose name contains query (any case), sorted by name."""
    if not sheet:
        return []
    people = read_people(sheet)
    entries = [{"name": match["name"], "phone": match["phone"], "address": match["address"]}
               for match in matching(people, query)]
    # >>> TODO[contact_privacy]: blank out (None) the phone and address of everyone the viewer may not see
    viewer_row = next((person for person in people if person["name"] == viewer), None)
    coordinator = viewer_row is not None and viewer_row["role"].lower() == "coordinator"
    for entry in entries:
        if not coordinator and (viewer_row is None or entry["name"] != viewer):
            entry["phone"] = entry["address"] = None
    # <<<
    return entries
