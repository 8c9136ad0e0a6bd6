"""Who may do what with a note."""


def can_read(user, note):
    """Owners, admins and the people a note is shared with read it; suspended users read nothing."""
    if user.suspended:
        return False
    return user.role == "admin" or note.owner == user.name or user.name in note.shared_with


def can_edit(user, note):
    """Editors change their own notes and admins any; viewers and suspended users change nothing."""
    if user.suspended:
        return False
    if user.role == "viewer":
        return False
    return user.role == "admin" or note.owner == user.name
