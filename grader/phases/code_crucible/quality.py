"""Code quality from real tools and measured rubric items, never from an LLM.

- Python: ruff (the installed one, run on the host on the text: it parses, never executes), with ``--isolated``
  and ``--ignore-noqa`` so a ``# noqa`` comment cannot hide a finding; rubric items measured with ``ast``.
- JavaScript: ESLint, bundled from npm (frontend/pack_eslint.js) and run with node INSIDE the sandbox on the
  student's file; inline ``eslint-disable`` comments are ignored. Rubric items come from the same run (ESLint's
  parser, espree, is acorn's).
- Java: ``javac -Xlint:all`` warnings from a compile in the sandbox (no annotation processors), plus every
  ``@SuppressWarnings`` and print statement as a finding; rubric items by a brace and pattern analysis.
  (checkstyle is not used: see the phase's notes.)
- Every language: duplicated blocks of lines and the size of the code against the reference's, measured on
  the text here. A print in the program's entry point (``if __name__ == "__main__":``, ``require.main === module``,
  Java's ``main``) is how a student tries the function, not a finding (``entry_point``).

``measure_quality`` returns plain data (the Submit stores it); ``scoring`` turns it into points.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from grader.phases.code_crucible.codetext import blank_code, line_of
from grader.phases.code_crucible.entry_point import without_entry_point_prints
from grader.phases.code_crucible.scaffolding import function_bodies
from grader.sandbox import Limits, RunRequest, SandboxBackend, SandboxError

HERE = Path(__file__).resolve().parent
LINTER_BUNDLE = HERE / "build" / "eslint.br.b64"
LINT_LOADER = HERE / "lint_loader.js"
RUFF_RULES = "E,W,F,B,N,SIM,UP,RET,C4,PIE,C90,PL,ARG,ERA,T20"
RUFF_IGNORE = "PLR2004"  # magic values: the task's own numbers are fine in a short function
LINT_LIMITS = Limits(wall_seconds=30.0, cpu_seconds=30.0)
MAX_SHOWN_FINDINGS = 10
SHORT_NAMES_OK = frozenset({"i", "j", "k", "n", "x", "y", "a", "b", "_"})  # loop counters, comparators
JAVAC_LINT = ("javac -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 -J-Xshare:auto -J-Xmx192m -J-XX:-UsePerfData "
              "-encoding UTF-8 -proc:none -Xlint:all -Xmaxwarns 500 -Xmaxerrs 100 -d /tmp/.lint")
TOOLS = {"python": "ruff", "javascript": "ESLint", "java": "javac -Xlint:all"}


# -- language-independent measures -------------------------------------------------------------------------

def _significant_lines(source: str, language: str) -> list[tuple[int, str]]:
    """(line number, normalised text) of the lines that are code, comments and blank lines left out."""
    comment = "#" if language == "python" else "//"
    out = []
    in_block = False
    for number, line in enumerate(source.split("\n"), 1):
        text = " ".join(line.split())
        if language != "python":
            if in_block:
                in_block = "*/" not in text
                continue
            if text.startswith("/*"):
                in_block = "*/" not in text
                continue
            if text.startswith("*"):
                continue
        if not text or text.startswith(comment):
            continue
        out.append((number, text))
    return out


def code_lines(source: str, language: str) -> int:
    return len(_significant_lines(source, language))


def duplicate_blocks(source: str, language: str, window: int = 3) -> list[int]:
    """Line numbers where a run of ``window`` substantial lines repeats lines seen earlier (one per block)."""
    lines = [(n, t) for n, t in _significant_lines(source, language)
             if len(t) >= 12 and not re.fullmatch(r"[\W_]*(?:return|else|try|break|continue|pass)?[\W_]*", t)]
    seen: set[tuple[str, ...]] = set()
    starts: list[int] = []
    previous_repeat = -2
    for index in range(len(lines) - window + 1):
        key = tuple(t for _, t in lines[index:index + window])
        if key in seen:
            if index != previous_repeat + 1:
                starts.append(lines[index][0])
            previous_repeat = index
        else:
            seen.add(key)
    return starts


def _summarise_functions(functions: list[dict[str, Any]]) -> dict[str, Any]:
    longest = max(functions, key=lambda f: f["lines"], default=None)
    deepest = max(functions, key=lambda f: f["depth"], default=None)
    most_complex = max(functions, key=lambda f: f["complexity"], default=None)
    return {
        "functions": len(functions),
        "longest_function": longest["lines"] if longest else 0,
        "longest_name": longest["name"] if longest else "",
        "max_depth": deepest["depth"] if deepest else 0,
        "deepest_name": deepest["name"] if deepest else "",
        "max_complexity": most_complex["complexity"] if most_complex else 0,
        "complex_name": most_complex["name"] if most_complex else "",
    }


# -- Python -----------------------------------------------------------------------------------------------

_PY_CONTROL = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match)
_PY_DECISIONS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.IfExp, ast.ExceptHandler, ast.comprehension,
                 ast.match_case, ast.Assert)


def _python_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any]:
    depth = 0
    complexity = 1
    stack: list[tuple[ast.AST, int]] = [(child, 0) for child in ast.iter_child_nodes(node)]
    while stack:  # iterative: deep nesting must not overflow the grader's stack
        item, level = stack.pop()
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue  # measured on its own
        if isinstance(item, _PY_CONTROL):
            level += 1
            depth = max(depth, level)
        if isinstance(item, _PY_DECISIONS):
            complexity += 1 + (len(item.ifs) if isinstance(item, ast.comprehension) else 0)
        elif isinstance(item, ast.BoolOp):
            complexity += len(item.values) - 1
        stack.extend((child, level) for child in ast.iter_child_nodes(item))
    return {"name": node.name, "line": node.lineno, "lines": (node.end_lineno or node.lineno) - node.lineno + 1,
            "depth": depth, "complexity": complexity}


def _python_names(tree: ast.Module) -> tuple[int, list[str]]:
    names: dict[str, str] = {}
    module_level = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.setdefault(node.name, "function")
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                names.setdefault(arg.arg, "variable")
        elif isinstance(node, ast.ClassDef):
            names.setdefault(node.name, "class")
        elif isinstance(node, ast.Assign | ast.AnnAssign) and id(node) in module_level:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names.setdefault(name.id, "constant")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.setdefault(node.id, "variable")
    bad = []
    for name, kind in names.items():
        short = len(name) < 2 and name not in SHORT_NAMES_OK
        if kind == "class":
            styled = re.fullmatch(r"_?[A-Z][A-Za-z0-9]*", name) is not None
        else:
            styled = re.fullmatch(r"_{0,2}[a-z][a-z0-9_]*|_", name) is not None or (
                kind == "constant" and re.fullmatch(r"[A-Z][A-Z0-9_]*", name) is not None)
        if short or not styled:
            bad.append(name)
    return len(names), bad[:20]


def ruff_path() -> str | None:
    beside = Path(sys.executable).parent / "ruff"
    return str(beside) if beside.is_file() else shutil.which("ruff")


def _ruff(source: str) -> tuple[bool, list[dict[str, Any]], int]:
    """(ruff ran, findings, count). The source travels on stdin; ruff only parses it."""
    ruff = ruff_path()
    if ruff is None:
        return False, [], 0
    try:
        done = subprocess.run(
            [ruff, "check", "--isolated", "--no-cache", "--ignore-noqa", "--no-fix", "--output-format", "json",
             "--line-length", "120", "--select", RUFF_RULES, "--ignore", RUFF_IGNORE,
             "--stdin-filename", "solution.py", "-"],
            input=source.encode(), capture_output=True, timeout=30, check=False, cwd="/")
        items = json.loads(done.stdout.decode() or "[]")
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return False, [], 0
    findings = [{"line": int((i.get("location") or {}).get("row") or 0), "rule": str(i.get("code") or "syntax"),
                 "message": str(i.get("message") or "")[:300]} for i in items if isinstance(i, dict)]
    return True, findings, len(findings)


def _python_quality(source: str) -> dict[str, Any]:
    ran, findings, count = _ruff(source)
    data: dict[str, Any] = {"tool": TOOLS["python"], "available": ran, "findings": findings, "finding_count": count,
                            "suppressions": 0, "parse_error": False, "metrics": None}
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        data["parse_error"] = True
        return data
    try:
        functions = [_python_function(n) for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        name_count, bad = _python_names(tree)
    except RecursionError:
        data["parse_error"] = True
        return data
    data["metrics"] = {**_summarise_functions(functions), "name_count": name_count, "bad_names": bad,
                       "function_list": functions[:50]}
    return data


# -- JavaScript ---------------------------------------------------------------------------------------------

def linter_missing() -> str:
    """'' when the JavaScript linter is built, else what is missing (scripts/frontend.sh builds it)."""
    if not LINTER_BUNDLE.is_file():
        where = LINTER_BUNDLE.relative_to(HERE.parents[2])
        return f"the JavaScript linter is not built ({where}; run scripts/frontend.sh)"
    return ""


def _javascript_quality(backend: SandboxBackend, source: str, file_name: str, function: str) -> dict[str, Any]:
    data: dict[str, Any] = {"tool": TOOLS["javascript"], "available": False, "findings": [], "finding_count": 0,
                            "suppressions": 0, "parse_error": False, "metrics": None}
    if linter_missing():
        return data
    files = {file_name: source, "cr_lint.js": LINT_LOADER.read_text("utf-8"),
             "eslint.br.b64": LINTER_BUNDLE.read_text("utf-8")}
    result = backend.run(RunRequest(language="javascript", files=files, limits=LINT_LIMITS,
                                    command=("node", "/code/cr_lint.js", file_name, function)))
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("CRLINT ")), None)
    if line is None:
        # The linter itself failed on this text (it is never the host's: the loader is ours): a file it cannot
        # even parse within the limits is unreadable code.
        data.update(available=True, parse_error=True, finding_count=1,
                    findings=[{"line": 0, "rule": "parse-error", "message": "ESLint could not read this file"}])
        return data
    report = json.loads(line[len("CRLINT "):])
    metrics = report.get("metrics")
    if isinstance(metrics, dict):
        functions = [f for f in metrics.get("functions", []) if isinstance(f, dict)]
        metrics = {**_summarise_functions(functions), "name_count": int(metrics.get("name_count") or 0),
                   "bad_names": [str(n) for n in metrics.get("bad_names", [])][:20], "function_list": functions[:50]}
    data.update(available=True, findings=report.get("findings", []), finding_count=int(report.get("finding_count", 0)),
                parse_error=bool(report.get("parse_error")), metrics=metrics)
    return data


# -- Java ---------------------------------------------------------------------------------------------------

_JAVAC_LINE = re.compile(r"^(?P<file>[\w$.-]+\.java):(?P<line>\d+): (?P<kind>warning|error): (?P<message>.*)$")
_JAVA_DECL = re.compile(r"\b(?:int|long|double|float|boolean|char|byte|short|var|String|[A-Z][\w$]*"
                        r"(?:<[^;(){}=]*?>)?)(?:\[\])*\s+([A-Za-z_$][\w$]*)\s*(?=[=;:,)])")
_JAVA_PRINT = re.compile(r"\bSystem\s*\.\s*(?:out|err)\s*\.\s*print|\.printStackTrace\s*\(")


def _javac_lint(backend: SandboxBackend, source: str, file_name: str) -> tuple[bool, list[dict[str, Any]], bool]:
    """(ran, warnings, compile errors?) from javac -Xlint:all in the sandbox (javac alone: nothing is run)."""
    result = backend.run(RunRequest(language="java", files={file_name: source}, limits=LINT_LIMITS,
                                    command=("/bin/sh", "-c", f"{JAVAC_LINT} {file_name} 2>&1; echo CRJAVAC $?")))
    if "CRJAVAC" not in result.stdout:
        return False, [], False
    warnings, errors = [], False
    for text in result.stdout.splitlines():
        match = _JAVAC_LINE.match(text)
        if not match:
            continue
        if match.group("kind") == "error":
            errors = True
            continue
        message = match.group("message")
        rule = re.match(r"\[([\w-]+)\]\s*(.*)", message)
        warnings.append({"line": int(match.group("line")), "rule": rule.group(1) if rule else "javac",
                         "message": (rule.group(2) if rule else message)[:300]})
    return True, warnings, errors


def _java_metrics(source: str) -> dict[str, Any]:
    code = blank_code(source, "java")
    functions = []
    for _, name, start, end in function_bodies(source, "java"):
        body = code[start:end + 1]
        depth = level = 0
        for char in body:
            if char == "{":
                level += 1
                depth = max(depth, level - 1)
            elif char == "}":
                level -= 1
        complexity = 1 + len(re.findall(r"\b(?:if|for|while|case|catch)\b|&&|\|\||\s\?\s", body))
        first = line_of(code, start)
        functions.append({"name": name, "line": first, "lines": line_of(code, end) - first + 1, "depth": depth,
                          "complexity": complexity})
    names = {name for _, name, _, _ in function_bodies(source, "java")} | set(_JAVA_DECL.findall(code))
    names -= {"java"}
    bad = [n for n in sorted(names) if (len(n) < 2 and n not in SHORT_NAMES_OK)
           or not (re.fullmatch(r"[a-z][A-Za-z0-9]*", n) or re.fullmatch(r"[A-Z][A-Z0-9_]*", n))]
    return {**_summarise_functions(functions), "name_count": len(names), "bad_names": bad[:20],
            "function_list": functions[:50]}


def _java_quality(backend: SandboxBackend, source: str, file_name: str) -> dict[str, Any]:
    ran, warnings, errors = _javac_lint(backend, source, file_name)
    code = blank_code(source, "java")
    extra = [{"line": line_of(code, m.start()), "rule": "suppress", "message": "@SuppressWarnings hides warnings"}
             for m in re.finditer(r"@\s*SuppressWarnings\b", code)]
    extra += [{"line": line_of(code, m.start()), "rule": "print", "message": "printing (debugging output) left in"}
              for m in _JAVA_PRINT.finditer(code)]
    findings = sorted(warnings + extra, key=lambda f: f["line"])
    return {"tool": TOOLS["java"], "available": ran, "findings": findings, "finding_count": len(findings),
            "suppressions": sum(1 for f in extra if f["rule"] == "suppress"), "parse_error": errors,
            "metrics": None if errors else _java_metrics(source)}


# -- entry point --------------------------------------------------------------------------------------------

def measure_quality(backend: SandboxBackend, language: str, source: str, file_name: str, function: str,
                    reference: str) -> dict[str, Any]:
    """The quality measurements of ``source`` (student-safe: about the student's own text only)."""
    try:
        if language == "python":
            data = _python_quality(source)
        elif language == "javascript":
            data = _javascript_quality(backend, source, file_name, function)
        else:
            data = _java_quality(backend, source, file_name)
    except SandboxError:
        data = {"tool": TOOLS[language], "available": False, "findings": [], "finding_count": 0, "suppressions": 0,
                "parse_error": False, "metrics": None}
    findings = sorted(data["findings"], key=lambda f: (f.get("line", 0), f.get("rule", "")))
    findings, dropped = without_entry_point_prints(findings, source, language)  # trying it out is not debugging
    data["finding_count"] = max(0, int(data.get("finding_count") or 0) - dropped)
    data["findings"] = findings[:MAX_SHOWN_FINDINGS]
    data["duplicates"] = duplicate_blocks(source, language)[:20]
    data["code_lines"] = code_lines(source, language)
    data["reference_lines"] = code_lines(reference, language)
    if isinstance(data.get("metrics"), dict):
        data["metrics"].pop("function_list", None)
    return data
