"""A program's entry point, where printing is how a student tries the function, not debugging left behind.

Run executes the student's file as a program, and the statement invites calling the function and printing the
result: Python's ``if __name__ == "__main__":`` block, JavaScript's ``if (require.main === module) { ... }`` and
Java's ``public static void main(String[] args)`` are that program. A print there is not a quality finding; a print
anywhere else (inside the function, at the top level) still is.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from grader.phases.code_crucible.codetext import blank_code, line_of, matching_brace
from grader.phases.code_crucible.scaffolding import function_bodies

# The linters' rule names for printing: ruff's flake8-print, ESLint's no-console, and quality.py's own Java check.
PRINT_RULES = {"python": frozenset({"T201", "T203"}), "javascript": frozenset({"no-console"}),
               "java": frozenset({"print"})}
_JS_MAIN = re.compile(r"\bif\s*\(\s*(?:require\s*\.\s*main\s*===?\s*module|module\s*===?\s*require\s*\.\s*main)"
                      r"\s*\)\s*\{")
_JAVA_MAIN = re.compile(r"\bstatic\s+void\s+main\s*\(\s*(?:final\s+)?String\s*(?:\[\s*\]|\.\.\.)\s*\w+\s*"
                        r"(?:\[\s*\])?\s*\)\s*(?:throws\s+[\w.,\s]+)?$")


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)


def entry_point_lines(source: str, language: str) -> set[int]:
    """The 1-based line numbers of the file's entry point (empty when it has none or does not parse)."""
    lines: set[int] = set()
    if language == "python":
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return lines
        for node in tree.body:  # only a top-level guard: one inside a function is that function's code
            if isinstance(node, ast.If) and _is_main_guard(node.test):
                lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        return lines
    code = blank_code(source, language)
    spans: list[tuple[int, int]] = []
    if language == "javascript":
        for match in _JS_MAIN.finditer(code):
            end = matching_brace(code, match.end() - 1)
            if end > 0:
                spans.append((match.start(), end))
    elif language == "java":
        for _, name, start, end in function_bodies(source, language):
            if name == "main" and _JAVA_MAIN.search(code[max(0, start - 300):start].rstrip()):
                spans.append((start, end))
    for start, end in spans:
        lines.update(range(line_of(code, start), line_of(code, end) + 1))
    return lines


def without_entry_point_prints(findings: list[dict[str, Any]], source: str,
                               language: str) -> tuple[list[dict[str, Any]], int]:
    """(the findings less the prints made from the entry point, how many were dropped)."""
    rules = PRINT_RULES.get(language, frozenset())
    if not any(f.get("rule") in rules for f in findings):
        return findings, 0
    main = entry_point_lines(source, language)
    kept = [f for f in findings if not (f.get("rule") in rules and f.get("line") in main)]
    return kept, len(findings) - len(kept)
