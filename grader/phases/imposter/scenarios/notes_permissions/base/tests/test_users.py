import unittest

from notebook.users import User, make_user


class MakeUserTest(unittest.TestCase):
    def test_defaults_to_an_active_editor(self):
        self.assertEqual(make_user({"name": "ana"}), User("ana", "editor", False))

    def test_unknown_roles_are_refused(self):
        with self.assertRaises(ValueError):
            make_user({"name": "ana", "role": "owner"})
