"""Structured (JSON-lines) logs carrying a request id, and the start of the launch id when a page has one.

A launch id in a URL is a credential (whoever has it acts as that learner or instructor until it expires),
so no log line may carry one in full: :func:`redact_launch_ids` shortens every launch id in a URL path or a
``launch_id=`` pair to its first characters and "…". The JSON formatter applies it to every message (our own
lines, Werkzeug's request lines, tracebacks), and :class:`RedactingGunicornLogger` to gunicorn's access log
(``gunicorn.conf.py`` at the repository root selects it; gunicorn reads that file from its working directory).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from gunicorn.glogging import Logger as GunicornLogger

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
KEPT_CHARS = 6  # enough to correlate lines of one launch, far too few to use it
# The launch id's place in the tool's URLs (/a/<id>, /i/<id>, /api/a/<id>, /api/i/<id>, /lti/<page>/<id> such as
# /lti/deep-link/<id> and /lti/configure/<id>), and in "launch_id=<id>" pairs of our own log lines.
_LAUNCH_IN_PATH = re.compile(
    r"(/(?:api/)?[ai]/|/lti/[a-z][a-z-]*/|(?<![A-Za-z0-9_])launch_id=)([^/?#&\s\"',;]+)", re.IGNORECASE
)


def shorten(launch_id: str) -> str:
    return launch_id if len(launch_id) <= KEPT_CHARS else launch_id[:KEPT_CHARS] + "…"


def redact_launch_ids(text: str) -> str:
    """``text`` with every launch id in a tool URL or a ``launch_id=`` pair cut to its first characters."""
    if not text or ("/" not in text and "launch_id=" not in text):
        return text
    return _LAUNCH_IN_PATH.sub(lambda m: m.group(1) + shorten(m.group(2)), text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact_launch_ids(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
            launch_id = (request.view_args or {}).get("launch_id")
            if launch_id:
                entry["launch"] = shorten(launch_id)  # enough to correlate; the full id is a capability
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exc"] = redact_launch_ids(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)


def install_request_logging(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):  # type: ignore[no-untyped-def]
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response


class RedactingGunicornLogger(GunicornLogger):
    """Gunicorn's logger, with launch ids shortened in every access-log field (request line, path, query,
    Referer, any header or environ atom a custom ``access_log_format`` might use)."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact_launch_ids(v) if isinstance(v, str) else v for k, v in atoms.items()}
