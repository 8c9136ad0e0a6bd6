"""The pool phase's domain half: three public programs (one served in no language yet) and its own defaults."""

from __future__ import annotations

from grader.phases import PhaseInfo
from grader.scenarios import ScenarioMeta
from grader.scoring import Grade, RubricItem


def list_programs() -> list[ScenarioMeta]:
    return [
        ScenarioMeta("pool", "alpha", "Alpha", "", "easy", "First.", ("python", "javascript")),
        ScenarioMeta("pool", "beta", "Beta", "", "medium", "Second.", ("python",)),
        ScenarioMeta("pool", "gamma", "Gamma", "", "hard", "Not served yet.", ()),
    ]


PHASE = PhaseInfo("pool", "The Pool Phase", "Draws one program from a pool (a test-only phase).",
                  list_scenarios=list_programs,
                  options=frozenset({"scenario", "language", "max_attempts", "submission_policy", "max_submits",
                                     "hints", "seeding"}),
                  defaults={"max_submits": "3", "hints": "3"})


def grade() -> Grade:
    return Grade.from_items([RubricItem("done", 100.0, 100.0, "done")], summary="Pool phase")
