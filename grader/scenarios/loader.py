"""Find, parse and validate scenario YAML files shipped in ``grader/scenarios/<phase>/``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from grader.scenarios.models import Scenario, ScenarioMeta
from grader.scenarios.schema import SCHEMAS

SCENARIO_ROOT = Path(__file__).resolve().parent


class ScenarioError(ValueError):
    """A scenario is unknown or its file is malformed. The message names the file, field and reason."""

    def __init__(self, file: str, field: str, reason: str) -> None:
        super().__init__(f"{file}: {field}: {reason}")
        self.file, self.field, self.reason = file, field, reason


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


def parse_scenario(text: str, *, phase: str, file: str, expected_id: str | None = None) -> Scenario:
    """Validate YAML ``text`` as a truth file of ``phase``; raise ``ScenarioError`` on any problem."""
    schema_cls = SCHEMAS.get(phase)
    if schema_cls is None:
        raise ScenarioError(file, "phase", f"no scenario schema for phase {phase!r}")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ScenarioError(file, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(file, "(file)", "the top level must be a mapping")
    try:
        scenario: Scenario = schema_cls().load(raw)
    except ValidationError as exc:
        problems = sorted(_flatten(exc.messages))
        field, reason = problems[0]
        if len(problems) > 1:
            reason += f" (and {len(problems) - 1} more: " + "; ".join(f"{f}: {r}" for f, r in problems[1:4]) + ")"
        raise ScenarioError(file, field, reason) from None
    if expected_id is not None and scenario.id != expected_id:
        raise ScenarioError(file, "id", f"{scenario.id!r} does not match the file name {expected_id!r}")
    return scenario


def _path(phase: str, scenario_id: str) -> Path:
    if not (phase.isidentifier() and scenario_id.isidentifier()):
        raise ScenarioError(f"{phase}/{scenario_id}", "id", "phase and scenario ids are lower-case identifiers")
    return SCENARIO_ROOT / phase / f"{scenario_id}.yaml"


@lru_cache(maxsize=64)
def load_scenario(phase: str, scenario_id: str) -> Scenario:
    """The validated truth file ``grader/scenarios/<phase>/<scenario_id>.yaml`` (cached; immutable)."""
    path = _path(phase, scenario_id)
    if not path.is_file():
        raise ScenarioError(f"{phase}/{scenario_id}.yaml", "id", f"no scenario {scenario_id!r} for phase {phase!r}")
    scenario = parse_scenario(path.read_text(encoding="utf-8"), phase=phase, file=str(path.relative_to(SCENARIO_ROOT)),
                              expected_id=scenario_id)
    return scenario


def list_scenarios(phase: str) -> list[ScenarioMeta]:
    """Public metadata of every scenario of ``phase``, sorted by id. Raises on a malformed file."""
    folder = SCENARIO_ROOT / phase
    if phase not in SCHEMAS or not folder.is_dir():
        return []
    return [load_scenario(phase, p.stem).meta for p in sorted(folder.glob("*.yaml"))]
