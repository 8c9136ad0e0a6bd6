"""Which scenario an attempt plays, at which difficulty, and the LLM provider the settings choose (offline by
default)."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from grader.phases import code_crucible
from grader.phases.difficult_client import Scenario, choose_scenario, load_scenario
from grader.phases.difficult_client.catalogue import SCENARIOS
from grader.phases.options import DIFFICULTIES, languages_of
from lti_app.launches import scenario_pool
from lti_app.phases.registry import NewAttempt, activity_options

log = logging.getLogger(__name__)


def scenario_for_attempt(activity: Any, learner: NewAttempt) -> tuple[Scenario, str | None]:
    """(the scenario, the difficulty to play it at: the activity's, None for the scenario's own).

    One drawn from the activity's pool (every scenario when it names none), seeded per student and attempt, and
    preferring one this student has not played yet in this activity; the difficulty narrows the pool if it can.
    Scenarios whose coding task is served (in the activity's language, where some are) come first."""
    options = activity_options(activity)
    difficulty = str(options.get("difficulty") or "")
    difficulty = difficulty if difficulty in DIFFICULTIES else None
    ids = SCENARIOS.ids()
    named = scenario_pool(activity)
    known = set(ids)
    pool = [s for s in named if s in known]
    if len(pool) < len(named):
        log.warning("activity %s names unknown scenario(s) %s; drawing from the rest", activity.id,
                    sorted(x[:64] for x in set(named) - set(pool)))
    # Whether a scenario's task is served (its files checked against the bank) only for those that can be drawn:
    # an activity naming its scenario(s) does not check every other one (list_scenarios would) on each launch.
    served = _served(pool or ids)
    pool = pool or sorted(served) or ids
    wanted = languages_of(options)
    in_language = [s for s in pool if s in served and (not wanted or set(wanted) & set(served[s]))]
    candidates = in_language or [s for s in pool if s in served] or pool
    played = [str(state.get("scenario_id") or "") for state in learner.previous]
    chosen = choose_scenario(candidates, difficulty, f"{activity.id}:{learner.user_id}:{learner.number}", played)
    return load_scenario(chosen), difficulty


def _served(scenario_ids: list[str]) -> dict[str, tuple[str, ...]]:
    """Scenario id -> the languages its Code Crucible task is served in, for those of ``scenario_ids`` whose task is
    served (as ``list_scenarios`` says of each)."""
    served = {sid: code_crucible.served_languages(load_scenario(sid).task) for sid in scenario_ids}
    return {sid: languages for sid, languages in served.items() if languages}


def scenario_of(state: dict[str, Any]) -> Scenario:
    return load_scenario(state["scenario_id"])


def provider() -> Any:
    from grader.llm.factory import make_provider

    return make_provider(current_app.config["SETTINGS"])
