"""The leak scans' shared part: what a reader of a response body sees (HTML unescaped, JSON and event-stream data as
their decoded strings), whitespace-flattened text to look for secrets in, and a scanner that checks every body a
session received (``session.seen``, tests/support/phase_session.py) and empties the list.

A phase's scanner subclasses :class:`LeakScanner` with ``check_body`` (and ``before_check`` for what it works out
once per check); the code phases' scanners subclass :class:`SecretScanner` with ``secrets`` and ``shapes``.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar


def strings(value: Any) -> list[str]:
    """Every string in decoded JSON: keys, values, and the other scalars as text."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [str(value)]


def json_chunks(body: str) -> Iterator[Any]:
    """The body as JSON, and each event-stream ``data:`` line as JSON: those that parse."""
    for chunk in [body] + re.findall(r"^data: (.*)$", body, re.M):
        with contextlib.suppress(ValueError):
            yield json.loads(chunk)


def readable(body: str) -> str:
    """What a reader of the body sees: HTML unescaped; JSON and event-stream data as their decoded strings."""
    parts = [html.unescape(body)]
    for data in json_chunks(body):
        parts += strings(data)
    return "\n".join(parts)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def assert_no_secret(secrets: dict[str, str], seen: str, body: str) -> None:
    """None of the (flattened) secrets is in ``seen``, the flattened readable text of ``body``."""
    for secret, what in secrets.items():
        assert secret not in seen, f"leaked {what}: {secret[:80]!r} in {body[:300]!r}"


class LeakScanner(ABC):
    """Checks every body a session received (``session.seen``), then empties the list."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.typed: list[str] = []  # what the student sent: their own text is theirs to see
        self.scanned = 0

    def before_check(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """What the phase works out once per check (its secrets, say)."""

    @abstractmethod
    def check_body(self, body: str) -> None:
        """Fail (assert) if ``body`` carries anything of the truth."""

    def check(self) -> None:
        self.before_check()
        bodies, self.session.seen[:] = list(self.session.seen), []
        for body in bodies:
            self.check_body(body)
            self.scanned += 1


class SecretScanner(LeakScanner):
    """A code phase's scanner: the exercise's secrets (as flattened text) and shapes (the exercise's fields as
    data, say) must be in no body; what the student sends is run, the page's reads made, and everything checked."""

    shapes: ClassVar[Sequence[re.Pattern[str]]] = ()
    shape_leak: ClassVar[str] = "the exercise's field"

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.exercise = session.exercise()
        self.current: dict[str, str] = {}

    @abstractmethod
    def secrets(self) -> dict[str, str]:
        """The exercise's secrets (flattened text) -> what each one is, for the failure message."""

    def before_check(self) -> None:
        self.current = self.secrets()

    def check_body(self, body: str) -> None:
        text = readable(body)
        assert_no_secret(self.current, flat(text), body)
        for shape in self.shapes:
            assert not shape.search(text), f"leaked {self.shape_leak} ({shape.pattern}) in {body[:300]!r}"

    def send(self, kind: str, source: str, stdin: str = "") -> dict[str, Any]:
        self.typed.append(source)
        done = self.session.run_kind(kind, source, stdin)
        self.session.everything()
        self.check()
        return done
