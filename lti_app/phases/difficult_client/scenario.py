"""Which scenario an attempt plays, and the LLM provider the settings choose (offline by default)."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from grader.phases.difficult_client import Scenario, choose_scenario_id, load_scenario

log = logging.getLogger(__name__)


def scenario_for_activity(activity: Any) -> Scenario:
    """The activity's scenario; otherwise the first one of its difficulty; otherwise the default."""
    wanted = (activity.scenario or "").strip()
    chosen = choose_scenario_id(wanted, (activity.options or {}).get("difficulty", ""))
    if wanted and chosen != wanted:
        log.warning("activity %s names an unknown scenario %r; playing %r", activity.id, wanted[:64], chosen)
    return load_scenario(chosen)


def scenario_of(state: dict[str, Any]) -> Scenario:
    return load_scenario(state["scenario_id"])


def provider() -> Any:
    from grader.llm.factory import make_provider

    return make_provider(current_app.config["SETTINGS"])
