"""The one list of phases. The catalogue, the activity picker, launch routing, the report card, the
instructor view and the worker's handlers all read it; nothing else names a phase.

A phase is a mirrored pair with one name: ``grader.phases.<id>`` (the domain, exposing ``PHASE``, a
``PhaseInfo``) and ``lti_app.phases.<id>`` (the web, exposing ``ADAPTER``). Adding a phase = those two
folders + one line in :data:`PHASE_IDS`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from flask import Blueprint

from grader.phases import PhaseInfo

if TYPE_CHECKING:
    from collections.abc import Sequence

    from grader.scoring import Grade
    from lti_app.lti.context import LaunchContext
    from lti_app.models import Activity, Attempt, Evaluation, Message

# The built phases, in the order the picker offers them.
PHASE_IDS: tuple[str, ...] = (
    "acknowledge",
    "difficult_client",
    "bug_hunt",
    "war_room",
    "code_crucible",
    "imposter",
)


@dataclass(frozen=True)
class NewAttempt:
    """Who an attempt is being started for: a phase may seed its exercise per student and attempt, or look at
    what the learner did before."""

    user_id: int
    number: int  # this attempt's number (1 for the first)
    previous: tuple[dict[str, Any], ...] = ()  # the learner's earlier attempts' states in this activity, oldest first


class PhaseAdapter(Protocol):
    """What every phase's web half provides."""

    blueprint: Blueprint  # its routes, with its own templates/ and static/ folders
    report_template: str | None  # its section of the shared report card, if any

    def new_state(self, activity: Activity, learner: NewAttempt) -> dict[str, Any]:
        """The JSON state a new attempt starts from (every stored activity option honoured)."""
        ...

    def render(self, ctx: LaunchContext, attempt: Attempt) -> Any:
        """The page of an open attempt."""
        ...

    def evaluate(self, attempt: Attempt, evaluation: Evaluation) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
        """(grade, inputs that reproduce it, report-card feedback), from the attempt's recorded data."""
        ...


class CodeTask(Protocol):
    """What a Run or Submit executes: the workbench's ``CodingTask`` or a phase's own exercise. The worker
    calls ``execute`` and stores the student-safe result it returns. Optional: ``kinds``, the kinds of work it
    runs (default ``grader.workbench.SUBMISSION_KINDS``: "run" and "submit"); a task that also runs, say, its
    visible examples alone lists "examples", and the workbench's ``POST /api/a/<launch>/code/examples`` queues it."""

    @property
    def language(self) -> str: ...

    def execute(self, backend: Any, kind: str, source: str, stdin: str = "",
                cancel: Any = None) -> dict[str, Any]: ...


@runtime_checkable
class RunsCode(Protocol):
    """Optional capability: the phase has a coding task its Run and Submit execute in the sandbox.

    The workbench's routes ``POST /api/a/<launch>/code/run|submit`` queue the work (lti_app.workbench.web);
    the worker runs ``code_task(attempt)`` on it. While ``accepts_code`` is False they refuse with the adapter's
    optional ``locked_refusal`` — a (reason code, sentence) pair saying when the code opens. Optional too:
    ``check_code(attempt, data, kind)``, called with the request's JSON before anything is queued, refuses what
    the phase does not take (a language the activity does not offer, say) with a ``Refusal``."""

    def code_task(self, attempt: Attempt) -> CodeTask: ...

    def accepts_code(self, attempt: Attempt) -> bool:
        """Whether Run/Submit are open in this attempt now (e.g. the task has been unlocked); the deadline
        submits the last draft only then."""
        ...


class CommandTask(Protocol):
    """What the terminal's commands run: ``grader.workbench.workspace.ShellTask`` or a phase's own object.

    ``run`` executes one command over the attempt's workspace and returns ``(result, workspace after)``: the
    result is the student-safe dict the terminal shows (at least ``CommandResult.view()``'s keys: kind,
    outcome, output, exit_code, note, truncated, cwd, seconds, limit_seconds) plus anything the phase records
    (e.g. a push to its simulated remote); it is stored on the command's row, so never put truth in it. The
    phase adds its setup/teardown/prelude (``run_command``'s keywords) and may post-process. Optional:
    ``check(backend, workspace) -> dict``, a student-safe verdict on the workspace (the War Room's health
    check), run for ``POST /api/a/<launch>/terminal/check`` and stored on a "check" row; the workspace the
    check leaves behind is discarded."""

    def run(self, backend: Any, workspace: Any, command: str, cancel: Any = None) -> tuple[dict[str, Any], Any]: ...


@runtime_checkable
class RunsCommands(Protocol):
    """Optional capability: the phase has a terminal over a persistent workspace (lti_app.workbench.terminal).

    ``workspace_seed(attempt)`` returns the attempt's first ``Workspace`` (called once, on first use; the
    tree is then stored in the ``workspaces`` table); ``command_task(attempt)`` returns the ``CommandTask``
    the shared execute handler runs each command (and check) with. The routes ``POST
    /api/a/<launch>/terminal/commands``, ``GET …/terminal/log``, ``POST …/terminal/check`` and ``GET/PUT
    /api/a/<launch>/workspace/file`` serve it; the page includes ``workbench/terminal.html``. Optional
    attributes: ``terminal_host`` (the host name in the prompt, default "sandbox") and
    ``editable(attempt, path) -> bool`` (which files the editor may save; default: any text file)."""

    def workspace_seed(self, attempt: Attempt) -> Any: ...

    def command_task(self, attempt: Attempt) -> CommandTask: ...


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


@runtime_checkable
class ExplainsAttempt(Protocol):
    """Optional capability: the phase adds its own section to the instructor's attempt page (the hidden truth
    behind the attempt, e.g. the bug manifest): ``instructor_template`` is included with ``section`` set to
    what ``instructor_section(attempt)`` returns. Instructor pages only; never a student's."""

    instructor_template: str

    def instructor_section(self, attempt: Attempt) -> dict[str, Any]: ...


@runtime_checkable
class FiltersFeedback(Protocol):
    """Optional capability: what a student may see of a grade's stored feedback depends on more than the grade
    (e.g. the answers they missed, withheld while they may still retake the activity). The report card and the
    status API show ``student_feedback(attempt, feedback)`` instead of the stored feedback; instructors see it
    whole."""

    def student_feedback(self, attempt: Attempt, feedback: dict[str, Any]) -> dict[str, Any]: ...


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
    # Options only the web half can honour (e.g. "after": an activity of the same course whose attempt this one
    # builds on — activities are the web's), declared on the adapter as ``web_options``.
    web_options = frozenset(getattr(adapter, "web_options", ()))
    if web_options - info.options:
        info = replace(info, options=info.options | web_options)
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


def offers_pool(phase: Phase | None) -> bool:
    """Whether the phase's scenarios are offered as a pool (several chosen, one picked per attempt, stored
    comma-separated) rather than as one choice: its adapter says so with ``scenario_pool = True``."""
    return phase is not None and bool(getattr(phase.adapter, "scenario_pool", False))


def offers_languages(phase: Phase | None) -> bool:
    """Whether the phase lets the instructor offer several languages (ticked, stored comma-separated) and the
    student choose among them: its adapter says so with ``language_choice = True``."""
    return phase is not None and bool(getattr(phase.adapter, "language_choice", False))


def activity_options(activity: Activity) -> dict[str, Any]:
    """The activity's stored options over its phase's own defaults (``PhaseInfo.defaults``): what an option
    left unset means for this phase. Options without either fall back to the workbench-wide defaults."""
    phase = get_phase(activity.phase)
    defaults = dict(phase.info.defaults) if phase is not None else {}
    return {**defaults, **(activity.options or {})}
