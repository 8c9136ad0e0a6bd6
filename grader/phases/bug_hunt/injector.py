"""The seeded injector: exactly four bugs, one of each type, in four different functions.

The same (program, language, seed) always gives the same exercise: candidates come out of the parsers in
source order and a ``random.Random`` seeded with those three picks among them. Whether the exercise is any
good is decided by running it (``verify.py``); a rejected seed is simply skipped.
"""

from __future__ import annotations

import random

from grader.phases.bug_hunt.edits import BUG_TYPES, Candidate, Edit, apply, line_of, lines_around, moved
from grader.phases.bug_hunt.exercise import Bug, Exercise
from grader.phases.bug_hunt.programs import Program


class InjectionError(Exception):
    """This program and seed cannot host four bugs of four types in four functions."""


def candidates(program: Program, language: str) -> list[Candidate]:
    """The language's candidates, each edit once (two rules may propose the same one)."""
    source, tested = program.source(language), set(program.functions())
    if language == "python":
        from grader.phases.bug_hunt import inject_python as injector
    elif language == "javascript":
        from grader.phases.bug_hunt import inject_js as injector  # type: ignore[no-redef]
    else:
        raise InjectionError(f"no injector for {language}")
    seen: set[tuple[str, Edit]] = set()
    unique = []
    for candidate in injector.candidates(source, tested):
        if (candidate.type, candidate.edit) not in seen:
            seen.add((candidate.type, candidate.edit))
            unique.append(candidate)
    return unique


def pick(found: list[Candidate], rng: random.Random) -> list[Candidate]:
    """One candidate per type, each in a different function (a small backtracking search in seeded order)."""
    by_type: dict[str, dict[str, list[Candidate]]] = {t: {} for t in BUG_TYPES}
    for candidate in found:
        by_type[candidate.type].setdefault(candidate.function, []).append(candidate)
    # The scarcest type first: it has the fewest functions to choose from.
    order = sorted(BUG_TYPES, key=lambda t: (len(by_type[t]), BUG_TYPES.index(t)))

    def search(index: int, used: frozenset[str]) -> list[Candidate] | None:
        if index == len(order):
            return []
        functions = sorted(f for f in by_type[order[index]] if f not in used)
        rng.shuffle(functions)
        for function in functions:
            chosen = rng.choice(by_type[order[index]][function])
            rest = search(index + 1, used | {function})
            if rest is not None:
                return [chosen, *rest]
        return None

    chosen = search(0, frozenset())
    if chosen is None:
        missing = [t for t in BUG_TYPES if not by_type[t]]
        why = f"no candidate for {', '.join(missing)}" if missing else "the types do not fit four different functions"
        raise InjectionError(why)
    return chosen


def _injected(original: str, alone: str, edit: Edit) -> str:
    """The buggy line(s) as the student sees them; nothing when whole lines were removed."""
    whole_lines = (edit.start == 0 or original[edit.start - 1] == "\n") and original[edit.end - 1:edit.end] == "\n"
    if not edit.replacement and whole_lines:
        return ""
    return lines_around(alone, edit.start, edit.start + len(edit.replacement))


def build(program: Program, language: str, seed: int, chosen: list[Candidate]) -> Exercise:
    """The exercise with ``chosen`` applied; lines are those of the buggy source the student gets."""
    original = program.source(language)
    edits = [c.edit for c in chosen]
    buggy = apply(original, edits)
    bugs = []
    for candidate in chosen:
        edit = candidate.edit
        alone = apply(original, [edit])
        bugs.append(Bug(
            type=candidate.type, function=candidate.function,
            line=line_of(buggy, moved(edit.start, edits)),
            original=lines_around(original, edit.start, edit.end),
            injected=_injected(original, alone, edit), description=candidate.description, edit=edit))
    bugs.sort(key=lambda b: (b.line, b.edit.start))
    return Exercise(program.id, language, seed, program.digest(language), program.title, program.summary,
                    program.file_name(language), buggy, program.tests, tuple(bugs))


def inject(program: Program, language: str, seed: int) -> Exercise:
    """The unverified exercise for ``seed`` (deterministic). Raises InjectionError when none fits."""
    rng = random.Random(f"{program.id}:{language}:{seed}")
    return build(program, language, seed, pick(candidates(program, language), rng))
