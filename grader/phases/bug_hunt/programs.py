"""The base programs: ``programs/<id>/program.yaml`` (metadata and tests) plus one source file per language.

A program is correct, realistic and short; its tests are the same in every language (JavaScript calls the
camelCase name of the Python function). ``load_program`` validates the truth file with marshmallow and then
the source files against it, and raises ``ScenarioError`` naming the file, the field and the reason.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from grader.scenarios import ScenarioError, ScenarioMeta, parse_truth_file

PHASE_ID = "bug_hunt"
PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"
PROGRAM_LANGUAGES = ("python", "javascript")
EXTENSIONS = {"python": ".py", "javascript": ".js"}
LINES_RANGE = (40, 110)  # readable in five minutes
FUNCTIONS_RANGE = (5, 8)  # top-level functions with their own tests
MIN_VISIBLE, MIN_HIDDEN = 2, 1  # tests per function
# Hidden tests are shown to students under this name (by position), so no human name may look like it.
HIDDEN_NAME = re.compile(r"hidden test \d+")


def js_name(name: str) -> str:
    """The JavaScript spelling of a Python function name: line_total -> lineTotal."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def function_name(call: str, language: str) -> str:
    return js_name(call) if language == "javascript" else call


@dataclass(frozen=True)
class ProgramTest:
    name: str
    call: str  # the Python function name
    args: tuple[Any, ...]
    expected: Any
    hidden: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "call": self.call, "args": list(self.args), "expected": self.expected,
                "hidden": self.hidden}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProgramTest:
        return cls(data["name"], data["call"], tuple(data["args"]), data["expected"], bool(data["hidden"]))


@dataclass(frozen=True)
class Program:
    """One base program in every language it is written in. Ground truth of the phase: server-side only."""

    id: str
    title: str
    summary: str
    difficulty: str
    files: tuple[tuple[str, str], ...]  # (language, file name)
    tests: tuple[ProgramTest, ...]
    sources: tuple[tuple[str, str], ...] = ()  # (language, source text), filled by the loader

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(language for language, _ in self.files)

    def file_name(self, language: str) -> str:
        return dict(self.files)[language]

    def source(self, language: str) -> str:
        return dict(self.sources)[language]

    def functions(self) -> tuple[str, ...]:
        """The tested functions (Python names), in the order their tests first appear."""
        return tuple(dict.fromkeys(t.call for t in self.tests))

    def digest(self, language: str) -> str:
        """sha256 of what an exercise in ``language`` is made of: the source file and the tests."""
        material = {"id": self.id, "language": language, "file": self.file_name(language),
                    "source": self.source(language), "tests": [t.to_dict() for t in self.tests]}
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def meta(self, languages: tuple[str, ...] | None = None) -> ScenarioMeta:
        return ScenarioMeta(phase=PHASE_ID, id=self.id, title=self.title, persona_name="",
                            difficulty=self.difficulty, summary=self.summary,
                            languages=self.languages if languages is None else languages)


def _json_problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` is not a plain JSON value the sandbox can compare, or None."""
    if depth > 20:
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


class TestSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    call = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$",
                                                                 error="must be a snake_case function name"))
    args = fields.List(fields.Raw(allow_none=True), required=True)
    expected = fields.Raw(required=True, allow_none=True)
    hidden = fields.Boolean(load_default=False)

    @validates_schema
    def plain_json(self, data: dict[str, Any], **_: Any) -> None:
        for key in ("args", "expected"):
            problem = _json_problem(data.get(key))
            if problem:
                raise ValidationError(problem, key)
        if HIDDEN_NAME.fullmatch(data.get("name", "")):
            raise ValidationError("'hidden test <n>' is how hidden tests are shown; choose another name", "name")

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> ProgramTest:
        return ProgramTest(data["name"], data["call"], tuple(data["args"]), data["expected"], data["hidden"])


def _check_languages(value: dict[str, str]) -> None:
    if "python" not in value:
        raise ValidationError("python is required")
    for language, file in value.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]+\.[a-z]+", file) or not file.endswith(EXTENSIONS[language]):
            raise ValidationError(f"{language}: {file!r} must be a plain file name ending in {EXTENSIONS[language]}")


class ProgramSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$",
                                                               error="must be lower-case letters, digits and _"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=80))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=300))
    difficulty = fields.String(required=True, validate=validate.OneOf(("easy", "medium", "hard")))
    languages = fields.Dict(keys=fields.String(validate=validate.OneOf(PROGRAM_LANGUAGES)), values=fields.String(),
                            required=True, validate=_check_languages)
    tests = fields.List(fields.Nested(TestSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def tests_per_function(self, data: dict[str, Any], **_: Any) -> None:
        tests: list[ProgramTest] = data.get("tests", [])
        names = [t.name for t in tests]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValidationError(f"duplicate test name(s): {', '.join(map(repr, dupes))}", "tests")
        calls = list(dict.fromkeys(t.call for t in tests))
        low, high = FUNCTIONS_RANGE
        if not low <= len(calls) <= high:
            raise ValidationError(f"tests call {len(calls)} functions; a program has {low} to {high}", "tests")
        for call in calls:
            visible = sum(1 for t in tests if t.call == call and not t.hidden)
            hidden = sum(1 for t in tests if t.call == call and t.hidden)
            if visible < MIN_VISIBLE or hidden < MIN_HIDDEN:
                raise ValidationError(f"{call} has {visible} visible and {hidden} hidden tests; each function needs "
                                      f"at least {MIN_VISIBLE} visible and {MIN_HIDDEN} hidden", "tests")

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> Program:
        files = tuple((language, data["languages"][language]) for language in PROGRAM_LANGUAGES
                      if language in data["languages"])
        return Program(data["id"], data["title"], data["summary"], data["difficulty"], files, tuple(data["tests"]))


def _check_python(program: Program, source: str, file: str) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ScenarioError(file, f"line {exc.lineno}", f"not valid Python: {exc.msg}") from None
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [f for f in program.functions() if f not in defined]
    if missing:
        raise ScenarioError(file, "functions", f"no top-level def for tested function(s): {', '.join(missing)}")


def _check_javascript(program: Program, source: str, file: str) -> None:
    exports = re.search(r"^module\.exports\s*=\s*\{([^}]*)\}\s*;?\s*$", source, re.MULTILINE)
    if not exports:
        raise ScenarioError(file, "module.exports", "the file must end with module.exports = { ... }")
    exported = set(re.findall(r"[A-Za-z_$][\w$]*", exports.group(1)))
    for call in program.functions():
        name = js_name(call)
        if not re.search(rf"^function\s+{re.escape(name)}\s*\(", source, re.MULTILINE):
            raise ScenarioError(file, "functions", f"no top-level function {name} (for tests of {call})")
        if name not in exported:
            raise ScenarioError(file, "module.exports", f"{name} is not exported")


def parse_program(text: str, sources: dict[str, str], *, folder: str, expected_id: str | None = None) -> Program:
    """Validate a truth file and its sources (``{file name: text}``); ``folder`` names them in errors."""
    program: Program = parse_truth_file(text, ProgramSchema, file=f"{folder}/program.yaml", expected_id=expected_id)
    texts = []
    for language, file_name in program.files:
        file = f"{folder}/{file_name}"
        if file_name not in sources:
            raise ScenarioError(f"{folder}/program.yaml", f"languages.{language}", f"{file_name} does not exist")
        source = sources[file_name]
        lines = len(source.splitlines())
        low, high = LINES_RANGE
        if not low <= lines <= high:
            raise ScenarioError(file, "(file)", f"{lines} lines; a program has {low} to {high}")
        (_check_python if language == "python" else _check_javascript)(program, source, file)
        texts.append((language, source))
    return replace(program, sources=tuple(texts))


def program_ids() -> list[str]:
    return sorted(p.parent.name for p in PROGRAMS_DIR.glob("*/program.yaml"))


@lru_cache(maxsize=64)
def load_program(program_id: str) -> Program:
    """One base program with its sources (cached; the files do not change while a process runs)."""
    folder = f"{PHASE_ID}/{program_id}"
    if not re.fullmatch(r"[a-z0-9_]+", program_id or ""):
        raise ScenarioError(folder, "id", "program ids are lower-case letters, digits and _")
    path = PROGRAMS_DIR / program_id
    if not (path / "program.yaml").is_file():
        raise ScenarioError(f"{folder}/program.yaml", "id", f"no program {program_id!r}")
    sources = {p.name: p.read_text(encoding="utf-8") for p in path.iterdir()
               if p.is_file() and p.suffix in EXTENSIONS.values()}
    return parse_program((path / "program.yaml").read_text(encoding="utf-8"), sources, folder=folder,
                         expected_id=program_id)
