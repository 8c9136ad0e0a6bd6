import unittest

from notebook.api import PermissionDenied, edit_note, read_note
from notebook.notes import NoteStore
from notebook.users import User


class ApiTest(unittest.TestCase):
    def setUp(self):
        self.store = NoteStore()
        self.note = self.store.add("ana", "Plans", "first")

    def test_owner_edits(self):
        edit_note(self.store, User("ana"), self.note.id, "second")
        self.assertEqual(read_note(self.store, User("ana"), self.note.id).body, "second")

    def test_strangers_are_refused(self):
        with self.assertRaises(PermissionDenied):
            read_note(self.store, User("cy"), self.note.id)
        with self.assertRaises(PermissionDenied):
            edit_note(self.store, User("cy"), self.note.id, "mine now")
