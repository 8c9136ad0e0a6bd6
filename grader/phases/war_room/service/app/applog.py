"""The service's logs: logs/app.log (events) and logs/access.log (one line per request, combined format)."""

from __future__ import annotations

import json
import os
import time

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


def now(root: str) -> float:
    """The incident's clock: run/clock.json maps the real clock onto the night of the incident."""
    try:
        with open(os.path.join(root, "run", "clock.json"), encoding="utf-8") as handle:
            clock = json.load(handle)
        return float(clock["incident_epoch"]) + (time.time() - float(clock["real_epoch"]))
    except (OSError, ValueError, KeyError, TypeError):
        return time.time()


class Log:
    def __init__(self, root: str, level: str = "INFO", name: str = "shop-api") -> None:
        self.root, self.name = root, name
        self.threshold = LEVELS.get(level, 20)
        os.makedirs(os.path.join(root, "logs"), exist_ok=True)

    def now(self) -> float:
        return now(self.root)

    def _write(self, file: str, line: str) -> None:
        with open(os.path.join(self.root, "logs", file), "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def event(self, level: str, message: str) -> None:
        if LEVELS[level] < self.threshold:
            return
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now(self.root)))
        self._write("app.log", f"{stamp}Z {level:<7} {self.name}[{os.getpid()}] {message}")

    def info(self, message: str) -> None:
        self.event("INFO", message)

    def warning(self, message: str) -> None:
        self.event("WARNING", message)

    def error(self, message: str) -> None:
        self.event("ERROR", message)

    def access(self, client: str, request_line: str, status: int, size: int, agent: str) -> None:
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now(self.root)))
        self._write("access.log", f'{client} - - [{stamp}] "{request_line}" {status} {size} "-" "{agent}"')

    def kernel(self, message: str) -> None:
        stamp = time.strftime("%b %d %H:%M:%S", time.gmtime(now(self.root)))
        self._write("kern.log", f"{stamp} shop-prod-1 kernel: {message}")
