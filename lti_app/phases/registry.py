"""The one list of phases. The catalogue, the activity picker, launch routing, the report card, the
instructor view and the worker's handlers all read it; nothing else names a phase.

A phase is a mirrored pair with one name: ``grader.phases.<id>`` (the domain, exposing ``PHASE``, a
``PhaseInfo``) and ``lti_app.phases.<id>`` (the web, exposing ``ADAPTER``). Adding a phase = those two
folders + one line in :data:`PHASE_IDS`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from flask import Blueprint

from grader.phases import PhaseInfo

if TYPE_CHECKING:
    from collections.abc import Sequence

    from grader.scoring import Grade
    from grader.workbench import CodingTask
    from lti_app.lti.context import LaunchContext
    from lti_app.models import Activity, Attempt, Evaluation, Message

# The built phases, in the order the picker offers them.
PHASE_IDS: tuple[str, ...] = (
    "acknowledge",
    "difficult_client",
)


class PhaseAdapter(Protocol):
    """What every phase's web half provides."""

    blueprint: Blueprint  # its routes, with its own templates/ and static/ folders
    report_template: str | None  # its section of the shared report card, if any

    def new_state(self, activity: Activity) -> dict[str, Any]:
        """The JSON state a new attempt starts from (every stored activity option honoured)."""
        ...

    def render(self, ctx: LaunchContext, attempt: Attempt) -> Any:
        """The page of an open attempt."""
        ...

    def evaluate(self, attempt: Attempt, evaluation: Evaluation) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
        """(grade, inputs that reproduce it, report-card feedback), from the attempt's recorded data."""
        ...


@runtime_checkable
class RunsCode(Protocol):
    """Optional capability: the phase has a coding task its Run and Submit execute in the sandbox."""

    def code_task(self, attempt: Attempt) -> CodingTask: ...

    def accepts_code(self, attempt: Attempt) -> bool:
        """Whether Run/Submit are open in this attempt now (e.g. the task has been unlocked); the deadline
        submits the last draft only then."""
        ...


@dataclass(frozen=True)
class TranscriptLine:
    """One turn of an attempt's record as an instructor reads it (instructor pages only)."""

    speaker: str
    text: str
    note: str = ""  # the phase's judgement of this turn, in words
    judge: str = ""  # who judged it ("Director"), shown before the note
    raw: dict[str, Any] | None = None  # the stored record behind the line, shown behind a disclosure


@runtime_checkable
class NarratesTranscript(Protocol):
    """Optional capability: the instructor's attempt page shows the phase's conversation as sentences — who
    said what, and the hidden judge's verdict in words — with the raw record behind a disclosure. Without
    it the page lists the stored messages as they are."""

    def transcript_lines(self, attempt: Attempt, messages: Sequence[Message]) -> list[TranscriptLine]: ...


@dataclass(frozen=True)
class Phase:
    info: PhaseInfo
    adapter: PhaseAdapter

    @property
    def id(self) -> str:
        return self.info.id


_lock = threading.Lock()
_phases: dict[str, Phase] = {}


def register(domain_module: str, web_module: str) -> Phase:
    """Add a phase from its two halves' modules (the built-in ones are loaded from :data:`PHASE_IDS`;
    tests register their own). Re-registering the same id replaces it."""
    info: PhaseInfo = import_module(domain_module).PHASE
    adapter: PhaseAdapter = import_module(web_module).ADAPTER
    phase = Phase(info, adapter)
    with _lock:
        _phases[info.id] = phase
    return phase


def _load_built_in() -> None:
    with _lock:
        missing = [p for p in PHASE_IDS if p not in _phases]
    for phase_id in missing:
        register(f"grader.phases.{phase_id}", f"lti_app.phases.{phase_id}")


def all_phases() -> list[Phase]:
    """Every registered phase: the built-in ones in :data:`PHASE_IDS` order, then any registered later."""
    _load_built_in()
    with _lock:
        return [_phases[p] for p in PHASE_IDS] + [p for key, p in _phases.items() if key not in PHASE_IDS]


def get_phase(phase_id: str | None) -> Phase | None:
    _load_built_in()
    return _phases.get(phase_id or "")
