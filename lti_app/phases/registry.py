"""Which adapter serves which phase."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from flask import Blueprint

if TYPE_CHECKING:
    from grader.scoring import Grade
    from lti_app.lti.context import LaunchContext
    from lti_app.models import Activity, Attempt, Evaluation, Submission
    from worker.kinds import Outcome


class PhaseAdapter(Protocol):
    phase_id: str
    blueprint: Blueprint | None

    def new_state(self, activity: Activity) -> dict[str, Any]: ...

    def render(self, ctx: LaunchContext, attempt: Attempt) -> Any: ...

    def evaluate(self, attempt: Attempt, evaluation: Evaluation) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
        """(grade, inputs that produced it, narrative feedback)."""
        ...

    def execute(self, submission: Submission) -> Outcome: ...


def _adapters() -> dict[str, PhaseAdapter]:
    from lti_app.phases.acknowledge import AcknowledgeAdapter
    from lti_app.phases.difficult_client import DifficultClientAdapter

    adapters: list[PhaseAdapter] = [AcknowledgeAdapter(), DifficultClientAdapter()]
    return {a.phase_id: a for a in adapters}


_CACHE: dict[str, PhaseAdapter] = {}


def adapter_for(phase_id: str) -> PhaseAdapter | None:
    if not _CACHE:
        _CACHE.update(_adapters())
    return _CACHE.get(phase_id)


def all_adapters() -> list[PhaseAdapter]:
    adapter_for("")
    return list(_CACHE.values())
