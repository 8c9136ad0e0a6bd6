"""What the HTTP layer calls: every function checks permissions before it touches a note."""

from notebook.permissions import can_edit, can_read


class PermissionDenied(Exception):
    pass


def read_note(store, user, note_id):
    note = store.get(note_id)
    if not can_read(user, note):
        raise PermissionDenied(f"{user.name} may not read note {note_id}")
    return note


def edit_note(store, user, note_id, body):
    note = store.get(note_id)
    if not can_edit(user, note):
        raise PermissionDenied(f"{user.name} may not edit note {note_id}")
    return store.save(note, body=body)
