"""Appointments as the booking system hands them over."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Appointment:
    id: int
    customer: str
    starts_at: datetime  # aware, UTC
    offset_minutes: int  # the customer's offset from UTC
    service: str
    phone: str = ""


def describe(appointment):
    """One line for the operators' log."""
    return f"#{appointment.id} {appointment.customer} {appointment.service} ({appointment.phone})"
