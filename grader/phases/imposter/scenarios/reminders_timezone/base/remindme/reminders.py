"""When to remind a customer of their appointment, and what to tell them."""

from datetime import timedelta

from remindme.times import format_local

DEFAULT_LEAD = timedelta(hours=24)


def reminder_at(appointment, lead=DEFAULT_LEAD):
    """When the reminder goes out (UTC)."""
    return appointment.starts_at - lead


def reminder_text(appointment):
    when = format_local(appointment.starts_at, appointment.offset_minutes)
    return f"Hi {appointment.customer}, see you on {when} for your {appointment.service}."
