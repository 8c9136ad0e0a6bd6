"""The Difficult Client's truth files in ``scenarios/``: load one (hidden truth), list them (public)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.schema import PHASE_ID, DifficultClientSchema
from grader.scenarios import Catalogue, ScenarioMeta

SCENARIOS: Catalogue[Scenario] = Catalogue(PHASE_ID, Path(__file__).resolve().parent / "scenarios",
                                           DifficultClientSchema)


def load_scenario(scenario_id: str) -> Scenario:
    """The whole hidden truth of one scenario (cached). Server-side only: never serialise it to a student."""
    return SCENARIOS.load(scenario_id)


def list_scenarios() -> list[ScenarioMeta]:
    """Public metadata of every scenario, sorted by id: safe for any page. Its ``languages`` are those its Code
    Crucible task is verified in (none while the task is not served: the picker then offers it in no language)."""
    from grader.phases.code_crucible import served_languages  # the Crucible's tasks load these scenarios too

    return [replace(meta, languages=served_languages(SCENARIOS.load(meta.id).task)) for meta in SCENARIOS.list()]


def parse_scenario(text: str, *, file: str, expected_id: str | None = None) -> Scenario:
    """Validate YAML ``text`` (an upload, a test) as a Difficult Client truth file."""
    return SCENARIOS.parse(text, file=file, expected_id=expected_id)


def choose_scenario(pool: Sequence[str] | None, difficulty: str | None, seed_key: str,
                    played: Iterable[str] = ()) -> str:
    """The scenario a new attempt plays (deterministic for the same arguments).

    ``pool``: the activity's scenario ids (None or [] = every scenario; unknown ids are skipped, and a pool with
    none left is every scenario, so an activity placed before a scenario was removed still launches).
    ``difficulty`` narrows a pool of several to its scenarios of that difficulty, when it has any. ``played``:
    the scenarios of the learner's earlier attempts in this activity, oldest first; the draw prefers those played
    least, and not the one just played, so a retake starts from a client whose answers are not yet known.
    """
    ids = SCENARIOS.ids()
    wanted = sorted({s for s in (pool or ()) if s in ids}) or ids
    if difficulty and len(wanted) > 1:
        wanted = [s for s in wanted if load_scenario(s).meta.difficulty == difficulty] or wanted
    history = [s for s in played if s in wanted]
    plays = Counter(history)
    fewest = min(plays[s] for s in wanted)
    fresh = [s for s in wanted if plays[s] == fewest]
    if len(fresh) > 1 and history and history[-1] in fresh:
        fresh.remove(history[-1])
    number = int.from_bytes(hashlib.sha256(seed_key.encode()).digest()[:8], "big")
    return fresh[number % len(fresh)]
