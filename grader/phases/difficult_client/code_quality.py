"""Code-quality checks computed from the student's source with ``ast`` (never by an LLM).

Comments are ignored on purpose: a comment cannot raise the score, so a fake "grader note" in the code
cannot move the grade.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

SHORT_NAMES_OK = frozenset({"i", "j", "k", "n", "x", "y", "_"})
MAX_FUNCTION_LINES = 30
MAX_NESTING = 3


@dataclass(frozen=True)
class QualityReport:
    score: float  # 0..1
    checks: dict[str, bool]

    def evidence(self) -> str:
        failed = [name for name, ok in self.checks.items() if not ok]
        return "all checks passed" if not failed else "failed: " + ", ".join(failed)


def _depth(node: ast.AST, level: int = 0) -> int:
    nested = (ast.If, ast.For, ast.While, ast.Try, ast.With, ast.AsyncFor, ast.AsyncWith, ast.Match)
    child_levels = [_depth(c, level + isinstance(c, nested)) for c in ast.iter_child_nodes(node)]
    return max([level, *child_levels])


def python_quality(source: str, function_name: str, signature: str) -> QualityReport:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return QualityReport(0.0, {"parses": False})
    expected_args = len(ast.parse(signature.rstrip(":") + ": pass").body[0].args.args)  # type: ignore[attr-defined]
    func = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function_name), None)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if func is not None:
        names |= {a.arg for a in func.args.args}
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    checks = {
        "parses": True,
        "defines_function": func is not None,
        "matching_parameters": func is not None and len(func.args.args) == expected_args,
        "docstring": func is not None and ast.get_docstring(func) is not None,
        "short_function": func is not None and (func.end_lineno or 0) - func.lineno + 1 <= MAX_FUNCTION_LINES,
        "shallow_nesting": func is not None and _depth(func) <= MAX_NESTING,
        "descriptive_names": all(len(n) > 1 or n in SHORT_NAMES_OK for n in names),
        "no_bare_except": not any(isinstance(n, ast.ExceptHandler) and n.type is None for n in ast.walk(tree)),
        "no_eval_exec_or_globals": not (calls & {"eval", "exec"})
        and not any(isinstance(n, ast.Global) for n in ast.walk(tree)),
        "no_print_debugging": "print" not in calls,
    }
    return QualityReport(round(sum(checks.values()) / len(checks), 3), checks)
