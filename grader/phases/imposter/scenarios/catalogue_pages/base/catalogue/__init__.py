"""The shop's product catalogue."""

__version__ = "1.2.0"
