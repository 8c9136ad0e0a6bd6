import unittest
from datetime import UTC, datetime

from remindme.appointments import Appointment, describe
from remindme.reminders import reminder_at, reminder_text

VISIT = Appointment(7, "Maya", datetime(2024, 3, 10, 8, 30, tzinfo=UTC), 60, "check-up", "+44 7700 900123")


class ReminderTest(unittest.TestCase):
    def test_a_day_ahead(self):
        self.assertEqual(reminder_at(VISIT), datetime(2024, 3, 9, 8, 30, tzinfo=UTC))

    def test_text_uses_the_customers_time(self):
        self.assertEqual(reminder_text(VISIT), "Hi Maya, see you on 2024-03-10 09:30 for your check-up.")

    def test_log_line(self):
        self.assertEqual(describe(VISIT), "#7 Maya check-up (+44 7700 900123)")
