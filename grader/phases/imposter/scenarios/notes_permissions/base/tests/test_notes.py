import unittest

from notebook.notes import NoteStore


class NoteStoreTest(unittest.TestCase):
    def test_ids_count_up(self):
        store = NoteStore()
        self.assertEqual([store.add("ana", "a").id, store.add("ana", "b").id], [1, 2])

    def test_save_keeps_the_id(self):
        store = NoteStore()
        note = store.add("ana", "draft")
        store.save(note, body="done")
        self.assertEqual(store.get(note.id).body, "done")

    def test_unknown_note(self):
        with self.assertRaises(KeyError):
            NoteStore().get(7)
