"""Level scaffolding (edmap's ladder): the starter file and the rules of each level, per language.

Every starter is derived from the verified reference, deterministically, never written by hand:

- intern — the reference with each marked ``>>> TODO`` region replaced by its TODO comment (plus a
  ``raise``/``throw`` where the region returned or a block would be left empty);
- junior — every function and method body replaced by a TODO stub (signature, docstring or JSDoc/Javadoc
  comment, constants, imports and constructors kept);
- mid — the signature only, with a stub body;
- senior — an empty file with one comment line naming the function to write and asking for the student's
  own tests (Java keeps the class shell its file name requires).

``cr:param`` comments never reach a starter.

Derived from a linked Difficult Client interview, a region tied to a requirement the student missed
(``>>> TODO[id]: ...``) is withheld: its hint is never offered, and in the Intern and Junior starters its TODO line
says only its neutral text (after `` || ``: what the statement without the requirement implies), or the region is
left out entirely when it has none. Names, docstrings, comments and constants outside tied regions say nothing of a
requirement (the references are written that way; tests/phases/code_crucible/test_missed_requirements.py checks).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection
from dataclasses import dataclass

from grader.phases.code_crucible.codetext import blank_code, matching_brace
from grader.phases.code_crucible.tasks import (
    COMMENT,
    MARK_CLOSE,
    MARK_NEUTRAL,
    MARK_OPEN,
    PARAM_MARK,
    Task,
    needs_stub,
    regions,
)

LEVELS = ("intern", "junior", "mid", "senior")
DEFAULT_LEVEL = "mid"
STUB = {"python": "raise NotImplementedError", "javascript": "throw new Error('TODO');",
        "java": 'throw new UnsupportedOperationException("TODO");'}
HINT_PENALTY = 5  # points per hint taken where hints cost (mid, senior)
MAX_PAID_HINTS = 3


@dataclass(frozen=True)
class LevelRules:
    """What a level shows and allows; the page states them."""

    level: str
    title: str
    starter: str  # what the editor starts with, in words
    hidden_shown: str  # "all" (inputs too), "names" (name and tag before Submit), "none" (tag after Submit)
    hints: str  # "always", "after_failed_run", "on_request"
    hint_cost: int  # points per hint
    max_hints: int | None  # None: as many as there are
    own_tests: bool  # the student's own tests run and count toward quality

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def sentence(self) -> str:
        hidden = {"all": "every test is shown, hidden ones included",
                  "names": "hidden tests are listed by name and edge case, without their inputs",
                  "none": "hidden tests stay hidden; after a Submit you see which edge cases failed"}[self.hidden_shown]
        hints = {"always": "hints are always shown, free",
                 "after_failed_run": "a free hint unlocks after each failed Run or Submit",
                 "on_request": f"hints on request cost {self.hint_cost} points each (at most {self.max_hints})"}
        text = f"{self.title}: {self.starter}; {hidden}; {hints[self.hints]}"
        if self.own_tests:
            text += "; write your own test functions: they run on Submit and count toward quality"
        return text + "."


RULES = {
    "intern": LevelRules("intern", "Intern", "most of the solution is given, with TODO markers", "all", "always", 0,
                         None, False),
    "junior": LevelRules("junior", "Junior", "every function is a stub to fill in", "names", "after_failed_run", 0,
                         None, False),
    "mid": LevelRules("mid", "Mid", "only the signature is given", "none", "on_request", HINT_PENALTY,
                      MAX_PAID_HINTS, False),
    "senior": LevelRules("senior", "Senior", "an empty file", "none", "on_request", HINT_PENALTY, MAX_PAID_HINTS,
                         True),
}


def strip_param_marks(source: str) -> str:
    """The source without its ``cr:param`` comments (the values stay)."""
    out = []
    for line in source.split("\n"):
        match = PARAM_MARK.match(line)
        out.append(line[:match.end("code")] if match else line)
    return "\n".join(out)


def strip_markers(source: str) -> str:
    """The source without its scaffolding marker lines, neutral-text lines included (the regions' code stays)."""
    return "\n".join(line for line in source.split("\n")
                     if not (MARK_OPEN.match(line) or MARK_CLOSE.match(line) or MARK_NEUTRAL.match(line)))


def _render_regions(source: str, language: str, missed: Collection[str], withheld_only: bool) -> str:
    """The source with its marked regions replaced by TODO lines (plus a ``raise``/``throw`` where the region
    returned or a block would be left empty). A region tied to a requirement in ``missed`` says only its neutral
    text, or is left out entirely when it has none (the loader makes sure it then needs no stub).
    ``withheld_only``: replace only those, keeping the other regions (markers included) as they are."""
    lines = source.split("\n")
    out: list[str] = []
    cursor = 0
    for region in regions(source, language):
        held = region.withheld(missed)
        if withheld_only and not held:
            continue
        start, end = region.open_line - 1, region.close_line - 1  # 0-based marker lines
        out += lines[cursor:start]
        cursor = end + 1
        if held and not region.neutral:
            continue
        out.append(f"{region.indent}{COMMENT[language]} TODO: {region.neutral if held else region.todo}")
        if needs_stub(lines, region, language):
            out.append(region.indent + STUB[language])
    out += lines[cursor:]
    return "\n".join(out)


def intern_starter(source: str, language: str, missed: Collection[str] = ()) -> str:
    """The reference with its marked regions replaced by their TODO comments; a region of a requirement the
    student missed says nothing of it (see ``_render_regions``)."""
    return strip_param_marks(_render_regions(source, language, missed, withheld_only=False))


# -- junior ------------------------------------------------------------------------------------------------

def _python_junior(source: str) -> str:
    tree = ast.parse(source)
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(node)
        elif isinstance(node, ast.ClassDef):
            functions += [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                          and n.name != "__init__"]
    lines = source.split("\n")
    for node in sorted(functions, key=lambda n: n.lineno, reverse=True):
        first = node.body[0]
        if first.lineno == node.lineno:
            continue  # a one-line def: nothing to stub
        indent = re.match(r"[ \t]*", lines[first.lineno - 1]).group(0)  # type: ignore[union-attr]
        keep_to = first.lineno - 1  # 0-based index of the first body line
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            keep_to = first.end_lineno or first.lineno  # keep the docstring
        end = node.end_lineno or node.lineno
        lines[keep_to:end] = [f"{indent}# TODO: write this function", f"{indent}{STUB['python']}"]
    return "\n".join(lines)


_JS_MEMBER = re.compile(r"(?m)^([ \t]+)(?:(?:static|async|get|set)\s+)*([A-Za-z_$][\w$]*)\s*\(")
_JS_FUNCTION = re.compile(r"(?m)^([ \t]*)(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(")
_KEYWORDS = {"if", "for", "while", "switch", "catch", "function", "return", "new", "else", "do", "try", "with",
             "typeof", "throw", "case", "synchronized", "class", "record", "interface", "enum", "constructor"}
_JAVA_MODIFIERS = {"public", "private", "protected", "static", "final", "abstract", "synchronized", "default",
                   "native", "strictfp", "transient", "volatile"}
_JAVA_METHOD = re.compile(
    r"(?m)^([ \t]*)((?:(?:public|private|protected|static|final|synchronized|abstract|default)\s+)*)"
    r"(?:<[^;{}()]*?>\s+)?([\w$.]+(?:<[^;{}()]*?>)?(?:\[\])*)\s+([\w$]+)\s*\(")


def _close_paren(code: str, open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(code)):
        if code[index] == "(":
            depth += 1
        elif code[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _body_after(code: str, paren: int, allow_throws: bool) -> int:
    """The index of the ``{`` opening the body after a parameter list's ``(`` at ``paren``, or -1."""
    close = _close_paren(code, paren)
    if close < 0:
        return -1
    rest = code[close + 1:]
    pattern = r"\s*(?:throws\s+[\w$.,\s]+?)?\s*\{" if allow_throws else r"\s*\{"
    match = re.match(pattern, rest)
    return close + match.end() if match else -1


def function_bodies(source: str, language: str) -> list[tuple[str, str, int, int]]:
    """(indent, name, index of '{', index of '}') of every outermost function or method body with a name
    (JavaScript: function declarations and class methods; Java: methods, constructors excluded)."""
    code = blank_code(source, language)
    found: list[tuple[str, str, int, int]] = []
    if language == "javascript":
        candidates = [(m.group(1), m.group(2), m.end() - 1) for m in _JS_FUNCTION.finditer(code)]
        candidates += [(m.group(1), m.group(2), m.end() - 1) for m in _JS_MEMBER.finditer(code)
                       if m.group(2) not in _KEYWORDS and _in_class_body(code, m.start())]
    else:
        candidates = [(m.group(1), m.group(4), m.end() - 1) for m in _JAVA_METHOD.finditer(code)
                      if m.group(3) not in _KEYWORDS | _JAVA_MODIFIERS and m.group(4) not in _KEYWORDS]
    for indent, name, paren in sorted(candidates, key=lambda c: c[2]):
        brace = _body_after(code, paren, language == "java")
        if brace < 0 or any(start < paren < end for _, _, start, end in found):
            continue
        end = matching_brace(code, brace)
        if end > 0:
            found.append((indent, name, brace, end))
    return found


def _in_class_body(code: str, index: int) -> bool:
    """Whether ``index`` sits directly in a JavaScript class body (a method's place)."""
    depth_stack: list[bool] = []  # per open brace: is it a class body?
    for match in re.finditer(r"\bclass\b[^{;]*\{|[{}]", code[:index]):
        token = match.group(0)
        if token == "}":
            if depth_stack:
                depth_stack.pop()
        else:
            depth_stack.append(token.startswith("class"))
    return bool(depth_stack) and depth_stack[-1]


def _c_like_junior(source: str, language: str) -> str:
    word = "method" if language == "java" else "function"
    out = source
    for indent, _, brace, end in sorted(function_bodies(source, language), key=lambda b: b[2], reverse=True):
        inner = indent + ("    " if language == "java" else "  ")
        stub = f"\n{inner}{COMMENT[language]} TODO: write this {word}\n{inner}{STUB[language]}\n{indent}"
        out = out[:brace + 1] + stub + out[end:]
    return out


def junior_starter(source: str, language: str, missed: Collection[str] = ()) -> str:
    """The reference with every function body replaced by a stub. The code of a requirement the student missed
    goes first (it may sit outside a function body: a constant, a helper, a field)."""
    if missed:
        source = _render_regions(source, language, missed, withheld_only=True)
    plain = strip_markers(strip_param_marks(source))
    if language == "python":
        return _python_junior(plain)
    return _c_like_junior(plain, language)


# -- mid and senior ----------------------------------------------------------------------------------------

def mid_starter(task: Task, language: str) -> str:
    signature = task.signature(language)
    name = task.function_name(language)
    if language == "python":
        return f"{signature}\n    # TODO: write this function (see the statement)\n    {STUB['python']}\n"
    if language == "javascript":
        return (f"'use strict';\n\n{signature}\n  // TODO: write this function (see the statement)\n"
                f"  {STUB['javascript']}\n}}\n\nmodule.exports = {{ {name} }};\n")
    return (f"import java.util.*;\n\npublic class Solution {{\n    {signature}\n"
            f"        // TODO: write this method (see the statement)\n        {STUB['java']}\n    }}\n}}\n")


def senior_starter(task: Task, language: str) -> str:
    signature = task.signature(language).rstrip("{: ").removeprefix("def ").removeprefix("function ")
    if language == "python":
        return (f"# Write {signature} here, and test_... functions (no arguments) that check it with assert: "
                f"they run on Submit.\n")
    if language == "javascript":
        return (f"// Write function {signature} here, and functions named test...() (no arguments) that throw "
                f"when a check fails: they run on Submit.\n")
    return (f"// Write {signature} in class Solution, and static void test...() methods (no arguments) that throw "
            f"an AssertionError when a check fails: they run on Submit.\nimport java.util.*;\n\n"
            f"public class Solution {{\n}}\n")


def starter(task: Task, language: str, level: str, variant: int = 0, missed: Collection[str] = ()) -> str:
    """The file the editor starts with. ``missed``: requirements the student did not discover in the linked
    interview; nothing of them reaches a starter."""
    if level == "intern":
        return intern_starter(task.reference(language, variant), language, missed)
    if level == "junior":
        return junior_starter(task.reference(language, variant), language, missed)
    if level == "mid":
        return mid_starter(task, language)
    if level == "senior":
        return senior_starter(task, language)
    raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


def hint_texts(task: Task, language: str, variant: int = 0, missed: Collection[str] = ()) -> tuple[str, ...]:
    """The hints, in order: what each marked region of the reference does (its TODO line). The region of a
    requirement the student missed is never a hint: its text would teach what the interview should have."""
    return tuple(task.text(r.todo, variant) for r in regions(task.reference(language, variant), language)
                 if not r.withheld(missed))
