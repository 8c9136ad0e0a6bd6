"""The bank of verified exercises, ``bank.json``: its format, and reading it (``python -m
grader.phases.bug_hunt.bank`` writes it).

Per program and language (a group) the bank keeps the digest of the files its exercises were made from, how
many seeds were tried, why each rejected seed failed, and for each accepted seed only what takes node or the
sandbox to find again: every bug's edit of the original source with its manifest (line, type, function,
description, original and injected text) and the tests it alone makes fail. The rest of an exercise (the
buggy source, the tests, the title) is rebuilt at load from the program's files.

An entry is served only while its group's digest matches the program's current files and each edit still
fits them: its ``original`` text is what the program has at that span, and splicing the four edits in gives
the lines and injected text recorded. An entry that does not fit is refused, never served wrong.

The file is compact JSON with sorted keys, laid out one accepted exercise per line, so that a changed program
changes only its own group's lines.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.phases.bug_hunt.edits import Candidate, lines_around
from grader.phases.bug_hunt.exercise import Bug, Exercise
from grader.phases.bug_hunt.injector import build
from grader.phases.bug_hunt.programs import Program, load_program
from grader.scenarios import ScenarioError
from grader.workbench.verified_bank import read_json_cached

log = logging.getLogger(__name__)

BANK_PATH = Path(__file__).resolve().parent / "bank.json"
BANK_VERSION = 2
BANK_COMMAND = "python -m grader.phases.bug_hunt.bank"
K = 4  # accepted exercises per program and language
REASON_CHARS = 200  # a rejected seed's reason, as the bank keeps it


class BankError(Exception):
    """The bank file cannot be used (another format, not JSON); the message names the file and the command to
    rerun, ``problem`` says what is wrong without them."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}; rerun `{BANK_COMMAND}`")
        self.path, self.problem = path, problem


class StaleEntry(Exception):
    """An accepted exercise whose edits no longer fit the program's current files."""


def read_bank(path: Path = BANK_PATH) -> dict[str, Any]:
    """The bank file (re-read when it changes); an empty bank when there is none. Raises ``BankError`` for a
    file in another format."""
    try:
        data = read_json_cached(path)
    except ValueError as exc:
        raise BankError(path, f"not a bank file ({exc})") from None
    if data is None:
        return {"version": BANK_VERSION, "k": K, "groups": {}}
    if data.get("version") != BANK_VERSION or not isinstance(data.get("groups"), dict):
        raise BankError(path, f"format version {data.get('version')}, this code reads version {BANK_VERSION}")
    return data


def group_key(program_id: str, language: str) -> str:
    return f"{program_id}:{language}"


# -- one accepted exercise, as stored -----------------------------------------------------------------------
def entry_of(exercise: Exercise) -> dict[str, Any]:
    """What the bank keeps of a verified exercise: its seed and its bugs (each with edit, manifest, targets)."""
    return {"seed": exercise.seed, "bugs": [bug.to_dict() for bug in exercise.bugs]}


def rebuild(program: Program, language: str, entry: dict[str, Any]) -> Exercise:
    """The exercise ``entry`` stands for: the program's current files with the entry's edits spliced in.
    Raises StaleEntry when an edit no longer fits those files."""
    try:
        seed = int(entry["seed"])
        bugs = tuple(Bug.from_dict(b) for b in entry["bugs"])
    except (KeyError, TypeError, ValueError) as exc:
        raise StaleEntry(f"seed {entry.get('seed') if isinstance(entry, dict) else '?'}: malformed entry "
                         f"({type(exc).__name__}: {exc})") from None
    source = program.source(language)
    for bug in bugs:
        edit = bug.edit
        if not 0 <= edit.start <= edit.end <= len(source) or lines_around(source, edit.start, edit.end) != bug.original:
            raise StaleEntry(f"seed {seed}: the {bug.type} bug's edit at {edit.start}-{edit.end} no longer matches "
                             f"the program's text {bug.original!r}")
    try:
        fresh = build(program, language, seed, [Candidate(b.type, b.function, b.edit, b.description) for b in bugs])
    except ValueError as exc:  # overlapping edits
        raise StaleEntry(f"seed {seed}: {exc}") from None
    if fresh.bugs != tuple(replace(b, targets=()) for b in bugs):
        raise StaleEntry(f"seed {seed}: the bugs' lines or injected text are not what the edits give")
    return replace(fresh, bugs=bugs)


def group_exercises(program: Program, language: str, group: dict[str, Any] | None) -> list[Exercise]:
    """A group's exercises that fit the program's current files, by seed (none when the digest differs)."""
    if not group or group.get("digest") != program.digest(language):
        return []
    exercises = []
    for entry in group.get("accepted", ()):
        try:
            exercises.append(rebuild(program, language, entry))
        except StaleEntry as exc:
            log.warning("bug hunt bank, %s: refused %s", group_key(program.id, language), exc)
    return sorted(exercises, key=lambda e: e.seed)


def accepted(program_id: str, language: str, path: Path = BANK_PATH) -> list[Exercise]:
    """The verified exercises of a program in a language that fit its current files, by seed."""
    try:
        program = load_program(program_id)
    except ScenarioError:
        return []
    if language not in program.languages:
        return []
    return group_exercises(program, language, read_bank(path)["groups"].get(group_key(program_id, language)))


# -- the file -----------------------------------------------------------------------------------------------
def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def dumps_bank(groups: dict[str, dict[str, Any]], k: int) -> str:
    """The bank as one JSON document with sorted keys, laid out for diffs: a line opening each group, a line
    per accepted exercise, and a line closing the group with its digest, rejected seeds and seeds tried."""
    lines = ['{"groups":{']
    keys = sorted(groups)
    for index, key in enumerate(keys):
        group = groups[key]
        entries = group["accepted"]
        rest = {name: value for name, value in group.items() if name != "accepted"}
        assert rest and min(rest) > "accepted", "the accepted exercises come first among a group's sorted keys"
        lines.append(_compact(key) + ':{"accepted":[')
        lines += [_compact(entry) + ("," if n < len(entries) - 1 else "") for n, entry in enumerate(entries)]
        lines.append("]," + _compact(rest)[1:] + ("," if index < len(keys) - 1 else ""))
    lines.append("}," + _compact({"k": k, "version": BANK_VERSION})[1:])
    return "\n".join(lines) + "\n"


def write_bank(groups: dict[str, dict[str, Any]], k: int, path: Path = BANK_PATH) -> None:
    path.write_text(dumps_bank(groups, k), encoding="utf-8")
