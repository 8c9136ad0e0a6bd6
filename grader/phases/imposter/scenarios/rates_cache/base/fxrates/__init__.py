"""Cached exchange rates for the checkout."""

__version__ = "1.2.0"
