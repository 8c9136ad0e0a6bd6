"""Efficiency: the student's function and the reference on the task's large input, in two sandbox runs back to
back; the runtime is measured by the host, never by the student's process.

The reference run is our own code, so the time its harness reports for the call is trusted; what is left of
that run (start-up, compiling, reading the input) is the overhead both runs share. The student's time is the
host's measure of their run (CPU seconds of the sandbox's cgroup where the backend has them, else wall
seconds) minus that overhead. The ratio to the reference's time (both floored, so two fast runs compare equal)
gives a coarse band, and the share of the efficiency run's time limit used gives another; a student sees only
the two bands ("within 2× of the reference"), never a number, so the timing cannot carry the hidden input out.
The student's answer on the large input must equal the reference's, or the speed does not count.
"""

from __future__ import annotations

from typing import Any

from grader.sandbox import Limits, SandboxBackend, TestCase, TestReport, run_tests, values_equal

LIMITS = Limits(wall_seconds=10.0, cpu_seconds=10.0)
# Below these times two runs are indistinguishable from noise (seconds, by what was measured and language).
FLOOR = {"cpu": {"python": 0.05, "javascript": 0.05, "java": 0.15},
         "wall": {"python": 0.1, "javascript": 0.1, "java": 0.5}}
BANDS = {
    "within_2x": "within 2× of the reference",
    "within_5x": "2–5× the reference's time",
    "over_5x": "over 5× the reference's time",
    "timed_out": "timed out",
    "out_of_memory": "ran out of memory",
    "failed": "did not give the reference's answer",
    "not_run": "not measured: the code has to pass hidden tests first",
    "not_measured": "not measured (the reference run failed on the server; full marks given)",
}
TIME_BANDS = {
    "tenth": "under a tenth of the time limit",
    "quarter": "under a quarter of the time limit",
    "half": "under half of the time limit",
    "most": "more than half of the time limit",
    "none": "no time measured",
}
REFERENCE_TRIES = 2


def band_for_ratio(ratio: float) -> str:
    if ratio <= 2.0:
        return "within_2x"
    return "within_5x" if ratio <= 5.0 else "over_5x"


def time_band(used: float) -> str:
    """``used``: the share of the time limit the student's function took."""
    if used < 0.10:
        return "tenth"
    if used < 0.25:
        return "quarter"
    return "half" if used < 0.5 else "most"


def _run(backend: SandboxBackend, language: str, source: str, function: str, file_name: str,
         args: list[Any]) -> TestReport:
    return run_tests(backend, language, source, function, [TestCase(args, None, name="large input")],
                     limits=LIMITS, student_file=file_name)


def _returned(report: TestReport) -> bool:
    return not report.load_error and bool(report.cases) and report.cases[0].status in ("passed", "wrong_answer")


def result(band: str, time: str = "none") -> dict[str, Any]:
    """The student-safe efficiency result: two band ids and their words."""
    return {"band": band, "band_text": BANDS[band], "time_band": time, "time_text": TIME_BANDS[time]}


def _ratio(language: str, ref: TestReport, mine: TestReport) -> tuple[float, float]:
    """(the student's call over the reference's, both floored; the share of the time limit the student's call
    used), the student's time by the host's clock."""
    ref_run, my_run = ref.runs[0], mine.runs[0]
    measure = "cpu" if ref_run.get("cpu_seconds") is not None and my_run.get("cpu_seconds") is not None else "wall"
    key = "cpu_seconds" if measure == "cpu" else "wall_seconds"
    reference_call = float(ref.cases[0].seconds or 0.0)  # our own harness timing our own code
    overhead = max(0.0, float(ref_run[key]) - reference_call)
    mine_call = max(0.0, float(my_run[key]) - overhead)
    floor = FLOOR[measure][language]
    return max(mine_call, floor) / max(reference_call, floor), mine_call / LIMITS.wall_seconds


def _unmeasured(mine: TestReport, ref: TestReport) -> dict[str, Any] | None:
    """The result when the student's run gives no time to compare (an error, a limit, another answer), else None."""
    case = mine.cases[0] if mine.cases else None
    if case is None or mine.load_error:
        return result("failed")
    if case.status == "timeout" or mine.outcome == "timeout":
        return result("timed_out", "most")
    if case.status == "memory" or mine.outcome == "memory":
        return result("out_of_memory")
    if case.status not in ("passed", "wrong_answer") or not values_equal(case.actual, ref.cases[0].actual):
        return result("failed")
    return None


def _reference(backend: SandboxBackend, language: str, reference: str, function: str, file_name: str,
               args: list[Any]) -> TestReport | None:
    for _ in range(REFERENCE_TRIES):
        ref = _run(backend, language, reference, function, file_name, args)
        if _returned(ref) and ref.runs:
            return ref
    return None


def measure_efficiency(backend: SandboxBackend, language: str, source: str, reference: str, function: str,
                       file_name: str, args: list[Any]) -> dict[str, Any]:
    """Run the reference, then the student's code, on ``args``; the bands (see the module's docstring).

    A correct answer outside the best band is measured once more (both runs again) and the better pair counts:
    start-up noise (a JVM's is 20× its call here) only ever makes a run look slower, so the student gets the
    benefit of the doubt rather than a band that depends on the machine's other traffic.
    """
    ref = _reference(backend, language, reference, function, file_name, args)
    if ref is None:
        return result("not_measured", "tenth")
    mine = _run(backend, language, source, function, file_name, args)
    unmeasured = _unmeasured(mine, ref)
    if unmeasured is not None:
        return unmeasured
    ratio, used = _ratio(language, ref, mine)
    if band_for_ratio(ratio) != "within_2x":
        # The remeasure only ever helps: if it fails (no reference, an error, a limit), the first pair stands.
        ref = _reference(backend, language, reference, function, file_name, args)
        if ref is not None:
            mine = _run(backend, language, source, function, file_name, args)
            if _unmeasured(mine, ref) is None:
                ratio, used = min((ratio, used), _ratio(language, ref, mine))
    return result(band_for_ratio(ratio), time_band(used))
