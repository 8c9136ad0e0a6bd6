"""The Crucible's tasks: ``tasks/<id>/task.yaml`` plus a reference solution per language.

A task is what a client needed, as a function to write: the statement in the client's voice, the signature
per language, visible examples, hidden tests (each with an edge-case tag, some tied to a requirement a
Difficult Client interview may uncover), a generator for one large input (efficiency), and optional
``params`` whose values make seeded variants. ``load_task`` validates the truth file with marshmallow and
then the references against it, and raises ``ScenarioError`` naming the file, the field and the reason: a
task lacking a language's reference, its scaffolding markers or its tags is refused.

The format is described in /work/crucible_spec.md (and summarised in ``tasks/README`` terms here):
references carry 2-4 ``>>> TODO: ...`` / ``<<<`` regions (Intern starters are the reference without them)
and, for each code param, one line ending in ``# cr:param <name>`` (``// cr:param <name>``) holding the
default value, which a variant replaces.

In a task tied to a Difficult Client scenario, the code of each requirement sits in regions that name it,
``>>> TODO[allergen_labels]: <what to write>``, optionally followed by `` || <neutral text>`` (on the marker line
or on the comment line right after it): what the TODO line says to a student who missed the requirement, only
what the statement without it implies. A region that returns or is a whole block needs one (the student still
writes something there); without one, the region is left out of that student's starters. Every requirement is
tied to a region in every reference, and nothing outside its regions (names, docstrings, comments, constants,
imports) may say what it asks: the param values it needs live in its regions too.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from grader.phases.code_crucible.codetext import camel_name
from grader.scenarios import ScenarioError, ScenarioMeta, parse_truth_file

PHASE_ID = "code_crucible"
TASKS_DIR = Path(__file__).resolve().parent / "tasks"
LANGUAGES = ("python", "javascript", "java")
REFERENCE_FILES = {"python": "reference.py", "javascript": "reference.js", "java": "Solution.java"}
STUDENT_FILES = {"python": "solution.py", "javascript": "solution.js", "java": "Solution.java"}
COMMENT = {"python": "#", "javascript": "//", "java": "//"}
TAGS = ("empty input", "boundary", "large input", "bad value", "unicode", "typical", "duplicates", "ordering",
        "rounding", "requirement")
DIFFICULTIES = ("easy", "medium", "hard")
EXAMPLES_RANGE = (2, 4)
HIDDEN_RANGE = (8, 15)
REGIONS_RANGE = (2, 4)
MAX_VARIANTS = 6

# Scaffolding markers: whole comment lines (a line holding ``List<List<List<Integer>>>`` is not a marker). A region
# may name the requirement(s) it implements, ``>>> TODO[allergen_labels]: ...``, and after `` || `` what its TODO
# line says to a student who missed one of them in the interview (only what the statement without it implies).
MARK_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<comment>#|//) >>> TODO(?:\[(?P<tags>[^\]]*)\])?: (?P<text>\S.*?)\s*$")
NEUTRAL_MARK = " || "
# ... or, when the marker line would be too long, on the comment line right after it: ``# || <neutral text>``.
MARK_NEUTRAL = re.compile(r"^(?P<indent>[ \t]*)(?P<comment>#|//) \|\| (?P<text>\S.*?)\s*$")
REQUIREMENT_ID = re.compile(r"[a-z][a-z0-9_]*")
MARK_CLOSE = re.compile(r"^(?P<indent>[ \t]*)(?P<comment>#|//) <<<\s*$")
PARAM_MARK = re.compile(r"^(?P<code>.*?\S)\s*(?P<comment>#|//) cr:param (?P<name>[a-z][a-z0-9_]*)\s*$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# What a large-input generator may call: building lists and strings, nothing else.
_GENERATOR_BUILTINS = {name: getattr(builtins, name) for name in (
    "range", "list", "min", "max", "len", "str", "int", "sum", "abs", "sorted", "enumerate", "zip", "chr", "ord",
    "round", "dict", "bool", "float", "reversed")}


@dataclass(frozen=True)
class TaskTest:
    args: tuple[Any, ...]
    expected: Any
    tag: str = ""  # hidden tests only
    requirement: str | None = None  # hidden tests only: the Difficult Client constraint it checks

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"args": list(self.args), "expected": self.expected}
        if self.tag:
            data["tag"] = self.tag
        if self.requirement:
            data["requirement"] = self.requirement
        return data


@dataclass(frozen=True)
class Region:
    """One ``>>> TODO`` ... ``<<<`` region of a reference (1-based line numbers of its two markers).

    ``requirements``: the Difficult Client constraints the region implements (``>>> TODO[id, ...]:``); for a
    student who missed one of them the region is withheld: its hint is never offered, and the starters show
    ``neutral`` (the text after `` || ``: only what the statement without it implies) as its TODO line, or,
    without a neutral text, nothing at all (the region is left out as if the client never asked for it)."""

    open_line: int
    close_line: int
    indent: str
    todo: str
    requirements: tuple[str, ...] = ()
    neutral: str = ""
    neutral_line: int = 0  # the ``|| <neutral text>`` line after the opening marker, if the text is there

    def withheld(self, missed: Collection[str] | None) -> bool:
        """Whether a student who missed ``missed`` in the interview must not learn what this region does."""
        return bool(missed) and any(rid in missed for rid in self.requirements)


@dataclass(frozen=True)
class Task:
    """One task in every language. Ground truth of the phase (hidden tests, references): server-side only."""

    id: str
    title: str
    difficulty: str
    scenario: str | None
    need: str
    requirements: tuple[tuple[str, str], ...]  # (constraint id, sentence), in file order
    function: str  # the Python name
    signatures: tuple[tuple[str, str], ...]  # (language, first line of the function)
    examples: tuple[TaskTest, ...]
    hidden: tuple[TaskTest, ...]
    large: str  # a Python expression building the large input's argument list
    params: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # (name, (default, alternatives...))
    references: tuple[tuple[str, str], ...] = ()  # (language, source), filled by the loader
    digest: str = field(default="", compare=False)  # sha256 of the task's files, filled by the loader

    # -- names ------------------------------------------------------------------------------------------
    def function_name(self, language: str) -> str:
        return self.function if language == "python" else camel_name(self.function)

    def signature(self, language: str) -> str:
        return dict(self.signatures)[language]

    @property
    def requirement_ids(self) -> tuple[str, ...]:
        return tuple(rid for rid, _ in self.requirements)

    # -- variants ---------------------------------------------------------------------------------------
    @property
    def variant_count(self) -> int:
        return len(self.params[0][1]) if self.params else 1

    def values(self, variant: int = 0) -> dict[str, Any]:
        self._check_variant(variant)
        return {name: values[variant] for name, values in self.params}

    def _check_variant(self, variant: int) -> None:
        if not 0 <= variant < self.variant_count:
            raise ValueError(f"task {self.id!r} has no variant {variant} (it has {self.variant_count})")

    def text(self, template: str, variant: int = 0) -> str:
        """``template`` with every ``{param}`` replaced by the variant's value."""
        values = self.values(variant)
        return PLACEHOLDER.sub(lambda m: _text_value(values[m.group(1)]) if m.group(1) in values else m.group(0),
                               template)

    def requirement_sentence(self, requirement: str, variant: int = 0) -> str:
        return self.text(dict(self.requirements)[requirement], variant)

    def statement(self, variant: int = 0, discovered: set[str] | frozenset[str] | None = None) -> str:
        """The need in the client's voice, then the requirements the student knows: all of them standalone
        (``discovered`` None), else only those discovered in the linked Difficult Client attempt."""
        parts = [self.text(self.need, variant)]
        parts += [self.requirement_sentence(rid, variant) for rid in self.requirement_ids
                  if discovered is None or rid in discovered]
        return "\n\n".join(parts)

    def reference(self, language: str, variant: int = 0) -> str:
        """The reference solution with the variant's values on its ``cr:param`` lines."""
        self._check_variant(variant)
        source = dict(self.references)[language]
        if variant == 0 or not self.params:
            return source
        values = self.values(variant)
        defaults = self.values(0)
        lines = source.split("\n")
        for index, line in enumerate(lines):
            match = PARAM_MARK.match(line)
            if match and match.group("name") in values:
                name = match.group("name")
                lines[index] = _replace_literal(line, match.end("code"), defaults[name], values[name], language)
        return "\n".join(lines)

    # -- large input ------------------------------------------------------------------------------------
    def large_args(self) -> list[Any]:
        return _large_args(self.id, self.digest, self.large)

    # -- public metadata --------------------------------------------------------------------------------
    def summary(self) -> str:
        """One public line for the picker: the first sentence of the need (no hidden detail)."""
        first = re.split(r"(?<=[.!?])\s", self.text(self.need).strip(), maxsplit=1)[0]
        return first[:300]

    def meta(self, languages: tuple[str, ...] | None = None) -> ScenarioMeta:
        return ScenarioMeta(phase=PHASE_ID, id=self.id, title=self.title, persona_name="",
                            difficulty=self.difficulty, summary=self.summary(),
                            languages=LANGUAGES if languages is None else languages)


def _text_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def code_literal(value: Any, language: str, quote: str = '"') -> str:
    """A param value as the language writes it."""
    if isinstance(value, bool):
        return ("True" if value else "False") if language == "python" else ("true" if value else "false")
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        if quote == "'":
            text = "'" + text[1:-1].replace("\\\"", "\"").replace("'", "\\'") + "'"
        return text
    return repr(value)


def _literal_pattern(value: Any, language: str) -> list[tuple[re.Pattern[str], str]]:
    forms = [code_literal(value, language, '"')]
    if isinstance(value, str):
        forms.append(code_literal(value, language, "'"))
    return [(re.compile(r"(?<![\w.])" + re.escape(form) + r"(?![\w.])" if not isinstance(value, str)
                        else re.escape(form)), "'" if form.startswith("'") else '"') for form in forms]


def literal_count(code: str, value: Any, language: str) -> int:
    return sum(len(pattern.findall(code)) for pattern, _ in _literal_pattern(value, language))


def _replace_literal(line: str, code_end: int, default: Any, value: Any, language: str) -> str:
    code = line[:code_end]
    for pattern, quote in _literal_pattern(default, language):
        if pattern.search(code):
            match = pattern.search(code)
            assert match is not None
            code = code[:match.start()] + code_literal(value, language, quote) + code[match.end():]
            break
    return code + line[code_end:]


@lru_cache(maxsize=4)
def _large_args(task_id: str, digest: str, expression: str) -> list[Any]:
    # Our own expression from a task file (never student input), with nothing to call but list builders.
    value = eval(compile(expression, f"<{task_id} large input>", "eval"),  # noqa: S307 - trusted task file
                 {"__builtins__": dict(_GENERATOR_BUILTINS)})
    if not isinstance(value, list):
        raise ValueError(f"task {task_id!r}: the large input generator must build the argument list")
    return value


# -- the truth file ---------------------------------------------------------------------------------------

def _json_problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` is not a plain JSON value the sandbox can compare, or None."""
    if depth > 40:
        return "nested too deeply"
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "NaN and infinities cannot be compared"
    if isinstance(value, list):
        return next((p for v in value if (p := _json_problem(v, depth + 1))), None)
    if isinstance(value, dict):
        if any(not isinstance(k, str) for k in value):
            return "object keys must be strings"
        return next((p for v in value.values() if (p := _json_problem(v, depth + 1))), None)
    return f"{type(value).__name__} is not a JSON value (quote dates and times)"


class ExampleSchema(Schema):
    class Meta:
        unknown = RAISE

    args = fields.List(fields.Raw(allow_none=True), required=True)
    expected = fields.Raw(required=True, allow_none=True)

    @validates_schema
    def plain_json(self, data: dict[str, Any], **_: Any) -> None:
        for key in ("args", "expected"):
            problem = _json_problem(data.get(key))
            if problem:
                raise ValidationError(problem, key)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> TaskTest:
        return TaskTest(tuple(data["args"]), data["expected"])


class HiddenSchema(ExampleSchema):
    tag = fields.String(required=True, validate=validate.OneOf(TAGS))
    requirement = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> TaskTest:
        return TaskTest(tuple(data["args"]), data["expected"], data["tag"], data["requirement"])


class SignaturesSchema(Schema):
    class Meta:
        unknown = RAISE

    python = fields.String(required=True, validate=validate.Length(min=1, max=300))
    javascript = fields.String(required=True, validate=validate.Length(min=1, max=300))
    java = fields.String(required=True, validate=validate.Length(min=1, max=300))


class LargeSchema(Schema):
    class Meta:
        unknown = RAISE

    python = fields.String(required=True, validate=validate.Length(min=1, max=2000))

    @validates_schema
    def an_expression(self, data: dict[str, Any], **_: Any) -> None:
        try:
            tree = ast.parse(data["python"], mode="eval")
        except SyntaxError as exc:
            raise ValidationError(f"not a Python expression: {exc.msg}", "python") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                raise ValidationError("no underscore attributes in a generator", "python")
            if isinstance(node, ast.Name) and node.id.startswith("__"):
                raise ValidationError("no dunder names in a generator", "python")


def _param_values(value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError("params maps names to lists of values")
    lengths = set()
    for name, values in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValidationError(f"{name!r}: param names are lower-case letters, digits and _")
        if not isinstance(values, list) or not 2 <= len(values) <= MAX_VARIANTS:
            raise ValidationError(f"{name}: a list of the default then 1 to {MAX_VARIANTS - 1} alternatives")
        kinds = {type(v) for v in values}
        if len(kinds) != 1 or not kinds <= {int, float, str, bool}:
            raise ValidationError(f"{name}: values are numbers, strings or booleans, all of one type")
        if len(set(values)) != len(values):
            raise ValidationError(f"{name}: the values must all differ")
        lengths.add(len(values))
    if len(lengths) != 1:
        raise ValidationError("every param has the same number of values (variant k takes the k-th of each)")


class TaskSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$",
                                                               error="must be lower-case letters, digits and _"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=80))
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    scenario = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    need = fields.String(required=True, validate=validate.Length(min=40, max=2000))
    requirements = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]*$")),
                               values=fields.String(validate=validate.Length(min=10, max=600)), load_default=dict)
    function = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$",
                                                                     error="must be a snake_case name"))
    signatures = fields.Nested(SignaturesSchema, required=True)
    examples = fields.List(fields.Nested(ExampleSchema), required=True, validate=validate.Length(*EXAMPLES_RANGE))
    hidden = fields.List(fields.Nested(HiddenSchema), required=True, validate=validate.Length(*HIDDEN_RANGE))
    large = fields.Nested(LargeSchema, required=True)
    params = fields.Raw(load_default=None, validate=_param_values)

    @validates_schema
    def consistent(self, data: dict[str, Any], **_: Any) -> None:
        function = data.get("function", "")
        signatures = data.get("signatures", {})
        camel = camel_name(function)
        if signatures and not signatures["python"].startswith(f"def {function}("):
            raise ValidationError(f"must start with 'def {function}('", "signatures.python")
        if signatures and not signatures["javascript"].startswith(f"function {camel}("):
            raise ValidationError(f"must start with 'function {camel}('", "signatures.javascript")
        if signatures and not re.match(rf"public static [\w<>\[\], ?]+ {re.escape(camel)}\(", signatures["java"]):
            raise ValidationError(f"must be 'public static <type> {camel}(...'", "signatures.java")
        requirements = data.get("requirements") or {}
        if requirements and not data.get("scenario"):
            raise ValidationError("requirements come from a Difficult Client scenario: name it", "scenario")
        tied = {t.requirement for t in data.get("hidden", []) if t.requirement}
        unknown = sorted(tied - set(requirements))
        if unknown:
            raise ValidationError(f"hidden tests name unknown requirement(s): {', '.join(unknown)}", "hidden")
        untested = [r for r in requirements if r not in tied]
        if untested:
            raise ValidationError(f"no hidden test checks requirement(s): {', '.join(untested)}", "requirements")
        params = data.get("params") or {}
        texts = [data.get("title", ""), data.get("need", ""), *requirements.values()]
        for text in texts:
            for name in PLACEHOLDER.findall(text):
                if name not in params:
                    raise ValidationError(f"{{{name}}} is not a declared param", "params")

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> Task:
        params = tuple((name, tuple(values)) for name, values in (data["params"] or {}).items())
        return Task(
            id=data["id"], title=data["title"], difficulty=data["difficulty"], scenario=data["scenario"],
            need=" ".join(data["need"].split()), requirements=tuple(data["requirements"].items()),
            function=data["function"], signatures=tuple((lang, data["signatures"][lang]) for lang in LANGUAGES),
            examples=tuple(data["examples"]), hidden=tuple(data["hidden"]), large=data["large"]["python"],
            params=params)


# -- the references ---------------------------------------------------------------------------------------

def regions(source: str, language: str, file: str = "reference") -> list[Region]:
    """The scaffolding regions of a reference; raises ``ScenarioError`` when the markers are malformed."""
    out: list[Region] = []
    current: Region | None = None
    comment = COMMENT[language]
    for number, line in enumerate(source.split("\n"), 1):
        opening, closing, neutral = MARK_OPEN.match(line), MARK_CLOSE.match(line), MARK_NEUTRAL.match(line)
        for match in (opening, closing, neutral):
            if match and match.group("comment") != comment:
                raise ScenarioError(file, f"line {number}", f"markers in {language} are {comment} comments")
        if neutral:
            current = _neutral_line(current, number, neutral, file)
        elif opening:
            if current is not None:
                raise ScenarioError(file, f"line {number}", "scaffolding regions never nest (missing '<<<')")
            current = _open_region(number, opening, file)
        elif closing:
            if current is None:
                raise ScenarioError(file, f"line {number}", "'<<<' without an opening '>>> TODO:'")
            if closing.group("indent") != current.indent:
                raise ScenarioError(file, f"line {number}", "a region's two markers have the same indentation")
            if number == (current.neutral_line or current.open_line) + 1:
                raise ScenarioError(file, f"line {number}", "an empty scaffolding region")
            out.append(replace(current, close_line=number))
            current = None
        elif ">>>" in line and line.strip().startswith(comment + " >>>"):
            raise ScenarioError(file, f"line {number}", "a marker reads '>>> TODO: <what to write>'")
    if current is not None:
        raise ScenarioError(file, f"line {current.open_line}", "a '>>> TODO:' region is never closed with '<<<'")
    return out


def _open_region(number: int, opening: re.Match[str], file: str) -> Region:
    """The region an opening marker starts (its closing line still unknown): TODO text, requirement ids and the
    neutral text for students who missed them."""
    text, tags = opening.group("text"), opening.group("tags")
    requirements: tuple[str, ...] = ()
    if tags is not None:
        requirements = tuple(tag.strip() for tag in tags.split(","))
        if not requirements or any(not REQUIREMENT_ID.fullmatch(tag) for tag in requirements):
            raise ScenarioError(file, f"line {number}", "a region names requirements as '>>> TODO[id, ...]: ...' "
                                                        "with the task's requirement ids")
    todo, mark, neutral = text.rpartition(NEUTRAL_MARK) if NEUTRAL_MARK in text else (text, "", "")
    if mark and not requirements:
        raise ScenarioError(file, f"line {number}", "only a region tied to a requirement ('>>> TODO[id]: ...') has "
                                                    "a text for students who missed it (after ' || ')")
    if mark and not (todo.strip() and neutral.strip()):
        raise ScenarioError(file, f"line {number}", "'>>> TODO[id]: <what to write> || <what a student who missed "
                                                    "it is told>': both texts are needed")
    return Region(number, 0, opening.group("indent"), todo.strip(), requirements, neutral.strip())


def _neutral_line(current: Region | None, number: int, match: re.Match[str], file: str) -> Region:
    """The open region with its neutral text given on the line after its marker."""
    if current is None or number != current.open_line + 1 or not current.requirements or current.neutral:
        raise ScenarioError(file, f"line {number}", "a '|| <neutral text>' line comes right after a "
                                                    "'>>> TODO[id]: ...' marker that has no neutral text yet")
    return replace(current, neutral=match.group("text").strip(), neutral_line=number)


def _is_code(line: str, language: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(COMMENT[language]) and not stripped.startswith("*") \
        and not stripped.startswith("/*")


def _block_left_empty(lines: list[str], before: int, after: int, indent: str, language: str) -> bool:
    """Whether removing lines[before+1:after] leaves the enclosing block without a statement."""
    previous = next((lines[i] for i in range(before - 1, -1, -1) if _is_code(lines[i], language)), "")
    following = next((lines[i] for i in range(after + 1, len(lines)) if _is_code(lines[i], language)), "")
    if language == "python":
        opens = previous.rstrip().endswith(":")
        closes = not following or len(following) - len(following.lstrip()) < len(indent)
        return opens and closes
    return previous.rstrip().endswith("{") and following.strip().startswith("}")


def _returns_at_top(body: list[str], indent: str) -> bool:
    return any(line.startswith(indent) and not line[len(indent):len(indent) + 1].isspace()
               and re.match(r"return\b", line[len(indent):]) for line in body)


def needs_stub(lines: list[str], region: Region, language: str) -> bool:
    """Whether a starter without the region's code needs a ``raise``/``throw`` in its place: the region returned,
    or removing it leaves a block without a statement."""
    start, end = region.open_line - 1, region.close_line - 1  # 0-based marker lines
    return _returns_at_top(lines[start + 1:end], region.indent) or \
        _block_left_empty(lines, start, end, region.indent, language)


def param_lines(source: str) -> dict[str, list[int]]:
    """Line numbers (1-based) of each ``cr:param`` marker, by param name."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate(source.split("\n"), 1):
        match = PARAM_MARK.match(line)
        if match:
            found.setdefault(match.group("name"), []).append(number)
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def _check_reference(task: Task, language: str, source: str, file: str) -> None:
    if "\x00" in source:
        raise ScenarioError(file, "(file)", "binary content")
    if _flat(task.signature(language)) not in _flat(source):
        raise ScenarioError(file, "signature", f"does not contain the signature {task.signature(language)!r}")
    name = task.function_name(language)
    if language == "python":
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ScenarioError(file, f"line {exc.lineno}", f"not valid Python: {exc.msg}") from None
        if not any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body):
            raise ScenarioError(file, "function", f"no top-level def {name}")
    elif language == "javascript":
        exports = re.search(r"^module\.exports\s*=\s*\{([^}]*)\}\s*;?\s*$", source, re.MULTILINE)
        if not exports or name not in re.findall(r"[A-Za-z_$][\w$]*", exports.group(1)):
            raise ScenarioError(file, "module.exports", f"the file must end with module.exports = {{ {name} }}")
    elif not re.search(r"^public (?:final )?class Solution\b", source, re.MULTILINE):
        raise ScenarioError(file, "class", "the reference is 'public class Solution'")
    found = regions(source, language, file)
    low, high = REGIONS_RANGE
    if not low <= len(found) <= high:
        raise ScenarioError(file, "markers", f"{len(found)} scaffolding regions; a reference has {low} to {high}")
    _check_tied_regions(task, source, language, found, file)
    marks = param_lines(source)
    defaults = task.values(0) if task.params else {}
    for mark in marks:
        if mark not in defaults:
            raise ScenarioError(file, "cr:param", f"{mark!r} is not a declared param")
    lines = source.split("\n")
    for mark, numbers in marks.items():
        if len(numbers) != 1:
            raise ScenarioError(file, "cr:param", f"{mark!r} is marked on {len(numbers)} lines; mark it once")
        line = lines[numbers[0] - 1]
        match = PARAM_MARK.match(line)
        assert match is not None
        count = literal_count(line[:match.end("code")], defaults[mark], language)
        if count != 1:
            raise ScenarioError(file, f"line {numbers[0]}",
                                f"the default of {mark!r} ({defaults[mark]!r}) appears {count} times on its line")


def _check_tied_regions(task: Task, source: str, language: str, found: list[Region], file: str) -> None:
    """Every requirement of the task is implemented in a region that names it (so a student who missed it is
    not shown how), a region names only the task's requirements, and a tied region whose removal needs a stub
    says what a student who missed it has to write there."""
    lines = source.split("\n")
    known = set(task.requirement_ids)
    for region in found:
        unknown = [rid for rid in region.requirements if rid not in known]
        if unknown:
            raise ScenarioError(file, f"line {region.open_line}",
                                f"{', '.join(unknown)} is not a requirement of the task")
        if region.requirements and not region.neutral and needs_stub(lines, region, language):
            raise ScenarioError(file, f"line {region.open_line}",
                                "this region returns (or is a whole block), so a student who missed its requirement "
                                "still writes something there: add ' || <what to write, from the statement alone>'")
    tagged = {rid for region in found for rid in region.requirements}
    missing = [rid for rid in task.requirement_ids if rid not in tagged]
    if missing:
        raise ScenarioError(file, "markers", f"no region implements requirement {', '.join(missing)}: mark the code "
                                             f"for it with '>>> TODO[{missing[0]}]: ...'")


def parse_task(files: dict[str, str], *, folder: str, expected_id: str | None = None) -> Task:
    """Validate a task's files (``{file name: text}``, ``task.yaml`` and the references); ``folder`` names
    them in errors."""
    if "task.yaml" not in files:
        raise ScenarioError(f"{folder}/task.yaml", "(file)", "the task file is missing")
    task: Task = parse_truth_file(files["task.yaml"], TaskSchema, file=f"{folder}/task.yaml", expected_id=expected_id)
    if task.scenario:
        _check_scenario(task, f"{folder}/task.yaml")
    references = []
    for language in LANGUAGES:
        name = REFERENCE_FILES[language]
        if name not in files:
            raise ScenarioError(f"{folder}/{name}", "(file)", f"the {language} reference is missing")
        references.append((language, files[name]))
    task = Task(**{**task.__dict__, "references": tuple(references)})
    marked: dict[str, set[str]] = {}
    for language, source in references:
        _check_reference(task, language, source, f"{folder}/{REFERENCE_FILES[language]}")
        for name in param_lines(source):
            marked.setdefault(name, set()).add(language)
    for name, languages in marked.items():
        if languages != set(LANGUAGES):
            missing = ", ".join(REFERENCE_FILES[lang] for lang in LANGUAGES if lang not in languages)
            raise ScenarioError(f"{folder}/task.yaml", "params", f"{name!r} is marked in some references only "
                                                                 f"(not in {missing})")
    used = {n for text in (task.title, task.need, *dict(task.requirements).values()) for n in PLACEHOLDER.findall(text)}
    for name, _ in task.params:
        if name not in marked and name not in used:
            raise ScenarioError(f"{folder}/task.yaml", "params", f"{name!r} is used neither in the text nor in code")
    digest = hashlib.sha256(json.dumps(sorted(files.items()), ensure_ascii=False).encode()).hexdigest()
    return Task(**{**task.__dict__, "digest": digest})


def _check_scenario(task: Task, file: str) -> None:
    from grader.phases.difficult_client.catalogue import SCENARIOS, load_scenario

    if task.scenario not in SCENARIOS.ids():
        raise ScenarioError(file, "scenario", f"no Difficult Client scenario {task.scenario!r}")
    constraints = {c.id for c in load_scenario(task.scenario).constraints}
    unknown = [rid for rid in task.requirement_ids if rid not in constraints]
    if unknown:
        raise ScenarioError(file, "requirements", f"not constraints of {task.scenario}: {', '.join(unknown)}")


def task_files(task_id: str) -> dict[str, str]:
    path = TASKS_DIR / task_id
    names = ["task.yaml", *REFERENCE_FILES.values()]
    return {name: (path / name).read_text(encoding="utf-8") for name in names if (path / name).is_file()}


def task_ids() -> list[str]:
    return sorted(p.parent.name for p in TASKS_DIR.glob("*/task.yaml"))


@lru_cache(maxsize=64)
def _load(task_id: str, stamp: tuple[float, ...]) -> Task:
    return parse_task(task_files(task_id), folder=f"{PHASE_ID}/{task_id}", expected_id=task_id)


# A task's files are stat'ed at most this often (a launch asks for its scenario's task): an edit is served
# within a second, and a launch no longer pays a folder listing and a stat per file.
RECHECK_SECONDS = 1.0
_checked: dict[str, tuple[float, tuple[float, ...]]] = {}  # task id -> (when checked, its files' mtimes then)
_checked_lock = threading.Lock()


def load_task(task_id: str) -> Task:
    """One task with its references (cached while its files are unchanged; they are looked at again at most
    every ``RECHECK_SECONDS``)."""
    folder = f"{PHASE_ID}/{task_id}"
    if not re.fullmatch(r"[a-z0-9_]+", task_id or ""):
        raise ScenarioError(folder, "id", "task ids are lower-case letters, digits and _")
    now = time.monotonic()
    checked = _checked.get(task_id)
    if checked is None or now - checked[0] >= RECHECK_SECONDS:
        path = TASKS_DIR / task_id
        if not (path / "task.yaml").is_file():
            with _checked_lock:
                _checked.pop(task_id, None)
            raise ScenarioError(f"{folder}/task.yaml", "id", f"no task {task_id!r}")
        checked = (now, tuple(p.stat().st_mtime for p in sorted(path.iterdir()) if p.is_file()))
        with _checked_lock:
            _checked[task_id] = checked
    return _load(task_id, checked[1])
