"""Settings from environment variables.

Every variable is prefixed ``CR_``. Defaults are the embedded mode: SQLite file, in-process queue,
local bubblewrap sandbox, offline simulation engine. A bad value raises ``ConfigError`` naming the
variable, so the process fails at start rather than at the first request.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse

PREFIX = "CR_"
DEFAULT_DATA_DIR = Path("var")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{PREFIX}{name}={value!r} is not one of {', '.join(allowed)}")
    return value


def _positive_float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={value!r} is not a number") from None
    if number <= 0:
        raise ConfigError(f"{PREFIX}{name}={value!r} must be greater than 0")
    return number


def _positive_int(name: str, value: str) -> int:
    number = _non_negative_int(name, value)
    if number == 0:
        raise ConfigError(f"{PREFIX}{name}={value!r} must be greater than 0")
    return number


def _non_negative_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={value!r} is not a whole number") from None
    if number < 0:
        raise ConfigError(f"{PREFIX}{name}={value!r} must not be negative")
    return number


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{PREFIX}{name}={value!r} is not a boolean (use true or false)")


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise ConfigError(f"{PREFIX}{name}={value!r} must be a URL starting with {' or '.join(schemes)}")
    return value


# One CSP source expression: a keyword, a scheme, or [scheme://]host[:port][/path] with an optional leading *.
_CSP_SOURCE = re.compile(
    r"'self'|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?(\*\.)?[a-z0-9.-]+(:(\d+|\*))?(/[^\s;,']*)?", re.I
)


def _csp_sources(name: str, value: str) -> str:
    """A space-separated list of CSP sources, checked so a typo cannot break or widen the whole header."""
    sources = value.split()
    if sources in (["'none'"], ["*"]):
        return sources[0]
    bad = [s for s in sources if not _CSP_SOURCE.fullmatch(s)]
    if bad:
        raise ConfigError(f"{PREFIX}{name}: {' '.join(bad)!r} is not a CSP source (e.g. https://lms.example.edu)")
    return " ".join(sources)


def _token(name: str, value: str) -> str:
    """A secret token: empty (unset), or at least 16 printable characters without spaces."""
    value = value.strip()
    if value and (len(value) < 16 or not value.isprintable() or any(c.isspace() for c in value)):
        raise ConfigError(f"{PREFIX}{name} must be at least 16 characters without spaces (or unset)")
    return value


def _database_url(name: str, value: str) -> str:
    scheme = urlparse(value).scheme.split("+")[0]
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ConfigError(f"{PREFIX}{name}={value!r} must be a sqlite:// or postgresql:// URL")
    if value.startswith("postgres://"):  # SQLAlchemy 2 only knows the long scheme name
        value = "postgresql://" + value[len("postgres://") :]
    return value


@dataclass(frozen=True)
class Settings:
    """All runtime configuration. Build it with :func:`load_settings`."""

    database_url: str = field(metadata={"env": "DATABASE_URL", "doc": "SQLAlchemy URL (SQLite or PostgreSQL)"})
    redis_url: str = field(metadata={"env": "REDIS_URL", "doc": "Redis URL for the RQ queues (queue mode `rq`)"})
    queue_mode: str = field(metadata={"env": "QUEUE_MODE", "doc": "`inprocess` (embedded) or `rq`"})
    sandbox_backend: str = field(metadata={"env": "SANDBOX_BACKEND", "doc": "`local` (bubblewrap) or `docker`"})
    docker_url: str = field(metadata={"env": "DOCKER_URL", "doc": "Docker engine URL for the docker sandbox"})
    sandbox_image: str = field(metadata={"env": "SANDBOX_IMAGE", "doc": "Image the docker sandbox runs code in"})
    docker_pool_size: int = field(metadata={
        "env": "DOCKER_POOL_SIZE", "doc": "Docker sandbox: containers each worker keeps started ahead of demand"})
    llm_provider: str = field(metadata={"env": "LLM_PROVIDER", "doc": "`offline` or `openai` (any compatible API)"})
    llm_base_url: str = field(metadata={"env": "LLM_BASE_URL", "doc": "Base URL of the OpenAI-compatible API"})
    llm_model: str = field(metadata={"env": "LLM_MODEL", "doc": "Model name sent to the provider"})
    llm_api_key: str = field(
        repr=False, metadata={"env": "LLM_API_KEY", "doc": "API key for the provider", "secret": True}
    )
    llm_timeout: float = field(metadata={"env": "LLM_TIMEOUT", "doc": "Seconds before an LLM call falls back"})
    llm_max_retries: int = field(metadata={"env": "LLM_MAX_RETRIES", "doc": "Retries on 5xx / rate limit"})
    secret_key: str = field(repr=False, metadata={"env": "SECRET_KEY", "doc": "Flask session secret", "secret": True})
    public_base_url: str = field(metadata={"env": "PUBLIC_BASE_URL", "doc": "URL the LMS reaches the tool at"})
    trust_proxy: bool = field(metadata={"env": "TRUST_PROXY", "doc": "Trust X-Forwarded-Proto/Host"})
    dev_platform: bool = field(metadata={"env": "DEV_PLATFORM", "doc": "Serve the dev-only LMS at /dev"})
    data_dir: Path = field(metadata={"env": "DATA_DIR", "doc": "Where the SQLite file and keys live"})
    log_level: str = field(metadata={"env": "LOG_LEVEL", "doc": "DEBUG, INFO, WARNING or ERROR"})
    inprocess_workers: int = field(
        metadata={"env": "INPROCESS_WORKERS", "doc": "Worker threads in in-process mode (default: the usable cores, "
                  "at least 2)"}
    )
    work_heartbeat_seconds: float = field(
        metadata={"env": "WORK_HEARTBEAT_SECONDS", "doc": "How often a running job marks its row alive"}
    )
    work_stale_seconds: float = field(
        metadata={"env": "WORK_STALE_SECONDS", "doc": "A running row silent this long is taken as lost and re-run"}
    )
    reconcile_seconds: float = field(metadata={"env": "RECONCILE_SECONDS", "doc": "Reconciler period"})
    frame_ancestors: str = field(
        metadata={"env": "FRAME_ANCESTORS",
                  "doc": "CSP frame-ancestors: who may embed the tool (default: registered platforms; * for anyone)"}
    )
    max_request_kb: int = field(
        metadata={"env": "MAX_REQUEST_KB", "doc": "Largest request body accepted, in kB; larger ones get 413"}
    )
    metrics_token: str = field(
        repr=False,
        metadata={"env": "METRICS_TOKEN", "doc": "Bearer token /metrics requires (unset: loopback only)",
                  "secret": True},
    )

    @classmethod
    def documented(cls) -> list[tuple[str, str]]:
        """(variable, description) pairs for the README's configuration table."""
        return [(PREFIX + f.metadata["env"], f.metadata["doc"]) for f in fields(cls)]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's), at least 2: the in-process job
    threads' default. A job mostly waits for its sandboxes, whose processes are what use the cores."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: ``os.environ``), validating every value."""
    env = os.environ if environ is None else environ

    def get(name: str, default: str) -> str:
        return env.get(PREFIX + name, default)

    data_dir = Path(get("DATA_DIR", str(DEFAULT_DATA_DIR)))
    secret_key = get("SECRET_KEY", "")
    if not secret_key:
        # Embedded mode: a per-install random key kept beside the data, never a constant in the code.
        secret_key = _persistent_secret(data_dir)
    elif len(secret_key) < 16:
        raise ConfigError(f"{PREFIX}SECRET_KEY must be at least 16 characters")

    return Settings(
        database_url=_database_url("DATABASE_URL", get("DATABASE_URL", f"sqlite:///{(data_dir / 'cr.db').absolute()}")),
        redis_url=_url("REDIS_URL", get("REDIS_URL", "redis://127.0.0.1:6379/0"), ("redis", "rediss", "unix")),
        queue_mode=_choice("QUEUE_MODE", get("QUEUE_MODE", "inprocess"), ("inprocess", "rq")),
        sandbox_backend=_choice("SANDBOX_BACKEND", get("SANDBOX_BACKEND", "local"), ("local", "docker")),
        docker_url=_url(
            "DOCKER_URL", get("DOCKER_URL", "unix:///var/run/docker.sock"), ("unix", "tcp", "http", "https", "ssh")
        ),
        sandbox_image=get("SANDBOX_IMAGE", "coderesidency-sandbox:bookworm"),
        docker_pool_size=_non_negative_int("DOCKER_POOL_SIZE", get("DOCKER_POOL_SIZE", "0")),
        llm_provider=_choice("LLM_PROVIDER", get("LLM_PROVIDER", "offline"), ("offline", "openai")),
        llm_base_url=_url("LLM_BASE_URL", get("LLM_BASE_URL", "https://api.openai.com/v1"), ("http", "https")),
        llm_model=get("LLM_MODEL", "gpt-4o-mini"),
        llm_api_key=get("LLM_API_KEY", ""),
        llm_timeout=_positive_float("LLM_TIMEOUT", get("LLM_TIMEOUT", "20")),
        llm_max_retries=_non_negative_int("LLM_MAX_RETRIES", get("LLM_MAX_RETRIES", "1")),
        secret_key=secret_key,
        public_base_url=_url("PUBLIC_BASE_URL", get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"), ("http", "https")),
        trust_proxy=_bool("TRUST_PROXY", get("TRUST_PROXY", "false")),
        dev_platform=_bool("DEV_PLATFORM", get("DEV_PLATFORM", "false")),
        data_dir=data_dir,
        inprocess_workers=_positive_int("INPROCESS_WORKERS", get("INPROCESS_WORKERS", str(usable_cores()))),
        work_heartbeat_seconds=_positive_float("WORK_HEARTBEAT_SECONDS", get("WORK_HEARTBEAT_SECONDS", "10")),
        work_stale_seconds=_positive_float("WORK_STALE_SECONDS", get("WORK_STALE_SECONDS", "60")),
        reconcile_seconds=_positive_float("RECONCILE_SECONDS", get("RECONCILE_SECONDS", "5")),
        frame_ancestors=_csp_sources("FRAME_ANCESTORS", get("FRAME_ANCESTORS", "")),
        max_request_kb=_positive_int("MAX_REQUEST_KB", get("MAX_REQUEST_KB", "1024")),
        metrics_token=_token("METRICS_TOKEN", get("METRICS_TOKEN", "")),
        log_level=_choice("LOG_LEVEL", get("LOG_LEVEL", "INFO").upper(), ("DEBUG", "INFO", "WARNING", "ERROR")),
    )


def _persistent_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
