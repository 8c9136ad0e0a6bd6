"""Appointment reminders."""

__version__ = "1.2.0"
