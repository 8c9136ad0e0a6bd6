"""Truth files: YAML validated by a phase's marshmallow schema, found in the phase's ``scenarios/`` folder."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import yaml
from marshmallow import Schema, ValidationError


class ScenarioError(ValueError):
    """A scenario is unknown or its file is malformed. The message names the file, field and reason."""

    def __init__(self, file: str, field: str, reason: str) -> None:
        super().__init__(f"{file}: {field}: {reason}")
        self.file, self.field, self.reason = file, field, reason


@dataclass(frozen=True)
class ScenarioMeta:
    """Public metadata: safe for a catalogue page or the activity picker."""

    phase: str
    id: str
    title: str
    persona_name: str
    difficulty: str
    summary: str
    languages: tuple[str, ...] = ()  # the programming language(s) its task is written in, if it has one

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "languages": list(self.languages)}


class HasMeta(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def meta(self) -> ScenarioMeta: ...


T = TypeVar("T", bound=HasMeta)


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error dict -> [("constraints.2.weight", "Must be ..."), ...]."""
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out += _flatten(value, name)
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix or "(file)", " ".join(messages))]
    if isinstance(messages, list):
        return [pair for m in messages for pair in _flatten(m, prefix)]
    return [(prefix or "(file)", str(messages))]


def parse_truth_file(text: str, schema: type[Schema], *, file: str, expected_id: str | None = None) -> Any:
    """Validate YAML ``text`` with ``schema``; raise ``ScenarioError`` naming the first problem (and a count)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ScenarioError(file, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(file, "(file)", "the top level must be a mapping")
    try:
        loaded = schema().load(raw)
    except ValidationError as exc:
        problems = sorted(_flatten(exc.messages))
        field, reason = problems[0]
        if len(problems) > 1:
            reason += f" (and {len(problems) - 1} more: " + "; ".join(f"{f}: {r}" for f, r in problems[1:4]) + ")"
        raise ScenarioError(file, field, reason) from None
    if expected_id is not None and loaded.id != expected_id:
        raise ScenarioError(file, "id", f"{loaded.id!r} does not match the file name {expected_id!r}")
    return loaded


class Catalogue(Generic[T]):
    """The truth files of one phase: ``<folder>/<scenario id>.yaml``, validated once and cached (immutable)."""

    def __init__(self, phase: str, folder: Path, schema: type[Schema]) -> None:
        self.phase, self.folder, self.schema = phase, folder, schema
        self.load = lru_cache(maxsize=64)(self._load)
        self._ids: tuple[int, list[str]] | None = None  # (the folder's mtime, the ids listed then)

    def parse(self, text: str, *, file: str, expected_id: str | None = None) -> T:
        """Validate ``text`` (an instructor's upload, a test) as a truth file of this phase."""
        return parse_truth_file(text, self.schema, file=file, expected_id=expected_id)  # type: ignore[no-any-return]

    def path(self, scenario_id: str) -> Path:
        if not scenario_id.isidentifier():
            raise ScenarioError(f"{self.phase}/{scenario_id}", "id", "scenario ids are lower-case identifiers")
        return self.folder / f"{scenario_id}.yaml"

    def _load(self, scenario_id: str) -> T:
        path = self.path(scenario_id)
        if not path.is_file():
            raise ScenarioError(f"{self.phase}/{scenario_id}.yaml", "id",
                                f"no scenario {scenario_id!r} for phase {self.phase!r}")
        return self.parse(path.read_text(encoding="utf-8"), file=f"{self.phase}/{path.name}", expected_id=scenario_id)

    def ids(self) -> list[str]:
        """The scenario ids in the folder, listed again only when a file was added, removed or renamed there (the
        folder's mtime changes): a launch asks on every draw, and one stat costs a tenth of a listing. A folder
        changed in the last two seconds is always listed: its mtime ticks coarsely, so a second change in the
        same tick would not show in it."""
        try:
            stamp = self.folder.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        listed = self._ids
        if listed is None or listed[0] != stamp or time.time_ns() - stamp < 2_000_000_000:
            listed = self._ids = (stamp, sorted(p.stem for p in self.folder.glob("*.yaml")))
        return list(listed[1])

    def list(self) -> list[ScenarioMeta]:
        """Public metadata of every scenario, sorted by id. Raises on a malformed file."""
        return [self.load(scenario_id).meta for scenario_id in self.ids()]
