"""The injector: deterministic per seed, exactly one bug of each type in four different functions, and the
bugs look like a person's: only the edited spots differ, no comment is added, the formatting is the author's."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

import pytest

from grader.phases.bug_hunt import BUG_TYPES
from grader.phases.bug_hunt.edits import Edit, apply, line_of, lines_around, moved
from grader.phases.bug_hunt.inject_python import candidates as python_candidates
from grader.phases.bug_hunt.injector import InjectionError, inject
from grader.phases.bug_hunt.programs import load_program, program_ids
from grader.phases.bug_hunt.store import accepted

SEEDS = range(6)
PY_PROGRAMS = program_ids()
JS_PROGRAMS = [p for p in program_ids() if "javascript" in load_program(p).languages]


def _exercises(program_id: str, language: str):
    program = load_program(program_id)
    out = []
    for seed in SEEDS:
        try:
            out.append(inject(program, language, seed))
        except InjectionError:
            continue
    assert out, f"{program_id}/{language}: the injector found no exercise in {len(SEEDS)} seeds"
    return program, out


def _check_shape(program, exercises, language):
    original = program.source(language)
    for exercise in exercises:
        bugs = exercise.bugs
        assert sorted(b.type for b in bugs) == sorted(BUG_TYPES)
        assert len({b.function for b in bugs}) == 4, [b.function for b in bugs]
        assert [b.line for b in bugs] == sorted(b.line for b in bugs)
        # The buggy source is the original with exactly these four edits.
        assert exercise.source == apply(original, [b.edit for b in bugs])
        for bug in bugs:
            assert exercise.source.splitlines()[bug.line - 1] is not None
            assert bug.original and bug.original in original


COMMENT = {"python": "#", "javascript": "//"}


def _check_human(program, exercises, language):
    original = program.source(language)
    marker = COMMENT[language]
    for exercise in exercises:
        buggy = exercise.source
        edits = [b.edit for b in exercise.bugs]
        # No comment is added (a removed guard may take its own comment with it).
        assert buggy.count(marker) <= original.count(marker)
        assert all(marker not in e.replacement for e in edits)
        # Formatting preserved: every changed line is one of the four bugs' lines, and the changes are small.
        for bug in exercise.bugs:
            assert line_of(buggy, moved(bug.edit.start, edits)) == bug.line
        changed = [line[2:] for line in difflib.ndiff(original.splitlines(), buggy.splitlines())
                   if line.startswith("+ ")]
        buggy_lines = buggy.splitlines()
        assert all(any(buggy_lines[b.line - 1] == line for b in exercise.bugs) for line in changed), changed
        for bug in exercise.bugs:
            replacement = bug.edit.replacement
            assert len(replacement) <= 80 and "\n" not in replacement and "  " not in replacement
            if bug.injected:  # the edited line keeps its indentation and has no trailing spaces
                indent = re.match(r"\s*", bug.original).group(0)
                assert bug.injected.startswith(indent) and bug.injected == bug.injected.rstrip()


@pytest.mark.parametrize("program_id", PY_PROGRAMS)
def test_python_exercises_have_one_bug_of_each_type_in_four_functions(program_id):
    program, exercises = _exercises(program_id, "python")
    _check_shape(program, exercises, "python")
    _check_human(program, exercises, "python")


@pytest.mark.parametrize("program_id", JS_PROGRAMS)
def test_javascript_exercises_have_one_bug_of_each_type_in_four_functions(acorn, program_id):
    program, exercises = _exercises(program_id, "javascript")
    _check_shape(program, exercises, "javascript")
    _check_human(program, exercises, "javascript")


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_the_same_seed_gives_the_same_exercise_and_seeds_differ(request, language):
    if language == "javascript":
        request.getfixturevalue("acorn")
    program = load_program("invoice_total")
    first = [inject(program, language, seed) for seed in SEEDS]
    again = [inject(program, language, seed) for seed in SEEDS]
    assert first == again
    assert len({e.source for e in first}) >= len(SEEDS) - 1  # different seeds, different bugs


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_bank_entries_are_what_the_injector_makes_for_their_seed(request, language):
    """A bank entry cannot be edited by hand: it must be the injector's output for its seed (plus targets)."""
    if language == "javascript":
        request.getfixturevalue("acorn")
    checked = 0
    for program_id in program_ids():
        program = load_program(program_id)
        if language not in program.languages:
            continue
        for stored in accepted(program_id, language):
            fresh = inject(program, language, stored.seed)
            assert fresh == replace(stored, bugs=tuple(replace(b, targets=()) for b in stored.bugs))
            checked += 1
    assert checked, "no bank entries to compare"


def test_semantic_bugs_avoid_helpers_that_other_functions_call():
    source = (
        "def helper(x):\n"
        "    if not x:\n"
        "        return 0\n"
        "    return x[0] + 1\n"
        "\n"
        "def caller(x):\n"
        "    return helper(x) + 2\n"
    )
    found = python_candidates(source, {"helper", "caller"})
    assert {c.type for c in found if c.function == "helper"} == {"syntax"}
    assert any(c.type == "logic" for c in found if c.function == "caller")


def test_untested_functions_get_only_syntax_bugs():
    source = "def alone(items):\n    if not items:\n        return 0\n    return len(items) - 1\n"
    assert {c.type for c in python_candidates(source, set())} == {"syntax"}
    assert "runtime" in {c.type for c in python_candidates(source, {"alone"})}


def test_python_candidates_are_the_mistakes_people_make():
    source = (
        "def f(items, table, key):\n"
        "    \"\"\"Docstring with < and + and str(x) in it.\"\"\"\n"
        "    if not items:\n"
        "        return 0\n"
        "    total = 0\n"
        "    for i in range(len(items)):\n"
        "        total += items[i]\n"
        "    label = 'n=' + str(total)\n"
        "    rate = table.get(key, 1)\n"
        "    return [label, total / len(items) * rate, f'{total + 1}']\n"
    )
    found = python_candidates(source, {"f"})
    edited = {(c.type, apply(source, [c.edit]).splitlines()[line_of(source, c.edit.start) - 1].strip())
              for c in found}
    assert ("syntax", "def f(items, table, key)") in edited
    assert ("syntax", "if not items") in edited
    assert ("logic", "total -= items[i]") in edited
    assert ("runtime", "for i in range(len(items) + 1):") in edited
    assert ("type", "for i in range(items):") in edited
    assert ("type", "label = 'n=' + total") in edited
    assert ("runtime", "rate = table[key]") in edited
    assert any(t == "runtime" and c.edit.replacement == "" and "if not items" in source[c.edit.start:c.edit.end]
               for t, c in ((c.type, c) for c in found))
    # Nothing inside the docstring or the f-string, and no string concatenation turned into subtraction.
    docstring = source.index('"""'), source.index('"""', 10) + 3
    fstring = source.index("f'{"), source.index("}'") + 2
    for c in found:
        assert not docstring[0] <= c.edit.start < docstring[1]
        assert not fstring[0] <= c.edit.start < fstring[1]
    assert ("logic", "label = 'n=' - str(total)") not in edited


def test_edits_splice_text_and_track_lines():
    text = "a\nbb\nccc\n"
    edits = [Edit(0, 2, ""), Edit(5, 6, "C")]
    assert apply(text, edits) == "bb\nCcc\n"
    assert moved(5, edits) == 3 and line_of(apply(text, edits), moved(5, edits)) == 2
    assert lines_around(text, 3, 4) == "bb"
    with pytest.raises(ValueError):
        apply(text, [Edit(0, 3, ""), Edit(2, 4, "")])


def test_javascript_candidates_are_the_mistakes_people_make(acorn):
    from grader.phases.bug_hunt.inject_js import candidates as js_candidates

    source = (
        "function f(items, groups, key, text) {\n"
        "  // nothing to do for an empty list\n"
        "  if (items.length === 0) {\n"
        "    return 0;\n"
        "  }\n"
        "  if (!(key in groups)) {\n"
        "    groups[key] = [];\n"
        "  }\n"
        "  (groups[key] || []).push(1);\n"
        "  const price = Number(text);\n"
        "  const count = parseInt(text, 10);\n"
        "  let total = 0;\n"
        "  for (let i = 0; i < items.length; i++) {\n"
        "    total += items[i].price * price;\n"
        "  }\n"
        "  const label = 'n=' + String(total);\n"
        "  return [label, items[0]?.name, count, items.length];\n"
        "}\n"
        "module.exports = { f };\n"
    )
    found = js_candidates(source, {"f"})

    def line_after(c):
        return apply(source, [c.edit]).splitlines()[line_of(source, c.edit.start) - 1].strip()

    edited = {(c.type, line_after(c)) for c in found}
    assert ("runtime", "for (let i = 0; i <= items.length; i++) {") in edited
    assert ("logic", "total -= items[i].price * price;") in edited
    assert ("runtime", "groups[key].push(1);") in edited
    assert ("type", "const count = text;") in edited
    assert ("type", "return [label, items[0]?.name, count, items];") in edited
    assert ("runtime", "return [label, items[0].name, count, items.length];") in edited
    assert ("syntax", "if items.length === 0) {") in edited
    # Number(text) is only multiplied (JavaScript converts it anyway), String(total) only concatenated: no bug.
    assert ("type", "const price = text;") not in edited
    assert ("type", "const label = 'n=' + total;") not in edited
    removed = [source[c.edit.start:c.edit.end] for c in found if c.type == "runtime" and not c.edit.replacement]
    # The first check goes with its comment; the second initialises groups[key].
    assert "  // nothing to do for an empty list\n  if (items.length === 0) {\n    return 0;\n  }\n" in removed
    assert "  if (!(key in groups)) {\n    groups[key] = [];\n  }\n" in removed
