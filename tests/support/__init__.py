"""Helpers shared by tests that need real servers."""
