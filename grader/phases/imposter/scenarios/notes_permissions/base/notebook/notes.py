"""Notes and the in-memory store the service keeps them in."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Note:
    id: int
    owner: str
    title: str
    body: str = ""
    shared_with: tuple = ()


class NoteStore:
    def __init__(self):
        self._notes = {}
        self._next_id = 1

    def add(self, owner, title, body=""):
        note = Note(self._next_id, owner, title, body)
        self._notes[note.id] = note
        self._next_id += 1
        return note

    def get(self, note_id):
        if note_id not in self._notes:
            raise KeyError(f"no note {note_id}")
        return self._notes[note_id]

    def save(self, note, **changes):
        updated = replace(note, **changes)
        self._notes[note.id] = updated
        return updated

    def all(self):
        return list(self._notes.values())
