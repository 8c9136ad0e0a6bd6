"""Shipping quotes for the parcel desk."""

__version__ = "1.2.0"
