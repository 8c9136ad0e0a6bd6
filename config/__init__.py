"""Typed settings read from the environment, with embedded defaults. One place for all configuration."""

from config.settings import ConfigError, Settings, load_settings

__all__ = ["ConfigError", "Settings", "load_settings"]
