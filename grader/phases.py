"""The catalogue of activities an instructor can place. Public metadata only — no ground truth."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    summary: str
    available: bool = True


PHASES: tuple[Phase, ...] = (
    Phase("acknowledge", "Orientation (smoke test)", "Read the rotation brief and acknowledge it."),
    Phase("difficult_client", "The Difficult Client", "Interview a client who hides their real constraints."),
    Phase("code_crucible", "The Code Crucible", "Implement the task; hidden tests grade it.", available=False),
    Phase("bug_hunt", "The Bug Hunt", "Find and fix four injected bugs.", available=False),
    Phase("war_room", "The War Room", "Fix a production incident against the clock.", available=False),
    Phase("imposter", "The Imposter", "Find the sabotage commit and resolve it.", available=False),
)


def get_phase(phase_id: str) -> Phase | None:
    return next((p for p in PHASES if p.id == phase_id), None)
