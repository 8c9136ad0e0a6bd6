"""Which tasks are served, which exercise a student gets, and tasks derived from a Difficult Client interview.

A task is offered only while the bank holds a verified entry for its current files. ``choose_exercise`` is
deterministic in its seed key: the activity's pool (or every served task, optionally of one difficulty), then a
task, then a variant. A task derived from a linked Difficult Client attempt keeps the client's own numbers (the
default variant): a variant would contradict what the student heard in the interview.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grader.phases.code_crucible.exercise import Exercise
from grader.phases.code_crucible.scaffolding import DEFAULT_LEVEL, LEVELS, hint_texts, starter
from grader.phases.code_crucible.store import served_ids, served_task
from grader.phases.code_crucible.tasks import LANGUAGES, STUDENT_FILES, Task, TaskTest
from grader.scenarios import ScenarioMeta
from grader.workbench.code_task import LANGUAGE_NAMES


class NoExercise(Exception):
    """No verified task fits the activity's options; the message is safe to show an instructor."""


@dataclass(frozen=True)
class Derived:
    """A task as a student who had the linked interview reads it."""

    statement: str
    stated: tuple[str, ...]  # requirement ids whose sentence is in the statement
    missed: tuple[str, ...]  # requirement ids the student never learned: their tests still run


def derive(task: Task, discovered: Iterable[str] | None, variant: int = 0) -> Derived:
    """The statement includes the sentence of each requirement discovered in the linked interview and omits the
    rest (every hidden test still runs). ``discovered`` None: standalone, every requirement is stated."""
    known = None if discovered is None else frozenset(discovered)
    stated = tuple(rid for rid in task.requirement_ids if known is None or rid in known)
    missed = tuple(rid for rid in task.requirement_ids if rid not in stated)
    return Derived(task.statement(variant, known), stated, missed)


def discovered_requirements(client_state: dict[str, Any]) -> set[str]:
    """The constraints a Difficult Client attempt's state shows as discovered: fully revealed, in the version that
    holds at the end (a constraint that changed during the interview counts once its new version was revealed)."""
    from grader.phases.difficult_client.actor import known_versions

    found = set()
    for cid, entry in ((client_state or {}).get("constraints") or {}).items():
        if not isinstance(entry, dict) or "level" not in entry:
            continue
        original, changed = known_versions(entry)
        if changed if entry.get("version") == "changed" else original:
            found.add(str(cid))
    return found


def served_languages(task_id: str) -> tuple[str, ...]:
    served = served_task(task_id)
    return tuple(served[1].get("languages", ())) if served else ()


def list_tasks() -> list[ScenarioMeta]:
    """Public metadata of every served task (for the picker): title, difficulty, a first sentence, languages."""
    out = []
    for task_id in served_ids():
        served = served_task(task_id)
        if served:
            out.append(served[0].meta(tuple(served[1].get("languages", LANGUAGES))))
    return out


def _hash(seed_key: str) -> int:
    return int.from_bytes(hashlib.sha256(seed_key.encode()).digest()[:8], "big")


def _tests(task: Task, entry: dict[str, Any], variant: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The examples and hidden tests with this variant's expected values (the bank's, beyond the default)."""
    computed = entry["variants"][variant] if variant else {}
    examples = [{"args": list(t.args), "expected": computed["examples"][i] if variant else t.expected}
                for i, t in enumerate(task.examples)]
    hidden = []
    for i, test in enumerate(task.hidden):
        item = test.to_dict()
        if variant:
            item["expected"] = computed["hidden"][i]
        hidden.append(item)
    return examples, hidden


def build_exercise(task: Task, entry: dict[str, Any], language: str, level: str, variant: int = 0,
                   discovered: Iterable[str] | None = None) -> Exercise:
    """The exercise for a verified task (``entry`` is its bank entry). Derived from an interview (``discovered``
    given), nothing of a requirement the student missed reaches the statement, the starter or the hints."""
    if level not in LEVELS:
        raise NoExercise(f"There is no level {level!r}; choose one of {', '.join(LEVELS)}.")
    if not 0 <= variant < len(entry["variants"]):
        raise NoExercise(f"Task {task.id!r} has no verified variant {variant}.")
    derived = derive(task, discovered, variant)
    examples, hidden = _tests(task, entry, variant)
    return Exercise(
        task_id=task.id, language=language, level=level, variant=variant, digest=task.digest, title=task.title,
        difficulty=task.difficulty, statement=derived.statement, function=task.function_name(language),
        signature=task.signature(language), file_name=STUDENT_FILES[language],
        starter=starter(task, language, level, variant, derived.missed), reference=task.reference(language, variant),
        examples=tuple(examples), hidden=tuple(hidden),
        requirements=tuple((rid, task.requirement_sentence(rid, variant)) for rid in task.requirement_ids),
        discovered=None if discovered is None else tuple(sorted(set(discovered) & set(task.requirement_ids))),
        hints=hint_texts(task, language, variant, derived.missed), large=task.large,
        values=tuple(task.values(variant).items()),
        scenario=task.scenario)


def choose_exercise(task_ids: list[str] | None, language: str, difficulty: str | None = None,
                    level: str | None = None, seed_key: str = "", discovered: Iterable[str] | None = None,
                    client_scenario: str | None = None) -> Exercise:
    """The exercise for ``seed_key`` (deterministic).

    ``task_ids``: the activity's task or pool (None or [] = every served task); ``difficulty`` narrows a pool
    when one of its tasks has it.
    ``discovered``/``client_scenario``: the constraints a linked Difficult Client attempt discovered and its
    scenario; tasks tied to that scenario are preferred, get the derived statement and keep the default variant.
    Raises ``NoExercise`` with a sentence an instructor can act on."""
    level = level or DEFAULT_LEVEL
    name = LANGUAGE_NAMES.get(language, language)
    if language not in LANGUAGES:
        raise NoExercise(f"The Code Crucible has no tasks in {name}; choose Python, JavaScript or Java.")
    if level not in LEVELS:
        raise NoExercise(f"There is no level {level!r}; choose one of {', '.join(LEVELS)}.")
    wanted = sorted(set(task_ids or served_ids()))
    pool: list[tuple[Task, dict[str, Any]]] = []
    for task_id in wanted:
        served = served_task(task_id)
        if served and language in served[1].get("languages", ()):
            pool.append(served)
    if difficulty and len(wanted) > 1:  # a pool (or every task): the difficulty picks within it, if it can
        pool = [p for p in pool if p[0].difficulty == difficulty] or pool
    if not pool:
        which = ", ".join(wanted) if task_ids else (f"any {difficulty} task" if difficulty else "any task")
        raise NoExercise(f"No verified Code Crucible task is available for {which} in {name}.")
    linked = discovered is not None and client_scenario is not None
    if linked:
        tied = [p for p in pool if p[0].scenario == client_scenario]
        pool = tied or pool
    number = _hash(seed_key)
    task, entry = pool[number % len(pool)]
    derived_here = linked and task.scenario == client_scenario
    variant = 0 if derived_here else (number // len(pool)) % len(entry["variants"])
    return build_exercise(task, entry, language, level, variant, discovered if derived_here else None)


__all__ = ["Derived", "NoExercise", "TaskTest", "build_exercise", "choose_exercise", "derive",
           "discovered_requirements", "list_tasks", "served_languages"]
