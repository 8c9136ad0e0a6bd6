"""A Submit's two sandbox runs (visible cases, hidden cases) start at once, and either one failing is still
reported: the parallel start must change when the runs happen, never what the report says."""

from __future__ import annotations

import dataclasses
import json
import threading
import time

import pytest

from grader.sandbox import Limits, SandboxBackend, SandboxError, TestCase, run_tests
from grader.sandbox.types import RunRequest, RunResult

LIMITS = Limits(wall_seconds=10.0)
# Sleeps at load, so each run lasts at least this long: run one after the other, they could not overlap.
SLOW_LOAD = "import time\ntime.sleep(0.6)\n\ndef add(a, b):\n    return a + b\n"


def cases() -> list[TestCase]:
    return [TestCase([1, 2], 3, name="example"), TestCase([40, 2], 42, hidden=True, name="hidden test 1"),
            TestCase([5, 5], 10, hidden=True, name="hidden test 2")]


def _phase(request: RunRequest) -> str:
    # The hidden run's payload carries the hidden arguments; the visible one's does not.
    payload = json.loads(request.stdin)
    return "hidden" if [40, 2] in [case["args"] for case in payload["cases"]] else "visible"


class Recording(SandboxBackend):
    """The real backend, with each run's phase and its start and end on the monotonic clock; ``fail`` names a
    phase whose run raises ``SandboxError`` (a broken host) instead of running."""

    name = "recording"

    def __init__(self, inner: SandboxBackend, fail: str | None = None, slow_hidden: bool = False) -> None:
        self.inner, self.fail, self.slow_hidden = inner, fail, slow_hidden
        self.spans: dict[str, tuple[float, float]] = {}
        self.cancelled: dict[str, bool] = {}
        self.outcomes: dict[str, str] = {}
        self._lock = threading.Lock()

    def run(self, request: RunRequest) -> RunResult:
        phase = _phase(request)
        started = time.monotonic()
        try:
            if phase == self.fail:
                time.sleep(0.2)
                raise SandboxError(f"{phase} run: the host is broken")
            if phase == "hidden" and self.slow_hidden:  # this run's copy of the code takes long to load
                files = {name: ("import time\ntime.sleep(8)\n" + text if name == "solution.py" else text)
                         for name, text in request.files.items()}
                request = dataclasses.replace(request, files=files)
            result = self.inner.run(request)
            self.outcomes[phase] = result.outcome
            return result
        finally:
            with self._lock:
                self.spans[phase] = (started, time.monotonic())
                self.cancelled[phase] = bool(request.cancel is not None and request.cancel.is_set())

    def check(self) -> list[str]:
        return self.inner.check()


def test_visible_and_hidden_runs_overlap_in_time(local_backend):
    backend = Recording(local_backend)
    report = run_tests(backend, "python", SLOW_LOAD, "add", cases(), limits=LIMITS)
    assert [c.status for c in report.cases] == ["passed"] * 3, report.to_dict()
    assert [r["phase"] for r in report.runs] == ["visible", "hidden"]
    (v_start, v_end), (h_start, h_end) = backend.spans["visible"], backend.spans["hidden"]
    # Overlap: each started before the other ended (one after the other, one would start after the other's end).
    assert h_start < v_end and v_start < h_end, backend.spans


def test_a_failed_hidden_run_is_reported_not_dropped(local_backend):
    backend = Recording(local_backend, fail="hidden")
    with pytest.raises(SandboxError, match="hidden run"):
        run_tests(backend, "python", SLOW_LOAD, "add", cases(), limits=LIMITS)
    assert set(backend.spans) == {"visible", "hidden"}


def test_a_failed_visible_run_is_reported_and_the_hidden_one_stopped(local_backend):
    backend = Recording(local_backend, fail="visible")
    with pytest.raises(SandboxError, match="visible run"):
        run_tests(backend, "python", SLOW_LOAD, "add", cases(), limits=LIMITS)
    # The call returned only after the hidden run ended, and that run was told to stop.
    assert set(backend.spans) == {"visible", "hidden"} and backend.cancelled["hidden"]


def test_code_that_does_not_load_reports_hidden_cases_not_run_and_stops_the_hidden_run(local_backend):
    backend = Recording(local_backend, slow_hidden=True)
    report = run_tests(backend, "python", "raise SystemExit(3)\n", "add", cases(), limits=LIMITS)
    assert report.load_error
    assert [c.status for c in report.cases] == ["not_run"] * 3, report.to_dict()
    assert [r["phase"] for r in report.runs] == ["visible"]  # the hidden run does not count
    # Stopped once the visible run showed the code does not load, not left to load for its 8 seconds.
    assert backend.cancelled["hidden"] and backend.outcomes["hidden"] == "cancelled"


def test_a_hidden_run_that_fails_its_cases_is_reported_case_by_case(local_backend):
    # Loads fine and passes the example, crashes on the hidden inputs only: the parallel run's results arrive.
    source = "def add(a, b):\n    if a == 40:\n        raise ValueError('no')\n    return a + b\n"
    report = run_tests(Recording(local_backend), "python", source, "add", cases(), limits=LIMITS)
    assert [c.status for c in report.cases] == ["passed", "error", "passed"], report.to_dict()
    assert report.cases[1].to_dict()["message"] == "failed: an error, a crash or an early exit"
