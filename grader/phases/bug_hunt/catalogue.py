"""Which programs are served, and which exercise a student gets.

A program is offered in the languages that have verified exercises in the bank for its current files; the
picker sees only those, and a launch asking for anything else (or finding the bank unreadable) gets
``NoExercise`` with a sentence an instructor can act on.
"""

from __future__ import annotations

import hashlib
import logging

from grader.phases.bug_hunt.exercise import Exercise
from grader.phases.bug_hunt.programs import PROGRAM_LANGUAGES, load_program, program_ids
from grader.phases.bug_hunt.store import BankError, accepted
from grader.scenarios import ScenarioError, ScenarioMeta
from grader.workbench.code_task import LANGUAGE_NAMES

log = logging.getLogger(__name__)


class NoExercise(Exception):
    """No verified exercise fits the activity's options; the message is safe to show an instructor."""


def served_languages(program_id: str) -> tuple[str, ...]:
    return tuple(language for language in PROGRAM_LANGUAGES if accepted(program_id, language))


def list_programs() -> list[ScenarioMeta]:
    """Public metadata of every program served in at least one language (languages = those served)."""
    out = []
    for program_id in program_ids():
        languages = served_languages(program_id)
        if languages:
            out.append(load_program(program_id).meta(languages))
    return out


def _hash(seed_key: str) -> int:
    return int.from_bytes(hashlib.sha256(seed_key.encode()).digest()[:8], "big")


def choose_exercise(program_ids_: list[str] | None, language: str, seed_key: str) -> Exercise:
    """The exercise for ``seed_key`` (deterministic): a program from the pool (None or [] = every program served
    in ``language``), then one of its verified seeds."""
    name = LANGUAGE_NAMES.get(language, language)
    if language not in PROGRAM_LANGUAGES:
        raise NoExercise(f"The Bug Hunt has no programs in {name}; choose Python or JavaScript.")
    wanted = sorted(set(program_ids_ or program_ids()))
    pool = []
    for program_id in wanted:
        try:
            load_program(program_id)
        except ScenarioError:
            continue
        try:
            exercises = accepted(program_id, language)
        except BankError as exc:  # the operator's message (with the file's path) goes to the log
            log.error("%s", exc)
            raise NoExercise("The Bug Hunt's bank of exercises needs rebuilding by whoever runs this server.") from exc
        if exercises:
            pool.append(exercises)
    if not pool:
        which = ", ".join(wanted) if program_ids_ else "any program"
        raise NoExercise(f"No verified Bug Hunt exercise is available for {which} in {name}.")
    number = _hash(seed_key)
    exercises = pool[number % len(pool)]
    return exercises[(number // len(pool)) % len(exercises)]
