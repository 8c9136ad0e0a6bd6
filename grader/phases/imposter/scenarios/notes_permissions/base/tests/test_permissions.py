import unittest

from notebook.notes import Note
from notebook.permissions import can_edit, can_read
from notebook.users import User

NOTE = Note(1, "ana", "Plans", shared_with=("bo",))


class ReadTest(unittest.TestCase):
    def test_owner_admin_and_shared_read(self):
        for user in (User("ana"), User("root", "admin"), User("bo", "viewer")):
            self.assertTrue(can_read(user, NOTE), user)

    def test_others_do_not(self):
        self.assertFalse(can_read(User("cy"), NOTE))


class EditTest(unittest.TestCase):
    def test_owner_and_admin_edit(self):
        self.assertTrue(can_edit(User("ana"), NOTE))
        self.assertTrue(can_edit(User("root", "admin"), NOTE))

    def test_shared_viewers_do_not(self):
        self.assertFalse(can_edit(User("bo", "viewer"), NOTE))
