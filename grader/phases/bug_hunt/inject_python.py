"""Where a human could have broken a Python program: candidate bug sites found with ``ast`` (what the code
means) and ``tokenize`` (exact positions of operators, colons and brackets).

Each candidate is one small text edit inside one top-level function. Semantic bugs (logic, runtime, type)
go only into tested functions that no other function calls, so a bug fails only its own function's tests;
a syntax bug may go into any function. Which candidates make a good exercise is decided by running it
(``verify.py``); this module only proposes plausible human mistakes.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator

from grader.phases.bug_hunt.edits import Candidate, Edit

HEADER_KEYWORDS = {"def", "if", "elif", "else", "for", "while", "try", "except", "finally", "with"}
SWAPS = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">", ast.Eq: "!=", ast.NotEq: "=="}
OPERATOR_TEXT = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
CONVERSIONS = ("str", "int", "float")
CLOSERS = {")": "(", "]": "[", "}": "{"}


class _Source:
    """Offsets for ast positions (UTF-8 byte columns) and tokens (character columns)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)]

    def at(self, row: int, col: int) -> int:
        return self.starts[row - 1] + col

    def at_bytes(self, row: int, col: int) -> int:
        line = self.lines[row - 1] if row - 1 < len(self.lines) else ""
        return self.starts[row - 1] + len(line.encode()[:col].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.at_bytes(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.at_bytes(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def token_offsets(self, token: tokenize.TokenInfo) -> tuple[int, int]:
        return self.at(*token.start), self.at(*token.end)

    def find_token(self, start: int, end: int, strings: set[str]) -> tuple[int, int] | None:
        """The first OP/NAME token in [start, end) whose text is one of ``strings``."""
        for token in self.tokens:
            a, b = self.token_offsets(token)
            if a >= end:
                break
            if a >= start and b <= end and token.type in (tokenize.OP, tokenize.NAME) and token.string in strings:
                return a, b
        return None


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _called_names(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _is_str(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)


def _joins_strings(node: ast.BinOp) -> bool:
    """A ``+`` chain with a string literal in it is concatenation, not arithmetic."""
    parts: list[ast.AST] = [node]
    while parts:
        part = parts.pop()
        if _is_str(part):
            return True
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
            parts += [part.left, part.right]
    return False


ATOMS = (ast.Name, ast.Attribute, ast.Subscript, ast.Call)
PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.FloorDiv: 2, ast.Mod: 2, ast.Pow: 3}


def _unwraps(arg: ast.AST, parent: ast.AST | None, call: ast.AST) -> bool:
    """Whether ``f(arg)`` can become plain ``arg`` without changing how the rest of the line parses."""
    if isinstance(arg, ATOMS) or isinstance(parent, ast.Assign | ast.Return | ast.Call | ast.keyword | ast.List):
        return True
    if isinstance(arg, ast.BinOp) and isinstance(parent, ast.BinOp):
        inner, outer = PRECEDENCE.get(type(arg.op), 0), PRECEDENCE.get(type(parent.op), 9)
        return inner > outer or (inner == outer and parent.left is call)
    return False


def _initialises(node: ast.stmt) -> bool:
    """``counts[key] = 0``: the first value of an entry, which later code goes on to use."""
    return (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript)
            and (isinstance(node.value, ast.List | ast.Dict | ast.Set)
                 or (isinstance(node.value, ast.Constant) and node.value.value in (0, ""))))


def _guard(node: ast.If) -> bool:
    """``if not items: return 0``, ``if key not in counts: counts[key] = 0`` and friends: an early exit or a first
    value for an empty, zero or missing one."""
    if node.orelse or len(node.body) != 1:
        return False
    if not (isinstance(node.body[0], ast.Return | ast.Continue) or _initialises(node.body[0])):
        return False
    test = node.test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, ast.Eq | ast.LtE | ast.Is) and isinstance(right, ast.Constant):
            return right.value in (0, None, "")
        if isinstance(op, ast.NotIn):
            return True
    return False


def _statement_lines(src: _Source, node: ast.stmt) -> Edit:
    """Delete the whole lines of ``node``, with any comment lines right above it at the same indent."""
    first, last = node.lineno, node.end_lineno or node.lineno
    indent = src.lines[first - 1][:len(src.lines[first - 1]) - len(src.lines[first - 1].lstrip())]
    while first > 1 and src.lines[first - 2].startswith(indent + "#"):
        first -= 1
    return Edit(src.starts[first - 1], src.starts[last], "")


class _Finder:
    def __init__(self, src: _Source, function: ast.FunctionDef, name: str, semantic: bool) -> None:
        self.src, self.function, self.name, self.semantic = src, function, name, semantic
        self.parents = _parents(function)
        self.found: list[Candidate] = []

    def add(self, type_: str, start: int, end: int, replacement: str, description: str) -> None:
        if type_ == "syntax" or self.semantic:
            self.found.append(Candidate(type_, self.name, Edit(start, end, replacement), description))

    def nodes(self) -> Iterator[ast.AST]:
        """Every node of the body except the docstring and anything inside an f-string (unreliable positions)."""
        body = self.function.body
        if body and isinstance(body[0], ast.Expr) and _is_str(body[0].value):
            body = body[1:]
        stack: list[ast.AST] = list(reversed(body))
        while stack:
            node = stack.pop()
            if isinstance(node, ast.JoinedStr):
                continue
            yield node
            stack += reversed(list(ast.iter_child_nodes(node)))

    def run(self) -> list[Candidate]:
        self.syntax()
        assigned = {a.arg for a in self.function.args.args}
        for node in self.nodes():
            if isinstance(node, ast.Compare):
                self.compare(node)
            elif isinstance(node, ast.BinOp):
                self.binop(node)
            elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
                self.augassign(node)
            elif isinstance(node, ast.BoolOp) and len(node.values) == 2:
                self.boolop(node)
            elif isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                self.slice(node)
            elif isinstance(node, ast.If) and _guard(node) and node in getattr(self.parents.get(node), "body", ()):
                edit = _statement_lines(self.src, node)
                self.add("runtime", edit.start, edit.end, "",
                         f"removed the check `if {self.src.segment(node.test)}:` and what it does")
            if isinstance(node, ast.Assign):
                self.assign(node, assigned)
                assigned |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        return self.found

    def syntax(self) -> None:
        src = self.src
        first, last = self.function.lineno, self.function.end_lineno or self.function.lineno
        tokens = [t for t in src.tokens if first <= t.start[0] <= last]
        line_tokens: list[tokenize.TokenInfo] = []
        for token in tokens:
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                self.line(line_tokens, token.type == tokenize.NEWLINE)
                line_tokens = [] if token.type == tokenize.NEWLINE else line_tokens
            elif token.type not in (tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                line_tokens.append(token)

    def line(self, tokens: list[tokenize.TokenInfo], logical_end: bool) -> None:
        if not tokens:
            return
        src = self.src
        if logical_end and tokens[0].string in HEADER_KEYWORDS and tokens[-1].string == ":":
            start, end = src.token_offsets(tokens[-1])
            self.add("syntax", start, end, "", f"dropped the colon of the `{tokens[0].string}` line")
        # The last closing bracket of a physical line whose opener is on the same line.
        row = tokens[-1].start[0]
        same_row = [t for t in tokens if t.start[0] == row and t.type == tokenize.OP]
        depth: list[tokenize.TokenInfo] = []
        closers: list[tokenize.TokenInfo] = []
        for token in same_row:
            if token.string in "([{":
                depth.append(token)
            elif token.string in CLOSERS and depth and depth[-1].string == CLOSERS[token.string]:
                depth.pop()
                closers.append(token)
        if closers:
            start, end = src.token_offsets(closers[-1])
            self.add("syntax", start, end, "", f"dropped a closing `{closers[-1].string}`")

    def compare(self, node: ast.Compare) -> None:
        if len(node.ops) != 1 or type(node.ops[0]) not in SWAPS:
            return
        if any(isinstance(side, ast.Constant) and side.value is None for side in (node.left, node.comparators[0])):
            return
        op = type(node.ops[0])
        spot = self.src.find_token(self.src.span(node.left)[1], self.src.span(node.comparators[0])[0],
                                   {OPERATOR_TEXT[op]})
        if spot:
            runtime = self._indexes_past_end(node)
            self.add("runtime" if runtime else "logic", *spot, SWAPS[op],
                     f"`{OPERATOR_TEXT[op]}` became `{SWAPS[op]}`")

    def _indexes_past_end(self, node: ast.Compare) -> bool:
        """``i < len(items)`` guarding ``items[i]``: ``<=`` then reads past the end."""
        right = node.comparators[0]
        return (isinstance(node.ops[0], ast.Lt) and isinstance(right, ast.Call) and isinstance(right.func, ast.Name)
                and right.func.id == "len")

    def binop(self, node: ast.BinOp) -> None:
        src = self.src
        if isinstance(node.op, ast.Add | ast.Sub) and not _joins_strings(node):
            old, new = ("+", "-") if isinstance(node.op, ast.Add) else ("-", "+")
            spot = src.find_token(src.span(node.left)[1], src.span(node.right)[0], {old})
            if spot:
                self.add("logic", *spot, new, f"`{old}` became `{new}`")
        # len(x) - 1 -> len(x): past the end when it indexes, else simply one too many
        if (isinstance(node.op, ast.Sub) and isinstance(node.right, ast.Constant) and node.right.value == 1
                and self._is_len(node.left)):
            parent = self.parents.get(node)
            runtime = isinstance(parent, ast.Subscript) and parent.slice is node
            self.add("runtime" if runtime else "logic", src.span(node.left)[1], src.span(node)[1], "",
                     "`len(...) - 1` lost its `- 1`")

    @staticmethod
    def _is_len(node: ast.AST) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"
                and len(node.args) == 1 and not node.keywords)

    def augassign(self, node: ast.AugAssign) -> None:
        old, new = ("+=", "-=") if isinstance(node.op, ast.Add) else ("-=", "+=")
        spot = self.src.find_token(self.src.span(node.target)[1], self.src.span(node.value)[0], {old})
        if spot and not _is_str(node.value):
            self.add("logic", *spot, new, f"`{old}` became `{new}`")

    def boolop(self, node: ast.BoolOp) -> None:
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        spot = self.src.find_token(self.src.span(node.values[0])[1], self.src.span(node.values[1])[0], {old})
        if spot:
            self.add("logic", *spot, new, f"`{old}` became `{new}`")

    def assign(self, node: ast.Assign, assigned: set[str]) -> None:
        """``total = total + x`` written as ``total == total + x``: a comparison whose result is thrown away."""
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or node.targets[0].id not in assigned:
            return
        spot = self.src.find_token(self.src.span(node.targets[0])[1], self.src.span(node.value)[0], {"="})
        if spot:
            self.add("logic", *spot, "==", "`=` became `==`")

    def call(self, node: ast.Call) -> None:
        src = self.src
        func = node.func
        parent = self.parents.get(node)
        if isinstance(func, ast.Name) and func.id in ("min", "max"):
            other = "max" if func.id == "min" else "min"
            self.add("logic", *src.span(func), other, f"`{func.id}` became `{other}`")
        if isinstance(func, ast.Name) and func.id == "range" and node.args and not node.keywords:
            self.range_call(node)
        if (isinstance(func, ast.Name) and func.id in CONVERSIONS and len(node.args) == 1 and not node.keywords
                and not isinstance(node.args[0], ast.Constant | ast.Starred)):
            arg = node.args[0]
            if isinstance(parent, ast.Attribute):
                # str(n % 100).zfill(2) -> (n % 100).zfill(2): the number has no such method
                text = src.segment(arg) if isinstance(arg, ATOMS) else f"({src.segment(arg)})"
                self.add("runtime", *src.span(node), text, f"dropped the `{func.id}(...)` before a method call")
            elif _unwraps(arg, parent, node):
                self.add("type", *src.span(node), src.segment(arg), f"dropped the `{func.id}(...)` conversion")
        if self._is_len(node) and isinstance(node.args[0], ast.Name | ast.Attribute | ast.Subscript):
            in_arithmetic = isinstance(parent, ast.BinOp | ast.Compare) or (
                isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "range")
            if in_arithmetic:
                self.add("type", *src.span(node), src.segment(node.args[0]), "dropped the `len(...)` around a list")
        if (isinstance(func, ast.Attribute) and func.attr == "get" and len(node.args) == 2 and not node.keywords):
            text = f"{src.segment(func.value)}[{src.segment(node.args[0])}]"
            self.add("runtime", *src.span(node), text, "a `.get` lookup lost its default")
        if isinstance(func, ast.Name) and func.id == "next" and len(node.args) == 2 and not node.keywords:
            self.add("runtime", src.span(node.args[0])[1], src.span(node.args[1])[1], "", "`next` lost its default")

    def range_call(self, node: ast.Call) -> None:
        src = self.src
        stop = node.args[1] if len(node.args) >= 2 else node.args[0]
        stop_end = src.span(stop)[1]
        if self._is_len(stop):
            self.add("runtime", stop_end, stop_end, " + 1", "the range runs one past the end")
        if len(node.args) == 1:
            self.add("logic", src.span(stop)[0], src.span(stop)[0], "1, ", "the range skips its first value")
        elif len(node.args) == 2 and not isinstance(stop, ast.Constant):
            self.add("logic", stop_end, stop_end, " - 1", "the range stops one early")

    def slice(self, node: ast.Subscript) -> None:
        piece = node.slice
        assert isinstance(piece, ast.Slice)
        if piece.step is not None:
            return
        lower = piece.lower
        if isinstance(lower, ast.Constant) and isinstance(lower.value, int) and not isinstance(lower.value, bool):
            self.add("logic", *self.src.span(lower), str(lower.value + 1), "a slice starts one too late")
        elif piece.upper is not None and not isinstance(piece.upper, ast.UnaryOp):
            end = self.src.span(piece.upper)[1]
            self.add("logic", end, end, " + 1", "a slice takes one too many")


def candidates(source: str, tested: set[str]) -> list[Candidate]:
    """Every candidate bug site of a Python program, in source order. ``tested``: functions with tests."""
    src = _Source(source)
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    helpers = {name for f in functions for name in _called_names(f) if name != f.name}
    found: list[Candidate] = []
    for function in functions:
        semantic = function.name in tested and function.name not in helpers
        found += _Finder(src, function, function.name, semantic).run()
    return sorted(found, key=lambda c: (c.edit.start, c.type, c.edit.end, c.edit.replacement))
