"""Scenario truth files: versioned schemas, the YAML files shipped in the repo, and the loader.

Public API:

- ``list_scenarios(phase) -> list[ScenarioMeta]`` — public metadata only (``.to_dict()``: phase, id, title,
  persona_name, difficulty, summary). Safe for any page.
- ``load_scenario(phase, scenario_id) -> Scenario`` — the whole hidden truth (persona, constraints,
  coding task with hidden tests). Server-side only; never serialise it to a student.
  ``Scenario.coding_task.public()`` is the student-safe part of the task, ``Scenario.secret_strings()``
  lists what must never leak (for scanning tests).
- ``parse_scenario(text, phase=..., file=...)`` — validate YAML text (an instructor upload, a test).
- ``ScenarioError`` — unknown or malformed scenario; ``str(err)`` is "file: field: reason" and the parts are
  ``err.file``, ``err.field``, ``err.reason``.
"""

from grader.scenarios.loader import ScenarioError, list_scenarios, load_scenario, parse_scenario
from grader.scenarios.models import CodeCase, CodingTask, Constraint, ConstraintChange, Persona, Scenario, ScenarioMeta

__all__ = [
    "CodingTask",
    "Constraint",
    "ConstraintChange",
    "Persona",
    "Scenario",
    "ScenarioError",
    "ScenarioMeta",
    "CodeCase",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
]
