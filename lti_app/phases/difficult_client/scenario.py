"""Which scenario an attempt plays, and the LLM provider the settings choose (offline by default)."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from grader.scenarios import ScenarioError, list_scenarios, load_scenario
from grader.scenarios.models import Scenario

log = logging.getLogger(__name__)
PHASE = "difficult_client"
DEFAULT_SCENARIO = "angry_bakery_owner"


def choose_scenario_id(activity: Any) -> str:
    """The activity's scenario; otherwise the first one of the chosen difficulty; otherwise the default."""
    wanted = (activity.scenario or "").strip()
    if wanted:
        try:
            return load_scenario(PHASE, wanted).id
        except ScenarioError as exc:
            log.warning("activity %s names an unknown scenario (%s); using a default", activity.id, exc)
    difficulty = (activity.options or {}).get("difficulty", "")
    metas = list_scenarios(PHASE)
    same = [m for m in metas if m.difficulty == difficulty]
    if same:
        return same[0].id
    return DEFAULT_SCENARIO if any(m.id == DEFAULT_SCENARIO for m in metas) else metas[0].id


def scenario_of(state: dict[str, Any]) -> Scenario:
    return load_scenario(PHASE, state["scenario_id"])


def provider() -> Any:
    from grader.llm.factory import make_provider

    return make_provider(current_app.config["SETTINGS"])
