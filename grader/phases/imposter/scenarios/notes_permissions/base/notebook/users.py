"""People who use the notebook and what their role lets them do."""

from dataclasses import dataclass

ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class User:
    name: str
    role: str = "editor"
    suspended: bool = False


def make_user(row):
    """A user from the directory's row; unknown roles are refused rather than guessed."""
    role = row.get("role", "editor")
    if role not in ROLES:
        raise ValueError(f"unknown role: {role}")
    return User(row["name"], role, bool(row.get("suspended", False)))
