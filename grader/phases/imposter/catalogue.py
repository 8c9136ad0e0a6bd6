"""Which scenarios are served, and which repository a student gets.

A scenario is offered at the difficulties that have verified seeds in the bank for its current files; a launch
asking for anything else gets ``NoScenario`` with a sentence an instructor can act on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from grader.phases.imposter.store import accepted_entries
from grader.phases.imposter.truth import load_scenario, scenario_ids
from grader.phases.options import DIFFICULTIES
from grader.scenarios import ScenarioError, ScenarioMeta

DEFAULT_DIFFICULTY = "medium"


class NoScenario(Exception):
    """No verified repository fits the activity's options; the message is safe to show an instructor."""


@dataclass(frozen=True)
class Choice:
    scenario_id: str
    difficulty: str
    seed: int
    head: str  # what the bank verified: main's head and the sabotage (server-side, like the state)
    sabotage: str


def served_difficulties(scenario_id: str) -> tuple[str, ...]:
    try:
        digest = load_scenario(scenario_id).digest
    except ScenarioError:
        return ()
    return tuple(d for d in DIFFICULTIES if accepted_entries(scenario_id, d, digest))


def list_scenarios() -> list[ScenarioMeta]:
    """Public metadata of every scenario served at some difficulty."""
    return [load_scenario(s).meta for s in scenario_ids() if served_difficulties(s)]


def _hash(seed_key: str) -> int:
    return int.from_bytes(hashlib.sha256(seed_key.encode()).digest()[:8], "big")


def choose_scenario(ids: list[str] | None, difficulty: str | None, seed_key: str) -> Choice:
    """The repository for ``seed_key`` (deterministic): a scenario from the pool (None or [] = every scenario
    served), then one of its verified seeds at ``difficulty`` (default medium)."""
    difficulty = difficulty or DEFAULT_DIFFICULTY
    if difficulty not in DIFFICULTIES:
        raise NoScenario(f"The Imposter has no difficulty {difficulty[:20]!r}; choose easy, medium or hard.")
    wanted = sorted(set(ids or scenario_ids()))
    pool = []
    for scenario_id in wanted:
        try:
            scenario = load_scenario(scenario_id)
        except ScenarioError:
            continue
        entries = accepted_entries(scenario_id, difficulty, scenario.digest)
        if entries:
            pool.append((scenario_id, entries))
    if not pool:
        which = ", ".join(wanted) if ids else "any scenario"
        raise NoScenario(f"No verified Imposter repository is available for {which} at {difficulty} difficulty.")
    number = _hash(seed_key)
    scenario_id, entries = pool[number % len(pool)]
    entry = entries[(number // len(pool)) % len(entries)]
    return Choice(scenario_id, difficulty, entry["seed"], entry["head"], entry["sabotage"])
