"""A requirement the student missed in the Difficult Client interview stays unsaid during the Crucible: "a constraint
missed in the interview shows up as a hidden test the student had no way to anticipate". For every tied task and every
requirement, an exercise derived with that requirement missed exposes nothing of it — not its sentence, not the TODO
text of a region that implements it (the hint it would have been), not the words that only that region's code or
that sentence use — in the page's view at every level, in the hints ``take_hint`` gives, in the starters, or in any
``Exercise.execute`` result. The check itself is tested: the bug put back (withheld regions shown again) and planted
leaks make it fail."""

from __future__ import annotations

import ast
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from grader.phases.code_crucible import NoHintLeft, start_state, student_view, take_hint
from grader.phases.code_crucible.codetext import blank_code
from grader.phases.code_crucible.efficiency import BANDS, TIME_BANDS
from grader.phases.code_crucible.exercise import Exercise
from grader.phases.code_crucible.scaffolding import LEVELS, RULES, STUB, intern_starter, starter
from grader.phases.code_crucible.scoring import TAG_TIPS
from grader.phases.code_crucible.tasks import LANGUAGES, PARAM_MARK, Region, Task, load_task, regions, task_ids
from grader.scenarios import ScenarioError
from tests.phases.code_crucible.conftest import exercise

TIED = [t for t in task_ids() if load_task(t).requirement_ids]
CASES = [(t, rid) for t in TIED for rid in load_task(t).requirement_ids]
STEM = 7  # words compare by their first letters: "alphabetically" and "alphabetical" are one word
STOP = {  # language keywords and glue words: never evidence of a requirement on their own
    "this", "that", "with", "from", "into", "then", "than", "when", "each", "none", "null", "true", "false",
    "return", "const", "final", "static", "long", "void", "public", "private", "class", "function", "self",
    "list", "string", "integer", "object", "else", "elif", "while", "lambda", "import", "java", "util", "throw",
    "raise", "boolean", "double", "number", "some", "only", "more", "also", "what", "which", "their", "there",
    "they", "them", "have", "will", "your", "todo", "other", "order", "item", "items", "name", "undefined", "strict",
    "module", "exports", "length", "size", "get", "put", "add", "filter", "math", "stream", "entry", "entries",
    "value", "values", "keys", "key", "equals", "contains", "new", "let", "for", "the", "and", "not", "any", "all",
    "isempty", "empty", "must", "still", "once", "every", "after", "before", "both", "does", "never", "param",
    "returns", "just",
}
# What every student reads whatever the task: the levels' rules, the edge-case tips, the stubs and stock TODO lines.
TEMPLATES = " ".join([*(r.sentence() for r in RULES.values()), *TAG_TIPS, *TAG_TIPS.values(), *STUB.values(),
                      "TODO: write this function write this method (see the statement) hidden test requirement",
                      "a rule of the client's fails; did the interview cover all of them?",
                      *BANDS.values(), *TIME_BANDS.values(), "passed failed wrong_answer error timed_out not_run"])


def stems(text: str, numbers: bool = False) -> set[str]:
    """The words of ``text``, identifiers split (camelCase, snake_case), lower-case, without a plural "s", cut to
    their first letters; with ``numbers``, the numbers of two digits or more too."""
    out: set[str] = set()
    for raw in re.findall(r"[A-Za-z0-9]+", text):
        for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", raw):
            if part.isdigit():
                if numbers and len(part) >= 2:
                    out.add(part)
                continue
            word = part.lower()[:STEM]
            word = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
            if len(word) >= 4 and part.lower() not in STOP and word not in STOP:
                out.add(word)
    return out


def strings(value: object) -> list[str]:
    """Every string in a JSON-like payload (keys, counts and flags are the page's own, the same for every task)."""
    if isinstance(value, str):
        return [] if re.fullmatch(r"hidden test \d+", value) else [value]  # every test's name: its number
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    return []


def _visible_code(source: str, language: str, found: list[Region]) -> str:
    """The reference's code outside every marked region: no comments, docstrings or imports (what a starter may
    show anyway, so words in it are the program's own, not a requirement's)."""
    lines = source.split("\n")
    inside = {n for r in found for n in range(r.open_line, r.close_line + 1)}
    if language == "python":
        tree = ast.parse(source)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(getattr(body[0], "value", None), ast.Constant):
                inside |= set(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
        kept = [re.sub(r"\s#.*$", "", line) for n, line in enumerate(lines, 1) if n not in inside]
    else:
        blanked = blank_code(source, language).split("\n")
        kept = [blanked[n - 1] for n in range(1, len(lines) + 1) if n not in inside]
    return "\n".join(line for line in kept if not re.match(r"\s*(import|from)\s", line) and line.strip())


@dataclass
class Secrets:
    """What a student who missed ``requirement`` must not meet: texts (whole) and words."""

    requirement: str
    texts: list[str]  # the sentence, its longer clauses, the TODO text of each region tied to it
    words: set[str]  # words only the sentence or those regions use (stems), and the param values they set

    def found_in(self, payload: object, extra_public: str = "", numbers: bool = True) -> list[str]:
        """What of the secrets ``payload`` holds. ``extra_public``: text the student may have anyway (their own
        code); ``numbers`` False for run results, whose line numbers and counts are the student's code's."""
        text = "\n".join(strings(payload))
        hits = [f"text {t!r}" for t in self.texts if t.lower() in text.lower()]
        words = self.words - stems(extra_public, numbers=True)
        hits += [f"word {w!r}" for w in sorted(words & stems(text, numbers=numbers))]
        return hits


def public_text(ex: Exercise) -> str:
    """What the student may read about this exercise whatever they missed: the derived statement, the signature,
    the examples and the hidden tests the level shows, and the stock texts of every page."""
    shown = [ex.shown_call(t["args"]) + " " + json.dumps(t["expected"], ensure_ascii=False)
             for i, t in enumerate(ex.hidden) if ex.hidden_shown(i)]
    examples = [ex.shown_call(e["args"]) + " " + json.dumps(e["expected"], ensure_ascii=False) for e in ex.examples]
    return "\n".join([ex.title, ex.statement, ex.signature, ex.function, ex.file_name, TEMPLATES, *examples, *shown])


def secrets(task: Task, ex: Exercise, requirement: str) -> Secrets:
    """The secrets of ``requirement`` for exercise ``ex`` (its language and variant), against what ``ex`` shows:
    - texts: the sentence, its longer clauses and the TODO text of every region tied to it;
    - words of the sentence (and of the requirement's id) that nothing public uses (the statement the student got,
      the examples, the page);
    - words of those regions (TODO text and code) that neither anything public nor the program's visible code nor
      the other regions' TODO texts use;
    - the values of the params those regions set (a constant left outside would carry them)."""
    public = stems(public_text(ex), numbers=True)
    sentence = dict(ex.requirements)[requirement]
    texts = [sentence, *(c.strip() for c in re.split(r"[.;:()]|, ", sentence) if len(c.strip()) >= 25)]
    words = stems(f"{sentence} {requirement}") - public
    source = task.reference(ex.language, ex.variant)
    found = regions(source, ex.language)
    shown_todos = " ".join(task.text(r.todo, ex.variant) for r in found if requirement not in r.requirements)
    baseline = stems(_visible_code(source, ex.language, found) + "\n" + shown_todos, numbers=True) | public
    lines = source.split("\n")
    for region in found:
        if requirement not in region.requirements:
            continue
        texts.append(task.text(region.todo, ex.variant))
        body = lines[(region.neutral_line or region.open_line):region.close_line - 1]
        code = "\n".join(m.group("code") if (m := PARAM_MARK.match(line)) else line for line in body)
        words |= (stems(region.todo) | stems(code)) - baseline
        values = [str(dict(ex.values)[m.group("name")]) for line in body if (m := PARAM_MARK.match(line))]
        words |= stems(" ".join(values), numbers=True) - public
    assert texts and words, f"{task.id}: nothing to look for about {requirement}"
    return Secrets(requirement, texts, words)


def _missed_exercise(task_id: str, language: str, level: str, missed: set[str]) -> Exercise:
    task = load_task(task_id)
    return exercise(task_id, language, level, discovered=set(task.requirement_ids) - missed)


def _hints_taken(ex: Exercise) -> tuple[list[dict], list[str]]:
    """Every hint the student can take, and the refusal after the last one."""
    state, taken, refusals = start_state(ex), [], []
    for _ in range(len(ex.hints) + 2):
        try:
            state, hint = take_hint(state, f"2026-01-01T00:00:{len(taken):02d}", failed_runs=99)
        except NoHintLeft as refusal:
            refusals.append(str(refusal))
            break
        taken.append(hint)
    return taken + [student_view(state, failed_runs=99)], refusals


def leaks_of(task_id: str, language: str, missed: set[str]) -> list[str]:
    """Everything a student who missed ``missed`` meets at every level, searched for each missed requirement."""
    task = load_task(task_id)
    problems = []
    for level in LEVELS:
        ex = _missed_exercise(task_id, language, level, missed)
        payloads = {"view": student_view(start_state(ex), failed_runs=99), "starter": ex.starter,
                    "hints": list(ex.hints)}
        payloads["hints taken"], payloads["refusals"] = _hints_taken(ex)
        for requirement in sorted(missed):
            found = secrets(task, ex, requirement)
            for name, payload in payloads.items():
                problems += [f"{level} {name}: {hit}" for hit in found.found_in(payload)]
    return problems


@pytest.mark.parametrize(("task_id", "requirement"), CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missed_requirement_reaches_no_view_hint_or_starter(task_id, requirement, language):
    leaks = leaks_of(task_id, language, {requirement})
    assert not leaks, f"{task_id} ({language}), {requirement} missed: " + "; ".join(leaks[:8])


@pytest.mark.parametrize("task_id", TIED)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_requirement_missed_at_once_reaches_nothing_either(task_id, language):
    task = load_task(task_id)
    leaks = leaks_of(task_id, language, set(task.requirement_ids))
    assert not leaks, f"{task_id} ({language}), all missed: " + "; ".join(leaks[:8])


@pytest.mark.parametrize(("task_id", "requirement"), CASES)
def test_a_missed_requirements_hints_are_never_offered_and_not_counted(task_id, requirement):
    task = load_task(task_id)
    for language in LANGUAGES:
        found = regions(task.reference(language), language)
        kept = [task.text(r.todo) for r in found if requirement not in r.requirements]
        for level in ("junior", "mid"):
            ex = _missed_exercise(task_id, language, level, {requirement})
            assert list(ex.hints) == kept
            view = student_view(start_state(ex), failed_runs=99)
            allowed = len(kept) if level == "junior" else min(len(kept), RULES["mid"].max_hints or len(kept))
            assert view["hints_left"] == allowed
            taken, refusals = _hints_taken(ex)
            assert [h["text"] for h in taken[:-1]] == kept[:allowed] and refusals
        intern = student_view(start_state(_missed_exercise(task_id, language, "intern", {requirement})))
        assert [h["text"] for h in intern["hints"]] == kept and intern["hints_left"] == 0
        standalone = exercise(task_id, language, "mid")
        assert len(standalone.hints) == len(found)  # standalone, every region is a hint


@pytest.mark.parametrize(("task_id", "requirement"), CASES)
def test_a_missed_requirements_tests_are_plain_hidden_tests_tagged_requirement(task_id, requirement):
    for level in ("intern", "junior"):
        ex = _missed_exercise(task_id, "python", level, {requirement})
        listed = {t["number"]: t for t in student_view(start_state(ex))["hidden_tests"]}
        for index, test in enumerate(ex.hidden):
            item = listed[index + 1]
            assert item["name"] == f"hidden test {index + 1}"
            if test.get("requirement") == requirement:
                assert item["tag"] == "requirement" and "call" not in item and "expected" not in item
            else:
                assert item["tag"] == test["tag"]
    standalone = exercise(task_id, "python", "junior")
    tags = [t["tag"] for t in student_view(start_state(standalone))["hidden_tests"]]
    assert tags == [t["tag"] for t in standalone.hidden]  # nothing missed: the real edge-case tags


# -- Run examples and Submit -------------------------------------------------------------------------------------

def partial_solution(task: Task, language: str, missed: set[str]) -> str:
    """What a student who missed ``missed`` could write at best: the reference without those regions (a neutral
    TODO and a stub where one is needed), markers stripped."""
    from grader.phases.code_crucible.scaffolding import _render_regions, strip_markers, strip_param_marks

    return strip_markers(strip_param_marks(_render_regions(task.reference(language), language, missed, True)))


def _run_checked(backend, task_id: str, language: str, missed: set[str], kinds: tuple[str, ...],
                 partial: bool = True) -> list[str]:
    """Leaks in the results of running ``kinds`` at Intern (which shows the most of a run) on what a student who
    missed ``missed`` could write (``partial``) or on their starter as it is."""
    task = load_task(task_id)
    ex = _missed_exercise(task_id, language, "intern", missed)
    source = partial_solution(task, language, missed) if partial else ex.starter
    problems = []
    for kind in kinds:
        result = ex.execute(backend, kind, source)
        if kind == "submit":
            assert result["hidden"]["passed"] < result["hidden"]["total"], "the missed requirement is tested"
            assert "requirement" in result["tags_failed"]
        for requirement in sorted(missed):
            # the student's own code (and what tools say about it) may use any word: it is theirs
            problems += [f"{kind}: {hit}" for hit in secrets(task, ex, requirement).found_in(result, source, False)]
        hidden = [c for c in result["report"]["cases"] if c.get("group") == "hidden"]
        for case in hidden:
            test = ex.hidden[case["number"] - 1]
            if test.get("requirement") in missed:
                assert case["tag"] == "requirement" and case["hidden"] and "args" not in case, case
    return problems


@pytest.mark.usefixtures("linters")
@pytest.mark.parametrize(("task_id", "requirement"), CASES)
def test_runs_and_submits_say_nothing_of_a_missed_requirement(local_backend, task_id, requirement):
    leaks = _run_checked(local_backend, task_id, "python", {requirement}, ("examples", "submit"))
    assert not leaks, f"{task_id}, {requirement} missed: " + "; ".join(leaks[:8])


@pytest.mark.usefixtures("linters")
@pytest.mark.parametrize("language", ["javascript", "java"])
def test_submits_in_every_language_say_nothing_when_everything_was_missed(local_backend, language):
    """JavaScript: every tied task; Java (five compiles per Submit): one task per client scenario, on its starter
    (no efficiency runs), to keep the test short."""
    tasks = TIED if language != "java" else sorted({load_task(t).scenario: t for t in reversed(TIED)}.values())

    def run(task_id: str) -> list[str]:
        missed = set(load_task(task_id).requirement_ids)
        found = _run_checked(local_backend, task_id, language, missed, ("submit",), partial=language != "java")
        return [f"{task_id}: {p}" for p in found]

    with ThreadPoolExecutor(max_workers=2) as pool:  # the fixture's backend has two slots
        leaks = [p for found in pool.map(run, tasks) for p in found]
    assert not leaks, "; ".join(leaks[:8])


# -- the check catches a leak ----------------------------------------------------------------------------------

@pytest.mark.parametrize("task_id", TIED)
def test_the_check_fails_when_withheld_regions_are_shown_again(task_id, monkeypatch):
    """Put the bug back (a tied region is never withheld): every requirement's check must then fail, at Intern
    (its TODO line) and at Junior (its hint, once runs failed)."""
    task = load_task(task_id)
    monkeypatch.setattr(Region, "withheld", lambda self, missed: False)
    for requirement in task.requirement_ids:
        for language in LANGUAGES:
            for level in ("intern", "junior"):
                leaks = _leaks_at(task_id, language, {requirement}, level)
                assert leaks, f"{task_id} {language} {level}: the bug put back goes unnoticed for {requirement}"


def _leaks_at(task_id: str, language: str, missed: set[str], level: str) -> list[str]:
    task = load_task(task_id)
    ex = _missed_exercise(task_id, language, level, missed)
    payloads = [student_view(start_state(ex), failed_runs=99), *_hints_taken(ex)[0]]
    return [hit for requirement in missed for payload in payloads
            for hit in secrets(task, ex, requirement).found_in(payload)]


@pytest.mark.parametrize(("task_id", "requirement"), CASES)
def test_the_check_catches_planted_leaks(task_id, requirement):
    task = load_task(task_id)
    ex = _missed_exercise(task_id, "python", "junior", {requirement})
    found = secrets(task, ex, requirement)
    view = student_view(start_state(ex))
    assert not found.found_in(view)
    sentence = dict(ex.requirements)[requirement]
    tied = [r for r in regions(task.reference("python"), "python") if requirement in r.requirements]
    plants = [f"# {sentence}", f"# TODO: {task.text(tied[0].todo)}",
              *(f"# see {word}" for word in sorted(found.words) if not word.isdigit())]
    for plant in plants:
        leaked = {**view, "starter": view["starter"] + "\n" + plant + "\n"}
        assert found.found_in(leaked), f"planted {plant!r} goes unnoticed"
    # and a docstring that says what the region does, as the references used to
    docstring = task.reference("python").replace('"""', f'"""{task.text(tied[0].todo)}. ', 1)
    assert found.found_in(intern_starter(docstring, "python", {requirement}))


# -- the markers ---------------------------------------------------------------------------------------------------

def test_a_region_names_its_requirements_and_a_neutral_text():
    source = ("def f(x):\n    \"\"\"F.\"\"\"\n    # >>> TODO[rule_a, rule_b]: apply both rules || return x as it is\n"
              "    return x + 1\n    # <<<\n\n\ndef g(x):\n    \"\"\"G.\"\"\"\n    y = x\n"
              "    # >>> TODO[rule_a]: double it when rule a holds\n    # || nothing more\n    y *= 2\n    # <<<\n"
              "    # >>> TODO[rule_b]: halve it\n    y //= 2\n    # <<<\n    return y\n")
    first, second, third = regions(source, "python")
    assert (first.requirements, first.todo, first.neutral) == (("rule_a", "rule_b"), "apply both rules",
                                                                 "return x as it is")
    assert (second.requirements, second.neutral, second.neutral_line) == (("rule_a",), "nothing more", 12)
    assert third.requirements == ("rule_b",) and third.neutral == ""
    standalone = intern_starter(source, "python")
    assert "TODO: apply both rules" in standalone and "TODO: double it" in standalone and "|| " not in standalone
    missed = intern_starter(source, "python", {"rule_b"})
    assert "TODO: return x as it is\n    raise NotImplementedError" in missed and "apply both" not in missed
    assert "TODO: double it when rule a holds" in missed
    assert "halve" not in missed and "y //= 2" not in missed and "TODO: halve" not in missed  # left out entirely
    ast.parse(missed)


@pytest.mark.parametrize(("text", "reason"), [
    ("# >>> TODO[Bad-Id]: x", "requirement ids"),
    ("# >>> TODO: plain || neutral", "only a region tied"),
    ("# >>> TODO[rule_a]: x ||  ", None),  # an empty neutral text is no neutral text: the ' || ' stays in the TODO
])
def test_malformed_tied_markers_are_refused(text, reason):
    source = f"def f():\n    \"\"\"F.\"\"\"\n    {text}\n    return 1\n    # <<<\n"
    if reason is None:
        assert regions(source, "python")[0].neutral == ""
        return
    with pytest.raises(ScenarioError, match=reason):
        regions(source, "python")


def test_a_tied_task_whose_requirement_no_region_implements_is_refused():
    from grader.phases.code_crucible.tasks import parse_task, task_files

    files = dict(task_files("bakery_receipt"))
    files["reference.py"] = files["reference.py"].replace("TODO[allergen_labels]:", "TODO:").replace(
        "        # || add the quantity to the line for this name and price\n", "")
    with pytest.raises(ScenarioError, match="no region implements requirement allergen_labels"):
        parse_task(files, folder="code_crucible/t", expected_id="bakery_receipt")
    files = dict(task_files("bakery_receipt"))
    files["reference.py"] = files["reference.py"].replace("TODO[allergen_labels]:", "TODO[order_cutoff]:", 1)
    with pytest.raises(ScenarioError, match="order_cutoff is not a requirement of the task"):
        parse_task(files, folder="code_crucible/t", expected_id="bakery_receipt")


def test_a_tied_region_that_needs_a_stub_must_say_what_to_write_instead():
    from grader.phases.code_crucible.tasks import parse_task, task_files

    files = dict(task_files("shift_signup"))
    files["reference.py"] = files["reference.py"].replace("    # || the shift is free: say whether they may take it\n",
                                                          "")
    with pytest.raises(ScenarioError, match="returns"):
        parse_task(files, folder="code_crucible/t", expected_id="shift_signup")


@pytest.mark.parametrize("task_id", TIED)
def test_starters_with_requirements_missed_differ_only_where_the_regions_were(task_id):
    """Missing a requirement changes the Intern and Junior starters, and only those of the tied task."""
    task = load_task(task_id)
    for language in LANGUAGES:
        for requirement in task.requirement_ids:
            assert starter(task, language, "intern", 0, (requirement,)) != starter(task, language, "intern")
        for level in ("mid", "senior"):
            assert starter(task, language, level, 0, task.requirement_ids) == starter(task, language, level)
