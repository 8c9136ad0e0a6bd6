"""Invoices for the agency's clients."""

__version__ = "1.2.0"
