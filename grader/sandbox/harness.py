"""Run a student's function against test cases, and run a student's program (Run vs Submit).

Why the results cannot be forged or used to leak hidden tests
------------------------------------------------------------
* **Expected values never enter the sandbox.** The sandbox receives only the arguments; the in-sandbox
  harness reports what the student's function *returned* (or which exception it raised) and the
  comparison with the expected value happens here, outside. Forging a result record therefore gains
  nothing: the only record that passes is one carrying the right answer, which is exactly what a correct
  function would have returned.
* **Results travel on their own channel, authenticated by a per-run nonce.** The harness reads its whole
  input (a random 128-bit nonce and the arguments) from stdin *before* the student's code is loaded,
  then points the process's stdout/stderr at a capture file (Python), or captures ``console``/
  ``System.out`` (Node, Java), and writes one ``<nonce> <json>`` line per case to a private copy of the
  original stdout. The nonce is not in argv, the environment or any file, so printed "PASS" markers,
  fake records and early ``exit(0)`` are ignored: a case without a genuine record is a failure, a case
  with two records is a failure, and only records for cases that were asked count. (Code in the same
  process can in principle dig the nonce out of memory; by the first point that only lets it claim a
  return value, never a pass.) We chose this over an extra pipe fd because Docker can only carry
  stdin/stdout/stderr, and one mechanism must serve both backends.
* **Hidden inputs never share a run with anything shown in detail.** A submission runs twice: visible
  cases (with arguments, expected and actual values, output and tracebacks shown) and the hidden cases in
  a separate sandbox. The two sandboxes start at once (a Submit waits for one run, not two in a row); the
  hidden run counts only if the code loaded in the visible one, and is stopped early when it did not.
* **Nothing the student's process chooses leaves a hidden case.** Code in the harness's process can do
  whatever the harness can: patch its clock (``time.perf_counter``, ``process.hrtime``) or its serialiser
  (``json.dumps``, ``Object.prototype.toJSON``), reach the channel and the nonce (Python frames, Java
  reflection, a V8 heap snapshot) and write any record it likes, pick which exception to raise, exit
  with a chosen status or signal. So a hidden case is reported as pass/fail and one of the fixed
  categories (passed, wrong_answer, error, timeout, memory, not_run, invalid) with that category's fixed
  message (:data:`HIDDEN_MESSAGES`), and nothing else: no timing, no exception name, no output, size,
  exit status or signal, and the hidden run's summary in ``runs`` is only its outcome word. Whatever a
  forged record claims, the most it can select is a category, which a program can select anyway by
  failing in that way; passing still needs the right value. (One category per case is inherent to any
  grader that reports per-case results; bounding how many Submits an attempt gets is the workbench's
  part.)
* **Records are parsed within fixed bounds.** A channel line is taken only whole (newline-terminated),
  at most :data:`MAX_RECORD_CHARS` long and :data:`MAX_RECORD_DEPTH` deep; a nonce-bearing line that is
  not a well-formed record can only come from code that stole the nonce, so it makes every case of that
  run "invalid" — the student's failure, never the grader's (no ``RecursionError`` on demand).
* **Non-finite numbers.** NaN and ±Infinity travel on the channel as JSON's ``NaN``/``Infinity`` tokens
  and compare as numbers; in a report they are the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``,
  so :meth:`TestReport.to_dict` is always strict JSON (PostgreSQL's json type rejects the tokens).
* **Tampering and early exits.** The harness and the student's files are mounted read-only; the process
  limits, timeouts and memory limits of the sandbox apply to the whole run; a program that kills its
  parent, exits early or hangs simply produces no records for the remaining cases.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from .backend import SandboxBackend
from .languages import LANGUAGE_SPECS
from .types import InvalidRequest, Limits, RunRequest, RunResult

# Room for every case's record on the result channel (values are capped at 16 kB each in the harness).
CHANNEL_BYTES = 8 * 1024 * 1024
MAX_CASES = 500
# A genuine record is well inside these (value <= 16 kB and 51 levels, output 2 kB, trace 4 kB, each
# possibly escaped); anything beyond them was written by the student's code.
MAX_RECORD_CHARS = 256 * 1024
MAX_RECORD_DEPTH = 64

STATUSES = ("passed", "wrong_answer", "error", "timeout", "memory", "not_run", "invalid")
# The only message a hidden case can carry: one fixed sentence per category.
HIDDEN_MESSAGES = {
    "passed": "passed",
    "wrong_answer": "wrong answer",
    "error": "failed: an error, a crash or an early exit",
    "timeout": "timed out",
    "memory": "ran out of memory",
    "not_run": "not run",
    "invalid": "no valid result was reported",
}

# What the harnesses accept as a function name (it travels in argv and in the payload).
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,100}")
# argv's function name when every case names its own: no identifier looks like this, so no function is
# checked at load.
NO_FUNCTION = "-"


def _is_identifier(name: object) -> bool:
    return isinstance(name, str) and _IDENTIFIER.fullmatch(name) is not None


@dataclass(frozen=True)
class TestCase:
    """One call of the student's function. ``args`` and ``expected`` must be JSON values.

    ``tolerance`` compares floats with this absolute/relative tolerance (default 1e-9). ``function`` names
    the function this case calls when it is not the run's ``function_name`` (a program with several
    functions, each with its own tests); it is looked up when the case runs, so a missing one fails only
    its own cases.
    """

    __test__ = False  # not a pytest class

    args: list[Any]
    expected: Any
    hidden: bool = False
    name: str = ""
    tolerance: float = 1e-9
    function: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.args, list | tuple):
            raise InvalidRequest("test case args must be a list")
        if self.function is not None and not _is_identifier(self.function):
            raise InvalidRequest("a test case's function name must be an identifier")
        object.__setattr__(self, "args", list(self.args))
        try:
            json.dumps(self.args)
            json.dumps(self.expected)
        except (TypeError, ValueError) as exc:
            raise InvalidRequest(f"test case values must be JSON: {exc}") from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestCase:
        unknown = set(data) - {"args", "expected", "hidden", "name", "tolerance", "function"}
        if unknown or "args" not in data or "expected" not in data:
            raise InvalidRequest(f"a test case needs args and expected (unknown keys: {sorted(unknown)})")
        return cls(**data)


@dataclass
class CaseResult:
    """The outcome of one case, safe to show the student (hidden cases carry no inputs or outputs)."""

    name: str
    hidden: bool
    passed: bool
    status: str  # one of STATUSES
    message: str
    seconds: float | None = None  # visible cases only, from here on
    args: list[Any] | None = None
    expected: Any = None
    actual: Any = None
    output: str | None = None
    trace: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Strict JSON. A hidden case is its name, pass/fail, category and that category's fixed message."""
        if self.hidden:
            status = self.status if self.status in HIDDEN_MESSAGES else "invalid"
            return {"name": self.name, "hidden": True, "passed": status == "passed", "status": status,
                    "message": HIDDEN_MESSAGES[status]}
        data = asdict(self)
        for key in ("args", "expected", "actual"):
            data[key] = json_safe(data[key])
        if not (isinstance(self.seconds, int | float) and math.isfinite(self.seconds)):
            data["seconds"] = None
        return data


@dataclass
class TestReport:
    """All cases of one Run-examples or Submit. ``load_error`` holds compile/import errors."""

    __test__ = False

    language: str
    cases: list[CaseResult] = field(default_factory=list)
    load_error: str | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)  # outcome/timing of each sandbox run

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def score(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def all_passed(self) -> bool:
        return bool(self.cases) and self.passed == self.total

    @property
    def outcome(self) -> str:
        """The sandbox's word for the whole submission: the first run that did not end ``ok``, else ``ok``."""
        return next((r["outcome"] for r in self.runs if r.get("outcome") != "ok"), "ok")

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "passed": self.passed,
            "total": self.total,
            "score": round(self.score, 6),
            "all_passed": self.all_passed,
            "load_error": self.load_error,
            "cases": [c.to_dict() for c in self.cases],
            "runs": self.runs,
        }


def values_equal(actual: Any, expected: Any, tolerance: float = 1e-9) -> bool:
    """JSON-value equality: bools are not numbers, floats within tolerance, containers element-wise."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        if isinstance(expected, int) and isinstance(actual, int):
            return actual == expected
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(
            values_equal(a, e, tolerance) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(
            values_equal(actual[k], expected[k], tolerance) for k in expected
        )
    return type(actual) is type(expected) and actual == expected


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as the strings "NaN", "Infinity", "-Infinity" (strict JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    return value


def _depth_within(value: Any, limit: int) -> bool:
    """Whether ``value`` nests at most ``limit`` containers deep (iterative: never recurses)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return True


def _load_record(text: str) -> dict[str, Any] | None:
    """One channel record, or None if it is not a well-formed one within the fixed size and depth."""
    if len(text) > MAX_RECORD_CHARS:
        return None
    try:
        rec = json.loads(text)  # the C decoder turns runaway nesting into RecursionError, caught here
    except (ValueError, RecursionError):
        return None
    if not isinstance(rec, dict):
        return None
    if text.count("[") + text.count("{") > MAX_RECORD_DEPTH and not _depth_within(rec, MAX_RECORD_DEPTH):
        return None
    return rec


@dataclass
class _Channel:
    header: dict[str, Any] | None = None  # the ready-or-load-error record
    records: dict[int, dict[str, Any]] = field(default_factory=dict)  # by case index
    conflicts: set[int] = field(default_factory=set)  # indices with more than one record
    tampered: bool = False  # a nonce-bearing line that no harness writes


def _parse_records(stdout: str, nonce: str, count: int) -> _Channel:
    prefix = nonce + " "
    channel = _Channel()
    # Whole lines only: the last piece has no newline (cut by the output cap, or never finished). Split on
    # "\n" alone: a record may carry U+2028 or U+0085 unescaped, which splitlines() would cut.
    for line in stdout.split("\n")[:-1]:
        if not line.startswith(prefix):
            continue  # anything else on stdout is noise, never a result
        rec = _load_record(line[len(prefix):])
        if rec is None:
            channel.tampered = True
            continue
        if "ready" in rec or "load_error" in rec:
            if channel.header is None:
                channel.header = rec
            continue
        if rec.get("done") is True:
            continue
        idx = rec.get("i")
        if not isinstance(idx, int) or isinstance(idx, bool) or not 0 <= idx < count:
            channel.tampered = True
            continue
        if idx in channel.records:
            channel.conflicts.add(idx)
        channel.records[idx] = rec
    return channel


_JAVA_PUBLIC_CLASS = re.compile(r"^\s*public\s+(?:(?:final|abstract|sealed|strictfp)\s+)*class\s+([A-Za-z_$][\w$]*)",
                                re.MULTILINE)


def java_file_name(source: str, default: str) -> str:
    """javac insists a public class lives in a file of its name: use the source's public class if any."""
    match = _JAVA_PUBLIC_CLASS.search(source)
    return f"{match.group(1)}.java" if match else default


def _as_cases(cases: list[TestCase] | list[dict[str, Any]]) -> list[TestCase]:
    """Test cases given as objects or as their JSON form (e.g. from a worker's payload)."""
    return [c if isinstance(c, TestCase) else TestCase.from_dict(c) for c in cases]


def _harness_limits(limits: Limits) -> Limits:
    return limits.with_(output_bytes=max(limits.output_bytes, CHANNEL_BYTES))


def _run_summary(result: RunResult, phase: str) -> dict[str, Any]:
    if phase == "hidden":
        # Exit status, signal and timings of the hidden run are the student's to choose: only the outcome word.
        return {"phase": phase, "outcome": result.outcome, "backend": result.backend}
    return {
        "phase": phase, "outcome": result.outcome, "exit_code": result.exit_code, "signal": result.signal,
        "timed_out": result.timed_out, "out_of_memory": result.out_of_memory,
        "wall_seconds": result.wall_seconds, "cpu_seconds": result.cpu_seconds, "backend": result.backend,
    }


def _run_phase(backend: SandboxBackend, language: str, source: str, function_name: str | None,
               cases: list[TestCase], limits: Limits, student_file: str, phase: str,
               report: TestReport, cancel: threading.Event | None = None) -> bool:
    """Run one group of cases (all visible or all hidden) in one sandbox; append results. Returns
    whether the student's code loaded."""
    spec = LANGUAGE_SPECS[language]
    nonce = secrets.token_hex(16)
    payload = json.dumps({"nonce": nonce, "cases": [
        {"args": c.args, "fn": c.function} if c.function is not None else {"args": c.args} for c in cases
    ]}).encode()
    request = RunRequest(
        language=language,
        files={student_file: source, spec.harness_file: spec.harness_source()},
        command=spec.harness_command(student_file, function_name or NO_FUNCTION, limits.memory_bytes),
        stdin=payload, limits=_harness_limits(limits), cancel=cancel,
    )
    result = backend.run(request)
    report.runs.append(_run_summary(result, phase))
    channel = _parse_records(result.stdout, nonce, len(cases))
    header = channel.header
    hidden = phase == "hidden"

    def add(case: TestCase, status: str, message: str) -> None:
        report.cases.append(CaseResult(case.name, case.hidden, False, status,
                                       HIDDEN_MESSAGES[status] if hidden else message))

    loaded = header is not None and "load_error" not in header
    if channel.tampered:
        # Only code that stole the nonce writes a malformed record: the whole run is void.
        if not hidden and header is not None and not loaded:
            report.load_error = _load_error_text(header, result)
        for case in cases:
            add(case, "invalid", "an invalid result record was written on the harness's channel")
        return loaded

    if not loaded:
        if not hidden:
            report.load_error = _load_error_text(header, result)
        why = "your code did not load" if header is not None or not result.timed_out else "loading timed out"
        for case in cases:
            add(case, "not_run", f"not run: {why}")
        return False

    stop_reported = False
    for index, case in enumerate(cases):
        rec = channel.records.get(index)
        if index in channel.conflicts:
            add(case, "invalid", "conflicting results were reported for this test")
            continue
        if rec is None:
            # The first case without a record is the one the program died in; the rest never ran.
            status, message = ("not_run", "not run: the program stopped during an earlier test")
            if not stop_reported:
                status, message = _stop_reason(result)
                stop_reported = True
            add(case, status, message)
            continue
        report.cases.append(_judge(language, case, rec, hidden))
    return True


def _stop_reason(result: RunResult) -> tuple[str, str]:
    """(status, message for a visible case) for the case the program stopped in."""
    outcome = result.outcome
    if outcome == "timeout":
        return "timeout", "timed out"
    if outcome == "memory":
        return "memory", "ran out of memory"
    if outcome == "processes":
        return "error", "stopped: it started more processes than allowed"
    if outcome == "output":
        return "error", "stopped: too much output"
    if outcome == "signal":
        return "error", f"the program was killed (signal {result.signal})"
    if outcome == "cancelled":
        return "error", "stopped: the run was cancelled"
    return "error", "the program exited before finishing this test"


def _load_error_text(header: dict[str, Any] | None, result: RunResult) -> str:
    if header is not None:
        text = str(header.get("trace") or header.get("load_error") or "could not load your code")
        return text[-4000:]
    if result.timed_out:
        return "compiling or loading your code timed out"
    if result.out_of_memory:
        return "compiling or loading your code ran out of memory"
    return (result.stderr.strip() or f"your code could not be started (exit {result.exit_code})")[-4000:]


# Exceptions that mean the program ran out of memory, per language (Java's heap exhaustion ends the JVM,
# see languages.py, so an OutOfMemoryError that reaches the harness is a thread that could not start).
_MEMORY_ERRORS = {"python": {"MemoryError"}}


def _judge(language: str, case: TestCase, rec: dict[str, Any], hidden: bool) -> CaseResult:
    """A case from its record. For a hidden case only the status is taken from the record (its category);
    pass needs the right value; nothing else in the record is used."""
    status = rec.get("status")
    result = CaseResult(case.name, case.hidden, False, "error", "")
    if not hidden:
        result.args, result.expected = case.args, case.expected
        result.output = str(rec.get("output") or "")[:2000]
        seconds = rec.get("seconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and math.isfinite(seconds):
            result.seconds = seconds
    if status == "returned":
        actual = rec.get("value")
        if values_equal(actual, case.expected, case.tolerance):
            result.passed, result.status, result.message = True, "passed", "passed"
        else:
            result.status, result.message = "wrong_answer", "wrong answer"
        if not hidden:
            result.actual = actual
    elif status == "raised":
        error = rec.get("error") if isinstance(rec.get("error"), str) else None
        if error in _MEMORY_ERRORS.get(language, set()):
            result.status = "memory"
        result.message = f"raised {str(error)[:100]}"
        if not hidden:
            result.trace = str(rec.get("trace") or "")[-4000:]
    elif status == "unserializable":
        result.message = "the return value cannot be compared (not a JSON-like value)"
    elif status == "bad_signature":
        result.message = "the function's parameters do not accept this test's arguments"
    else:
        result.status, result.message = "invalid", "no valid result was reported"
    if hidden:
        result.message = HIDDEN_MESSAGES[result.status]
    return result


def run_tests(
    backend: SandboxBackend,
    language: str,
    source: str,
    function_name: str | None,
    cases: list[TestCase],
    limits: Limits | None = None,
    student_file: str | None = None,
) -> TestReport:
    """Call ``function_name`` from the student's ``source`` once per case and compare outside.

    A case with its own ``function`` calls that one instead; ``function_name`` may be None when every
    case names its function (then no function is required at load). Visible cases run in one sandbox
    (details shown); hidden cases, if any, in a second one started at the same time: they count only if the
    code loaded in the first, and are reported without inputs, expectations, output or tracebacks. Either
    sandbox's ``SandboxError`` propagates. For Java the class is taken from ``student_file`` (default
    ``Solution.java``); Java has no per-case functions. Use only visible cases for "Run".
    """
    if language not in LANGUAGE_SPECS:
        raise InvalidRequest(f"unknown language {language!r}")
    if function_name is not None and not _is_identifier(function_name):
        raise InvalidRequest("function name must be an identifier")
    if not isinstance(cases, list) or len(cases) > MAX_CASES:
        raise InvalidRequest(f"cases must be a list of at most {MAX_CASES} test cases")
    cases = _as_cases(cases)
    if function_name is None and any(c.function is None for c in cases):
        raise InvalidRequest("without a function name every test case must name its function")
    if language == "java" and (function_name is None or any(c.function is not None for c in cases)):
        raise InvalidRequest("Java tests call one function per run; per-case functions are not supported")
    spec = LANGUAGE_SPECS[language]
    if student_file is None:
        student_file = java_file_name(source, spec.student_file) if language == "java" else spec.student_file
    if student_file == spec.harness_file:
        raise InvalidRequest("that file name is reserved for the harness")
    limits = limits or Limits()
    report = TestReport(language=language)
    visible = [c for c in cases if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    if not hidden:
        _run_phase(backend, language, source, function_name, visible, limits, student_file, "visible", report)
        return report
    hidden_report = TestReport(language=language)  # its own: the two runs fill their reports at once
    stop_hidden = threading.Event()
    loaded = False
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cr-hidden-run") as pool:
        hidden_run = pool.submit(_run_phase, backend, language, source, function_name, hidden, limits, student_file,
                                 "hidden", hidden_report, stop_hidden)
        try:
            loaded = _run_phase(backend, language, source, function_name, visible, limits, student_file, "visible",
                                report)
        finally:
            if not loaded:  # the hidden run cannot count (or the visible one raised): stop it now
                stop_hidden.set()
            hidden_error = hidden_run.exception()  # waits: no sandbox outlives this call
    if not loaded:
        report.cases += [CaseResult(c.name, True, False, "not_run", HIDDEN_MESSAGES["not_run"]) for c in hidden]
        return report
    if hidden_error is not None:  # the host failed the hidden run: the caller retries the Submit or fails it
        raise hidden_error
    report.runs += hidden_report.runs
    report.cases += hidden_report.cases
    return report


def run_examples(
    backend: SandboxBackend,
    language: str,
    source: str,
    function_name: str | None,
    cases: list[TestCase],
    limits: Limits | None = None,
    student_file: str | None = None,
) -> TestReport:
    """"Run" against the visible examples only: full details, never graded. Refuses hidden cases so a
    caller cannot mix them into an ungraded run by mistake."""
    parsed = _as_cases(cases)
    if any(c.hidden for c in parsed):
        raise InvalidRequest("run_examples takes visible cases only; hidden cases belong to run_tests (Submit)")
    return run_tests(backend, language, source, function_name, parsed, limits, student_file)


def run_program(
    backend: SandboxBackend,
    language: str,
    files: dict[str, str] | str,
    stdin: bytes | str = b"",
    entry: str | None = None,
    limits: Limits | None = None,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Run the student's program with their own input ("Run"): no tests, no grade, output capped.
    Setting ``cancel`` from another thread stops it early.

    ``files`` may be a single source string (saved under the language's default file name).
    """
    if language not in LANGUAGE_SPECS:
        raise InvalidRequest(f"unknown language {language!r}")
    spec = LANGUAGE_SPECS[language]
    if isinstance(files, str):
        default = "Main.java" if language == "java" else spec.student_file.replace("solution", "main")
        if language == "java" and entry is None:
            default = java_file_name(files, default)
        files = {entry or default: files}
    if entry is None:
        if len(files) != 1:
            raise InvalidRequest("say which file is the entry point")
        entry = next(iter(files))
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return backend.run(RunRequest(language, files, entry=entry, stdin=data, limits=limits or Limits(), cancel=cancel))
