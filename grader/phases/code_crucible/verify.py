"""Verified before served: every task's references pass its tests in the sandbox, in every language.

For one task, verification runs in the sandbox:
- each language's reference on every example, every hidden test and the large input (one run per language):
  the default variant must reproduce the task file's hand-checked expected values exactly, and the three
  languages must agree on the large input;
- each declared variant: the three references with the variant's values, on the same inputs; they must agree,
  and the Python reference's values become the variant's expected values (kept in the bank);
- the starters of every level, in every language, load (Python imports, Node requires, javac compiles), and so
  do the Intern and Junior starters of an exercise derived with any set of its requirements missed.
The first problem refuses the task with a sentence naming the failing case (for whoever writes tasks).
"""

from __future__ import annotations

import json
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from grader.phases.code_crucible.scaffolding import LEVELS, starter
from grader.phases.code_crucible.tasks import LANGUAGES, REFERENCE_FILES, STUDENT_FILES, Task
from grader.sandbox import Limits, RunRequest, SandboxBackend, TestCase, run_tests, values_equal

LIMITS = Limits(wall_seconds=30.0, cpu_seconds=30.0)
CHECK_LIMITS = Limits(wall_seconds=30.0, cpu_seconds=30.0)
HOST_TRIES = 3
JAVAC = ("javac -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 -J-Xshare:auto -J-Xmx160m -J-XX:-UsePerfData "
         "-encoding UTF-8 -proc:none")


@dataclass
class TaskVerdict:
    task_id: str
    accepted: bool
    reason: str = ""  # why not, in words
    entry: dict[str, Any] | None = None  # the bank entry when accepted
    seconds: float = 0.0
    runs: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # reference seconds on the large input, per language


def case_names(task: Task) -> list[str]:
    return ([f"example {i}" for i in range(1, len(task.examples) + 1)]
            + [f"hidden test {i} ({t.tag})" for i, t in enumerate(task.hidden, 1)] + ["large input"])


def _cases(task: Task) -> list[TestCase]:
    # Every case visible: verification needs the values a student never gets.
    tests = [*task.examples, *task.hidden]
    names = case_names(task)
    return [TestCase(list(t.args), None, name=names[i]) for i, t in enumerate(tests)] + \
        [TestCase(task.large_args(), None, name=names[-1])]


def _never_started(report: Any) -> bool:
    killed = bool(report.runs) and report.runs[0].get("outcome") == "signal"
    return (report.load_error or "").startswith("your code could not be started") or (
        killed and all(c.status == "not_run" for c in report.cases))


def reference_values(backend: SandboxBackend, task: Task, language: str,
                     variant: int) -> tuple[list[Any], float, str]:
    """(values returned on examples + hidden + large, seconds on the large input, problem or '')."""
    source = task.reference(language, variant)
    file = REFERENCE_FILES[language]
    for _ in range(HOST_TRIES):  # a harness that never started is the host's hiccup, not the task's
        report = run_tests(backend, language, source, task.function_name(language), _cases(task), limits=LIMITS,
                           student_file=STUDENT_FILES[language])
        if not _never_started(report):
            break
    where = f"{file}" + (f" (variant {variant})" if variant else "")
    if report.load_error:
        return [], 0.0, f"{where} does not load: {report.load_error[-400:]}"
    values = []
    for case in report.cases:
        if case.status not in ("passed", "wrong_answer"):
            detail = (case.trace or case.message or "")[-300:]
            return [], 0.0, f"{where} fails on {case.name}: {case.message} {detail}".strip()
        values.append(case.actual)
    large = report.cases[-1].seconds or 0.0
    return values, float(large), ""


def missed_sets(task: Task) -> list[tuple[str, ...]]:
    """Every non-empty set of the task's requirements a student may have missed in the interview."""
    ids = task.requirement_ids
    return [tuple(rid for bit, rid in enumerate(ids) if mask >> bit & 1) for mask in range(1, 2 ** len(ids))]


def starters(task: Task, language: str) -> dict[str, str]:
    """Every starter a student can get, by a name (Python-identifier safe): each level's, and the Intern and
    Junior ones of an exercise derived with each set of requirements missed."""
    out = {level: starter(task, language, level) for level in LEVELS}
    for number, missed in enumerate(missed_sets(task), 1):
        for level in ("intern", "junior"):
            out[f"{level}_missed{number}"] = starter(task, language, level, 0, missed)
    return out


def _starter_files(task: Task, language: str) -> tuple[dict[str, str], tuple[str, ...]]:
    name = task.function_name(language)
    sources = starters(task, language)
    stems = list(sources)
    if language == "python":
        files = {f"{stem}.py": text for stem, text in sources.items()}
        files["check.py"] = (
            "import importlib.util, json\nout = {}\n"
            f"for level in {stems!r}:\n"
            "    try:\n"
            "        spec = importlib.util.spec_from_file_location(level, f'/code/{level}.py')\n"
            "        module = importlib.util.module_from_spec(spec)\n"
            "        spec.loader.exec_module(module)\n"
            f"        found = level == 'senior' or callable(getattr(module, {name!r}, None))\n"
            f"        out[level] = 'ok' if found else 'no function {name}'\n"
            "    except BaseException as exc:\n"
            "        out[level] = f'{type(exc).__name__}: {exc}'\n"
            "print('CHECK ' + json.dumps(out))\n")
        return files, ("python3", "-E", "-S", "-B", "/code/check.py")
    if language == "javascript":
        files = {f"{stem}.js": text for stem, text in sources.items()}
        files["check.js"] = (
            "'use strict';\nconst out = {};\n"
            f"for (const level of {json.dumps(stems)}) {{\n"
            "  try {\n"
            "    const module = require(`/code/${level}.js`);\n"
            f"    out[level] = level === 'senior' || typeof module[{json.dumps(name)}] === 'function' ? 'ok'"
            f" : 'no exported function {name}';\n"
            "  } catch (err) {\n"
            "    out[level] = String(err && err.stack || err).slice(0, 600);\n"
            "  }\n"
            "}\n"
            "console.log('CHECK ' + JSON.stringify(out));\n")
        return files, ("node", "/code/check.js")
    files = {}
    for stem, text in sources.items():
        cls = "Solution" + "".join(part.capitalize() for part in stem.split("_"))
        files[f"{cls}.java"] = _rename_class(text, cls)
    script = (f"{JAVAC} -d /tmp/c {' '.join(shlex.quote(f) for f in files)} 2>&1; "
              "echo \"CHECK {\\\"javac\\\": $?}\"")
    return files, ("/bin/sh", "-c", script)


def _rename_class(source: str, name: str) -> str:
    import re

    return re.sub(r"\bSolution\b", name, source)


def check_starters(backend: SandboxBackend, task: Task, language: str) -> str:
    """'' when every level's starter loads in ``language``, else why not."""
    files, command = _starter_files(task, language)
    for _ in range(HOST_TRIES):
        result = backend.run(RunRequest(language=language, files=files, command=command, limits=CHECK_LIMITS))
        line = next((ln for ln in result.stdout.splitlines() if ln.startswith("CHECK ")), None)
        if line is not None:
            break
    if line is None:
        return f"{language} starters: the check did not finish ({result.outcome}): {result.stderr[-300:]}"
    data = json.loads(line[6:])
    if language == "java":
        if data.get("javac") != 0:
            return f"java starters do not compile: {result.stdout[-800:]}"
        return ""
    bad = {level: why for level, why in data.items() if why != "ok"}
    if bad:
        return f"{language} starters do not load: " + "; ".join(f"{level}: {why[-300:]}" for level, why in bad.items())
    return ""


def _compare(task: Task, expected: list[Any], got: list[Any], label: str, against: str) -> str:
    names = case_names(task)[:len(expected)]
    for name, want, value in zip(names, expected, got, strict=True):
        if not values_equal(value, want):
            return f"{label} gives {json.dumps(value)[:200]} on {name} where {against} is {json.dumps(want)[:200]}"
    return ""


def verify_task(backend: SandboxBackend, task: Task, workers: int = 1) -> TaskVerdict:
    """Every check above; the first that fails refuses the task. ``workers``: sandbox runs at a time."""
    started = time.perf_counter()
    jobs: list[tuple[str, str, int]] = [("reference", language, variant) for variant in range(task.variant_count)
                                        for language in LANGUAGES]
    jobs += [("starters", language, 0) for language in LANGUAGES]

    def run(job: tuple[str, str, int]) -> Any:
        kind, language, variant = job
        if kind == "starters":
            return check_starters(backend, task, language)
        return reference_values(backend, task, language, variant)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = dict(zip(jobs, pool.map(run, jobs), strict=True))
    verdict = TaskVerdict(task.id, False, runs=len(jobs))
    verdict.seconds = round(time.perf_counter() - started, 3)

    def refuse(reason: str) -> TaskVerdict:
        verdict.reason = reason
        return verdict

    given = [t.expected for t in (*task.examples, *task.hidden)]
    variants: list[dict[str, Any]] = []
    for variant in range(task.variant_count):
        base: list[Any] | None = None
        for language in LANGUAGES:
            values, seconds, problem = results[("reference", language, variant)]
            if problem:
                return refuse(problem)
            label = REFERENCE_FILES[language] + (f" (variant {variant})" if variant else "")
            if variant == 0:
                problem = _compare(task, given, values[:-1], label, "the task file's expected value")
                verdict.timings[language] = round(seconds, 4)
            if not problem and base is not None:
                problem = _compare(task, base, values, label, "reference.py's value")
            if problem:
                return refuse(problem)
            base = base if base is not None else values
        assert base is not None
        entry: dict[str, Any] = {"values": task.values(variant)}
        if variant:
            split = len(task.examples)
            entry.update(examples=base[:split], hidden=base[split:-1])
        variants.append(entry)
    for language in LANGUAGES:
        problem = results[("starters", language, 0)]
        if problem:
            return refuse(problem)
    verdict.accepted = True
    verdict.entry = {"digest": task.digest, "languages": list(LANGUAGES), "variants": variants}
    return verdict
