"""The Difficult Client's truth files in ``scenarios/``: load one (hidden truth), list them (public)."""

from __future__ import annotations

from pathlib import Path

from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.schema import PHASE_ID, DifficultClientSchema
from grader.scenarios import Catalogue, ScenarioMeta

SCENARIOS: Catalogue[Scenario] = Catalogue(PHASE_ID, Path(__file__).resolve().parent / "scenarios",
                                           DifficultClientSchema)
DEFAULT_SCENARIO = "angry_bakery_owner"


def load_scenario(scenario_id: str) -> Scenario:
    """The whole hidden truth of one scenario (cached). Server-side only: never serialise it to a student."""
    return SCENARIOS.load(scenario_id)


def list_scenarios() -> list[ScenarioMeta]:
    """Public metadata of every scenario, sorted by id: safe for any page."""
    return SCENARIOS.list()


def parse_scenario(text: str, *, file: str, expected_id: str | None = None) -> Scenario:
    """Validate YAML ``text`` (an upload, a test) as a Difficult Client truth file."""
    return SCENARIOS.parse(text, file=file, expected_id=expected_id)


def choose_scenario_id(scenario: str, difficulty: str) -> str:
    """The named scenario if it exists; otherwise the first of the chosen difficulty; otherwise the default.

    Raises nothing for an unknown name (an activity placed before a scenario was removed must still launch).
    """
    ids = SCENARIOS.ids()
    if scenario in ids:
        return scenario
    same = [m.id for m in list_scenarios() if m.difficulty == difficulty]
    if same:
        return same[0]
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO in ids else ids[0]
