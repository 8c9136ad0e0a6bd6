"""Where a human could have broken a JavaScript program: acorn (from npm, run with the host's ``node`` on our own
base programs) parses it; this module walks the ESTree JSON, decides, and proposes text edits the same way
the Python injector does. Students' code never goes through here.

Categories in JavaScript: a runtime bug must throw; a type bug must throw a TypeError or return a value of
the wrong JSON type ("105" for 15); a logic bug returns a wrong value of the right type.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from grader.phases.bug_hunt.edits import Candidate, Edit
from grader.phases.bug_hunt.programs import js_name

HERE = Path(__file__).resolve().parent
DUMP_SCRIPT = HERE / "acorn_dump.js"
FRONTEND = HERE.parents[2] / "frontend"
Node = dict[str, Any]

SWAPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "===": "!==", "!==": "===", "==": "!=", "!=": "=="}
CONVERSIONS = ("Number", "String", "parseInt", "parseFloat")
SHAPERS = ("toFixed", "join")  # methods whose result is a string made from a number or a list
HEADER_STATEMENTS = ("IfStatement", "WhileStatement", "ForStatement", "ForOfStatement", "ForInStatement")
CLOSERS = {")": "(", "]": "[", "}": "{"}


class ParserUnavailable(RuntimeError):
    """node or acorn is missing (run scripts/frontend.sh)."""


def acorn_available() -> str:
    """'' when the JavaScript parser can run here, else what is missing."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (FRONTEND / "node_modules" / "acorn" / "package.json").is_file():
        return "acorn is not installed in frontend/node_modules (run scripts/frontend.sh)"
    return ""


@lru_cache(maxsize=32)
def parse(source: str) -> tuple[Node, tuple[Node, ...]]:
    """(ESTree of ``source``, its tokens), positions as Python string indices."""
    missing = acorn_available()
    if missing:
        raise ParserUnavailable(missing)
    done = subprocess.run(["node", str(DUMP_SCRIPT), str(FRONTEND)], input=source.encode(), capture_output=True,
                          timeout=60, check=False)
    if done.returncode != 0:
        raise ValueError(f"acorn could not parse the program: {done.stderr.decode(errors='replace')[-500:]}")
    data = json.loads(done.stdout)
    index = _utf16_index(source)
    if index is not None:
        _reposition(data, index)
    return data["ast"], tuple(data["tokens"])


def _utf16_index(source: str) -> dict[int, int] | None:
    """acorn counts UTF-16 code units; Python counts code points. None when they agree (no astral characters)."""
    if all(ord(ch) <= 0xFFFF for ch in source):
        return None
    index, unit = {}, 0
    for i, ch in enumerate(source):
        index[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    index[unit] = len(source)
    return index


def _reposition(value: Any, index: dict[int, int]) -> None:
    if isinstance(value, dict):
        for key in ("start", "end"):
            if isinstance(value.get(key), int):
                value[key] = index[value[key]]
        for child in value.values():
            _reposition(child, index)
    elif isinstance(value, list):
        for child in value:
            _reposition(child, index)


def _children(node: Node) -> Iterator[Node]:
    for key, value in node.items():
        if key in ("start", "end", "loc", "range"):
            continue
        if isinstance(value, dict) and "type" in value:
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, dict) and "type" in v)


def _walk(node: Node, parent: Node | None = None) -> Iterator[tuple[Node, Node | None]]:
    stack = [(node, parent)]
    while stack:
        current, above = stack.pop()
        yield current, above
        stack += reversed([(child, current) for child in _children(current)])


def _is_string(node: Node) -> bool:
    return node["type"] == "TemplateLiteral" or (node["type"] == "Literal" and isinstance(node.get("value"), str))


def _joins_strings(node: Node) -> bool:
    parts = [node]
    while parts:
        part = parts.pop()
        if _is_string(part):
            return True
        if part["type"] == "BinaryExpression" and part["operator"] == "+":
            parts += [part["left"], part["right"]]
    return False


def _is_length(node: Node) -> bool:
    return (node["type"] == "MemberExpression" and not node["computed"]
            and node["property"].get("name") == "length")


def _is_property_name(node: Node, parent: Node | None) -> bool:
    """``price`` in ``item.price`` or ``{ price: 1 }`` names a property, not the variable."""
    if parent is None:
        return False
    if parent["type"] == "MemberExpression":
        return parent["property"] is node and not parent["computed"]
    return parent["type"] == "Property" and parent["key"] is node and not parent["computed"]


def _called(node: Node) -> set[str]:
    return {n["callee"]["name"] for n, _ in _walk(node)
            if n["type"] == "CallExpression" and n["callee"]["type"] == "Identifier"}


def _only_statement(node: Node) -> Node | None:
    body = node["consequent"]
    if body["type"] == "BlockStatement":
        return body["body"][0] if len(body["body"]) == 1 else None
    return body


def _initialises(statement: Node | None) -> bool:
    """``groups[key] = []``: the first value of an entry, which later code goes on to use."""
    if statement is None or statement["type"] != "ExpressionStatement":
        return False
    expression = statement["expression"]
    return (expression["type"] == "AssignmentExpression" and expression["operator"] == "="
            and expression["left"]["type"] == "MemberExpression" and expression["left"]["computed"]
            and (expression["right"]["type"] in ("ArrayExpression", "ObjectExpression")
                 or (expression["right"]["type"] == "Literal" and expression["right"].get("value") == 0)))


def _guard(node: Node) -> bool:
    """``if (!items.length) return 0;``, ``if (!(k in groups)) groups[k] = [];`` and friends: an early exit
    or a first value for an empty, zero or missing one."""
    if node.get("alternate") is not None:
        return False
    body = _only_statement(node)
    if body is None or (body["type"] not in ("ReturnStatement", "ContinueStatement") and not _initialises(body)):
        return False
    test = node["test"]
    if test["type"] == "UnaryExpression" and test["operator"] == "!":
        return True
    if test["type"] == "BinaryExpression" and test["operator"] in ("===", "==", "<="):
        right = test["right"]
        return (right["type"] == "Literal" and right.get("value") in (0, None, "")) or (
            right["type"] == "Identifier" and right["name"] == "undefined")
    return False


class _Finder:
    def __init__(self, source: str, tokens: tuple[Node, ...], function: Node, name: str, semantic: bool) -> None:
        self.source, self.tokens, self.function, self.name, self.semantic = source, tokens, function, name, semantic
        self.found: list[Candidate] = []

    def add(self, type_: str, start: int, end: int, replacement: str, description: str) -> None:
        if type_ == "syntax" or self.semantic:
            self.found.append(Candidate(type_, self.name, Edit(start, end, replacement), description))

    def text(self, node: Node) -> str:
        return str(self.source[node["start"]:node["end"]])

    def token(self, start: int, end: int, texts: set[str], last: bool = False) -> Node | None:
        """The first (or last) token in [start, end) whose text is one of ``texts``."""
        hits = [t for t in self.tokens if t["start"] >= start and t["end"] <= end
                and self.source[t["start"]:t["end"]] in texts]
        return (hits[-1] if last else hits[0]) if hits else None

    def neighbour(self, offset: int, direction: int) -> Node | None:
        """The token right before ``offset`` (direction -1) or starting at/after it (+1)."""
        if direction < 0:
            before = [t for t in self.tokens if t["end"] <= offset]
            return before[-1] if before else None
        return next((t for t in self.tokens if t["start"] >= offset), None)

    def run(self) -> list[Candidate]:
        self.line_brackets()
        for node, parent in _walk(self.function["body"], self.function):
            kind = node["type"]
            if kind in HEADER_STATEMENTS:
                self.header(node)
            if kind == "BinaryExpression":
                self.binary(node, parent)
            elif kind == "AssignmentExpression":
                self.assignment(node, parent)
            elif kind == "LogicalExpression":
                self.logical(node, parent)
            elif kind == "CallExpression":
                self.call(node, parent)
            elif kind == "MemberExpression":
                self.member(node, parent)
            elif kind == "IfStatement" and _guard(node) and parent and parent["type"] == "BlockStatement" \
                    and self.alone_on_its_lines(node) \
                    and (_initialises(_only_statement(node)) or self.indexes_later(node, parent)):
                self.add("runtime", *self.whole_lines(node), "",
                         f"removed the check `if ({self.text(node['test'])})` and what it does")
            if kind == "ForStatement":
                self.for_loop(node)
        return self.found

    def coerced_anyway(self, parent: Node | None) -> bool:
        """``const price = Number(text)`` where ``price`` is only ever multiplied, divided or subtracted:
        JavaScript converts the string there by itself, so dropping Number() changes nothing."""
        if parent is None or parent["type"] != "VariableDeclarator" or parent["id"]["type"] != "Identifier":
            return False
        name = parent["id"]["name"]
        uses = [above for node, above in _walk(self.function["body"], self.function)
                if node["type"] == "Identifier" and node["name"] == name and above is not parent
                and not _is_property_name(node, above)]
        return bool(uses) and all(u is not None and u["type"] == "BinaryExpression"
                                  and u["operator"] in ("*", "/", "-", "%") for u in uses)

    def indexes_later(self, guard: Node, block: Node) -> bool:
        """Whether code after the guard indexes a value its test looks at (``lines[0]``): without the guard
        that throws. Dividing by an empty list's length only gives NaN in JavaScript, which is no runtime bug."""
        names = {n["name"] for n, _ in _walk(guard["test"]) if n["type"] == "Identifier"}
        later = [s for s in block["body"] if s["start"] >= guard["end"]]
        return any(n["type"] == "MemberExpression" and n["computed"] and n["object"]["type"] == "Identifier"
                   and n["object"]["name"] in names for s in later for n, _ in _walk(s))

    def alone_on_its_lines(self, node: Node) -> bool:
        """Nothing else shares the statement's first or last line, so removing its lines removes only it."""
        src = self.source
        before = src[src.rfind("\n", 0, node["start"]) + 1:node["start"]]
        after_end = src.find("\n", node["end"])
        after = src[node["end"]:len(src) if after_end < 0 else after_end]
        return not before.strip() and not after.strip()

    def whole_lines(self, node: Node) -> tuple[int, int]:
        """The lines of ``node``, with any // comment lines right above it at the same indent."""
        src = self.source
        start = src.rfind("\n", 0, node["start"]) + 1
        indent = src[start:node["start"]]
        end = src.find("\n", node["end"])
        end = len(src) if end < 0 else end + 1
        while start > 0:
            above = src.rfind("\n", 0, start - 1) + 1
            if not src[above:start].startswith(indent + "//"):
                break
            start = above
        return start, end

    def line_brackets(self) -> None:
        """Drop the last closing bracket of a line whose opener is on the same line."""
        src = self.source
        body = [t for t in self.tokens if self.function["start"] <= t["start"] < self.function["end"]]
        rows: dict[int, list[Node]] = {}
        for token in body:
            rows.setdefault(src.count("\n", 0, token["start"]), []).append(token)
        for row_tokens in rows.values():
            stack: list[str] = []
            closers: list[Node] = []
            for token in row_tokens:
                text = src[token["start"]:token["end"]]
                if text in ("(", "[", "{", "${"):
                    stack.append("{" if text == "${" else text)
                elif text in CLOSERS and stack and stack[-1] == CLOSERS[text]:
                    stack.pop()
                    closers.append(token)
            if closers:
                closer = closers[-1]
                bracket = src[closer["start"]:closer["end"]]
                self.add("syntax", closer["start"], closer["end"], "", f"dropped a closing `{bracket}`")

    def header(self, node: Node) -> None:
        keyword = re.match(r"\w+", self.source[node["start"]:]).group(0)  # type: ignore[union-attr]
        body = node.get("body") or node["consequent"]
        opener = self.token(node["start"], body["start"], {"("})
        closer = self.token(node["start"], body["start"], {")"}, last=True)
        if opener:
            self.add("syntax", opener["start"], opener["end"], "", f"dropped the `(` after `{keyword}`")
        if closer:
            self.add("syntax", closer["start"], closer["end"], "", f"dropped the `)` that ends the `{keyword}` header")

    def binary(self, node: Node, parent: Node | None) -> None:
        op = node["operator"]
        spot = self.token(node["left"]["end"], node["right"]["start"], {op})
        if spot is None:
            return
        if op in SWAPS:
            runtime = parent is not None and parent["type"] == "ForStatement" and parent.get("test") is node \
                and op == "<" and _is_length(node["right"])
            self.add("runtime" if runtime else "logic", spot["start"], spot["end"], SWAPS[op],
                     f"`{op}` became `{SWAPS[op]}`")
        elif op in ("+", "-") and not _joins_strings(node):
            new = "-" if op == "+" else "+"
            self.add("logic", spot["start"], spot["end"], new, f"`{op}` became `{new}`")
        right = node["right"]
        if op == "-" and _is_length(node["left"]) and right["type"] == "Literal" and right.get("value") == 1:
            runtime = parent is not None and parent["type"] == "MemberExpression" and parent["computed"] \
                and parent["property"] is node
            self.add("runtime" if runtime else "logic", node["left"]["end"], node["end"], "",
                     "`.length - 1` lost its `- 1`")

    def assignment(self, node: Node, parent: Node | None) -> None:
        op = node["operator"]
        spot = self.token(node["left"]["end"], node["right"]["start"], {op})
        if spot is None:
            return
        if op in ("+=", "-=") and not _is_string(node["right"]):
            new = "-=" if op == "+=" else "+="
            self.add("logic", spot["start"], spot["end"], new, f"`{op}` became `{new}`")
        if op == "=" and parent and parent["type"] == "ExpressionStatement" and node["left"]["type"] == "Identifier":
            self.add("logic", spot["start"], spot["end"], "===", "`=` became `===`")

    def logical(self, node: Node, parent: Node | None) -> None:
        op = node["operator"]
        plain = ("Literal", "ArrayExpression", "ObjectExpression")
        if op in ("&&", "||") and node["left"]["type"] not in plain and node["right"]["type"] not in plain:
            spot = self.token(node["left"]["end"], node["right"]["start"], {op})
            if spot:
                new = "||" if op == "&&" else "&&"
                self.add("logic", spot["start"], spot["end"], new, f"`{op}` became `{new}`")
        if op in ("||", "??") and parent and parent["type"] == "MemberExpression" and parent["object"] is node:
            # (counts[key] || []).push(x) -> counts[key].push(x)
            before, after = self.neighbour(node["start"], -1), self.neighbour(node["end"], +1)
            if before and after and self.source[before["start"]:before["end"]] == "(" and \
                    self.source[after["start"]:after["end"]] == ")":
                self.add("runtime", before["start"], after["end"], self.text(node["left"]),
                         f"a `{op}` default was dropped")

    def call(self, node: Node, parent: Node | None) -> None:
        callee, args = node["callee"], node["arguments"]
        if callee["type"] == "MemberExpression" and not callee["computed"]:
            obj, prop = callee["object"], callee["property"].get("name")
            if obj["type"] == "Identifier" and obj["name"] == "Math" and prop in ("min", "max"):
                other = "max" if prop == "min" else "min"
                self.add("logic", callee["property"]["start"], callee["property"]["end"], other,
                         f"`Math.{prop}` became `Math.{other}`")
            if prop in SHAPERS and parent and parent["type"] in ("ReturnStatement", "ArrayExpression", "Property"):
                self.add("type", node["start"], node["end"], self.text(obj), f"dropped the `.{prop}(...)`")
        if callee["type"] == "Identifier" and callee["name"] in CONVERSIONS and args:
            name = callee["name"]
            one = len(args) == 1 or (name == "parseInt" and len(args) == 2)
            atom = args[0]["type"] in ("Identifier", "MemberExpression", "CallExpression")
            method_call = parent is not None and parent["type"] == "MemberExpression" and parent["object"] is node
            # String(x) + '.' is the same string without String(): no bug there.
            concatenated = name == "String" and parent is not None and parent["type"] == "BinaryExpression"
            if one and not concatenated and (atom or method_call) and not self.coerced_anyway(parent):
                text = self.text(args[0]) if atom else f"({self.text(args[0])})"
                self.add("type", node["start"], node["end"], text, f"dropped the `{name}(...)` conversion")

    def member(self, node: Node, parent: Node | None) -> None:
        if node.get("optional"):
            spot = self.token(node["object"]["end"], node["property"]["start"], {"?."})
            if spot:
                self.add("runtime", spot["start"], spot["end"], ".", "`?.` became `.`")
        if _is_length(node) and parent and (
                parent["type"] in ("ReturnStatement", "ArrayExpression", "Property")
                or (parent["type"] == "BinaryExpression" and parent["operator"] == "+")):
            self.add("type", node["object"]["end"], node["end"], "", "dropped a `.length`")

    def for_loop(self, node: Node) -> None:
        init = node.get("init")
        if init and init["type"] == "VariableDeclaration" and len(init["declarations"]) == 1:
            value = init["declarations"][0].get("init")
            if value and value["type"] == "Literal" and value.get("value") in (0, 1):
                self.add("logic", value["start"], value["end"], str(value["value"] + 1),
                         "the loop starts one too late")


def candidates(source: str, tested: set[str]) -> list[Candidate]:
    """Every candidate bug site of a JavaScript program, in source order. ``tested``: Python names of the
    functions with tests (their JavaScript names are camelCase)."""
    tree, tokens = parse(source)
    python_names = {js_name(name): name for name in tested}
    functions = [n for n in tree["body"] if n["type"] == "FunctionDeclaration" and n.get("id")]
    helpers = {name for f in functions for name in _called(f["body"]) if name != f["id"]["name"]}
    found: list[Candidate] = []
    for function in functions:
        js = function["id"]["name"]
        semantic = js in python_names and js not in helpers
        found += _Finder(source, tokens, function, python_names.get(js, js), semantic).run()
    return sorted(found, key=lambda c: (c.edit.start, c.type, c.edit.end, c.edit.replacement))
