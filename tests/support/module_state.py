"""Finds module-level mutable state that functions change without a lock: a module's dict, list or set filled
lazily (``CACHE[key] = …``, ``SEEN.add(…)``) or a ``global`` rebound at run time. Such state is shared by every
thread of a web or worker process, so a request could see another's half-written entry or compute with it.

Changes at import time are fine (imports are serialised), and so are changes inside ``with <module lock>:``;
``functools.lru_cache`` is thread-safe and is not module state in this sense. A static check over the source (ast):
it reads the code, it does not run it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

MUTATORS = frozenset({"append", "extend", "add", "update", "setdefault", "pop", "popitem", "clear", "insert",
                      "remove", "discard", "move_to_end", "appendleft", "sort", "reverse"})
CONTAINERS = frozenset({"dict", "list", "set", "OrderedDict", "defaultdict", "deque", "Counter", "bytearray"})
LITERALS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def package_modules(root: Path, skip: frozenset[str] = frozenset()) -> Iterator[Path]:
    """The package's importable modules: files whose every folder up to ``root`` is a package (data and files run
    inside the sandbox are not), minus folders named in ``skip``."""
    for path in sorted(root.rglob("*.py")):
        folders = list(path.relative_to(root).parents)[:-1]
        if skip & set(path.relative_to(root).parts):
            continue
        if (root / "__init__.py").is_file() and all((root / f / "__init__.py").is_file() for f in folders):
            yield path


def _called(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return ""


def _module_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound at module level to a mutable container, names bound to a lock)."""
    mutable: set[str] = set()
    locks: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If | ast.Try):
                for block in (stmt.body, stmt.orelse, getattr(stmt, "finalbody", []),
                              *[h.body for h in getattr(stmt, "handlers", [])]):
                    visit(block)
                continue
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            else:
                continue
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if isinstance(value, LITERALS) or _called(value) in CONTAINERS:
                mutable.update(names)
            if _called(value) in ("Lock", "RLock"):
                locks.update(names)

    visit(tree.body)
    return mutable, locks


def _local_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
    return names | {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def unguarded_state(source: str, name: str = "<source>") -> list[str]:
    """Each place a function changes module state outside a module lock, as "name:line function: what"."""
    tree = ast.parse(source)
    mutable, locks = _module_names(tree)
    found: list[str] = []

    def check(node: ast.AST, fn: str, guarded: bool, local: set[str]) -> None:
        if isinstance(node, ast.With | ast.AsyncWith) and any(
                isinstance(i.context_expr, ast.Name) and i.context_expr.id in locks for i in node.items):
            guarded = True
        if isinstance(node, ast.Global):
            found.append(f"{name}:{node.lineno} {fn}: rebinds global {', '.join(node.names)}")
        target = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            target = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            target = node.func.value
        if not guarded and isinstance(target, ast.Name) and target.id in mutable and target.id not in local:
            found.append(f"{name}:{node.lineno} {fn}: changes module-level {target.id} outside a lock")
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):  # checked on their own
                check(child, fn, guarded, local)

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            local = _local_names(node)
            for stmt in node.body:
                check(stmt, node.name, False, local)
    return found
