"""A coding task: the function a student implements, its public examples and its hidden tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from grader.workbench.notation import call, literal

if TYPE_CHECKING:
    from grader.sandbox import SandboxBackend

LANGUAGE_NAMES = {"python": "Python", "javascript": "JavaScript", "java": "Java"}


@dataclass(frozen=True)
class CodeCase:
    args: tuple[Any, ...]
    expected: Any


@dataclass(frozen=True)
class CodingTask:
    language: str
    function_name: str
    signature: str
    description: str
    examples: tuple[CodeCase, ...]
    hidden_tests: tuple[CodeCase, ...]

    def public(self) -> dict[str, Any]:
        """What a student may see once the task is unlocked: never the hidden tests."""
        return {
            "language": self.language,
            "language_name": LANGUAGE_NAMES.get(self.language, self.language),
            "function_name": self.function_name,
            "signature": self.signature,
            "description": self.description,
            "examples": [{"args": list(c.args), "expected": c.expected,
                          "call": call(self.function_name, list(c.args), self.language),
                          "shown_expected": literal(c.expected, self.language)} for c in self.examples],
        }

    def execute(self, backend: SandboxBackend, kind: str, source: str, stdin: str = "",
                cancel: threading.Event | None = None) -> dict[str, Any]:
        """One Run or Submit of this task (see :func:`grader.workbench.code_runs.execute`). Every phase's task
        object answers this, so the worker runs code without knowing the phase."""
        from grader.workbench.code_runs import execute  # code_runs imports this module

        return execute(backend, self, kind, source, stdin, cancel)


class CaseSchema(Schema):
    class Meta:
        unknown = RAISE

    args = fields.List(fields.Raw(allow_none=True), required=True)
    expected = fields.Raw(required=True, allow_none=True)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> CodeCase:
        return CodeCase(args=tuple(data["args"]), expected=data["expected"])


class CodingTaskSchema(Schema):
    class Meta:
        unknown = RAISE

    language = fields.String(required=True, validate=validate.OneOf(("python",)))
    function_name = fields.String(required=True, validate=validate.Regexp(r"^[a-z_][a-z0-9_]*$"))
    signature = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(required=True, validate=validate.Length(min=1))
    examples = fields.List(fields.Nested(CaseSchema), required=True, validate=validate.Length(min=1))
    hidden_tests = fields.List(fields.Nested(CaseSchema), required=True, validate=validate.Length(min=3))

    @validates_schema
    def signature_names_function(self, data: dict[str, Any], **_: Any) -> None:
        if not data["signature"].startswith(f"def {data['function_name']}("):
            raise ValidationError("must start with 'def <function_name>('", "signature")

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> CodingTask:
        return CodingTask(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
