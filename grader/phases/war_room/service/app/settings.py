"""Settings from config/service.ini. Every key has a built-in default, so a missing key is not fatal."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass

DEFAULTS = {
    "server": {"host": "127.0.0.1", "port": "8080", "route_prefix": "/api/v1"},
    "database": {"url": "sqlite:///data/shop.db", "timeout_seconds": "2"},
    "cache": {"enabled": "true", "max_entries": "100"},
    "auth": {"required": "true", "admin_token": ""},
    "debug": {"allow_override": "false"},
    "logging": {"level": "INFO"},
}


class ConfigError(Exception):
    """The configuration file exists but cannot be used."""


@dataclass(frozen=True)
class Settings:
    path: str
    found: bool
    host: str
    port: int
    route_prefix: str
    database_url: str
    database_timeout: float
    cache_enabled: bool
    cache_max_entries: int
    auth_required: bool
    admin_token: str
    debug_override: bool
    log_level: str


def _bool(section: configparser.SectionProxy, key: str) -> bool:
    try:
        return section.getboolean(key)
    except ValueError as exc:
        raise ConfigError(f"[{section.name}] {key}: {exc}") from None


def _int(section: configparser.SectionProxy, key: str) -> int:
    try:
        return section.getint(key)
    except ValueError as exc:
        raise ConfigError(f"[{section.name}] {key}: {exc}") from None


def load(path: str) -> Settings:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_dict(DEFAULTS)
    found = os.path.isfile(path)
    if found:
        try:
            with open(path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except configparser.Error as exc:
            raise ConfigError(f"{path}: {exc}") from None
    server, database, cache = parser["server"], parser["database"], parser["cache"]
    auth, debug, logging = parser["auth"], parser["debug"], parser["logging"]
    return Settings(
        path=path,
        found=found,
        host=server.get("host"),
        port=_int(server, "port"),
        route_prefix=server.get("route_prefix"),
        database_url=database.get("url"),
        database_timeout=float(database.get("timeout_seconds")),
        cache_enabled=_bool(cache, "enabled"),
        cache_max_entries=_int(cache, "max_entries"),
        auth_required=_bool(auth, "required"),
        admin_token=auth.get("admin_token").strip(),
        debug_override=_bool(debug, "allow_override"),
        log_level=logging.get("level").upper(),
    )
