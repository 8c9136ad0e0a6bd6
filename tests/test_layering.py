"""The layers stay apart: the domain imports no web, queue or database code, and the web never imports the
worker (it names the worker's functions by dotted path in lti_app/jobs.py, so there is no import circle)."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import grader

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_DOMAIN = {"flask", "flask_sqlalchemy", "rq", "redis", "sqlalchemy", "lti_app", "worker", "devlms"}


def imported_top_levels(package: str) -> dict[str, set[str]]:
    """Every module of ``package`` (by file) -> the top-level names its import statements name, anywhere in it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_domain_names_no_web_queue_or_database_package():
    offenders = {f: sorted(n & FORBIDDEN_IN_DOMAIN) for f, n in imported_top_levels("grader").items()
                 if n & FORBIDDEN_IN_DOMAIN}
    assert offenders == {}


def test_importing_every_domain_module_loads_none_of_them():
    # The runners are scripts copied into the sandbox, not modules of this process.
    modules = [m.name for m in pkgutil.walk_packages(grader.__path__, "grader.")
               if not m.name.startswith("grader.sandbox.runners.")]
    script = ("import importlib, json, sys\n"
              f"for name in {modules!r}: importlib.import_module(name)\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                                           capture_output=True, text=True).stdout))
    assert len(modules) > 20 and not loaded & FORBIDDEN_IN_DOMAIN


def test_the_web_never_imports_the_worker():
    offenders = [f for f, names in imported_top_levels("lti_app").items() if "worker" in names]
    assert offenders == []
    # ...and the worker does import the web (rows, registry): one direction, no circle.
    assert any("lti_app" in names for names in imported_top_levels("worker").values())


def test_only_the_flag_guarded_registration_imports_the_dev_lms():
    importers = [f for f, names in imported_top_levels("lti_app").items() if "devlms" in names]
    assert importers == ["lti_app/blueprints.py"]
