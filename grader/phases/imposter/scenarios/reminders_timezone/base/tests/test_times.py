import unittest
from datetime import UTC, datetime

from remindme.times import format_local, parse_utc, to_local

NOON_UTC = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


class LocalTimeTest(unittest.TestCase):
    def test_east_of_utc_is_later(self):
        self.assertEqual(format_local(NOON_UTC, 120), "2024-03-10 14:00")

    def test_west_of_utc_is_earlier(self):
        self.assertEqual(format_local(NOON_UTC, -300), "2024-03-10 07:00")

    def test_the_moment_itself_does_not_change(self):
        self.assertEqual(to_local(NOON_UTC, 330), NOON_UTC)


class ParseTest(unittest.TestCase):
    def test_offsets_are_converted_to_utc(self):
        self.assertEqual(parse_utc("2024-03-10T14:00:00+02:00"), NOON_UTC)

    def test_naive_timestamps_are_refused(self):
        with self.assertRaises(ValueError):
            parse_utc("2024-03-10T14:00:00")
