"""Imposter domain fixtures: the real local sandbox (bubblewrap, from tests/sandbox), attempts started from a
chosen seed (not through the bank, so a test knows what it is dealing with), and a scripted terminal session
that runs commands through the workbench's real terminal and records pushes like the web half will."""

from __future__ import annotations

import pytest

from grader.phases.imposter.catalogue import Choice
from grader.phases.imposter.generator import generated
from grader.phases.imposter.views import start_state
from tests.sandbox.conftest import local_backend  # noqa: F401 - the fixture, reused

SCENARIO, DIFFICULTY, SEED = "catalogue_pages", "medium", 0


def state_for(scenario_id: str = SCENARIO, difficulty: str = DIFFICULTY, seed: int = SEED) -> dict:
    made = generated(scenario_id, difficulty, seed)
    return start_state(Choice(scenario_id, difficulty, seed, made.head, made.truth["sabotage"]))


@pytest.fixture(scope="session")
def state() -> dict:
    return state_for()
