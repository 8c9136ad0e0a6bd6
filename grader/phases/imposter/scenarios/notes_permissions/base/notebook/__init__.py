"""The team notes service."""

__version__ = "1.2.0"
