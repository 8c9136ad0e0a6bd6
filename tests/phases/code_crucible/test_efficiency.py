"""Efficiency against the reference in the same sandbox, timed by the host: a student's process cannot make itself
look fast, a wrong answer on the large input earns no speed, and the student sees only coarse bands."""

from __future__ import annotations

import dataclasses

import pytest

from grader.phases.code_crucible import efficiency
from grader.phases.code_crucible.efficiency import band_for_ratio, measure_efficiency, time_band
from grader.phases.code_crucible.tasks import load_task
from grader.sandbox import Limits

TASK = load_task("bakery_receipt")
REFERENCE = TASK.reference("python")


def _measure(backend, source: str, language: str = "python", task=TASK) -> dict:
    return measure_efficiency(backend, language, source, task.reference(language), task.function_name(language),
                              {"python": "solution.py", "javascript": "solution.js", "java": "Solution.java"}[language],
                              task.large_args())


def test_bands():
    assert [band_for_ratio(r) for r in (0.5, 2.0, 2.01, 5.0, 5.5)] == \
        ["within_2x", "within_2x", "within_5x", "within_5x", "over_5x"]
    assert [time_band(u) for u in (0.05, 0.2, 0.4, 0.9)] == ["tenth", "quarter", "half", "most"]


def test_the_reference_against_itself_is_within_2x_and_only_bands_leave(local_backend):
    result = _measure(local_backend, REFERENCE)
    assert result["band"] == "within_2x" and result["time_band"] == "tenth"
    assert set(result) == {"band", "band_text", "time_band", "time_text"}
    assert not any(ch.isdigit() for ch in result["time_text"].replace("2×", "").replace("5×", ""))


SLOW_WITH_A_PATCHED_CLOCK = REFERENCE + '''

import time as _time

_real = format_receipt
_time.perf_counter = lambda: 0.0
_time.perf_counter_ns = lambda: 0
_time.monotonic = lambda: 0.0


def format_receipt(items):
    """Correct, after a second of busy work, with every clock it can reach stopped."""
    spin = 0
    for step in range(60_000_000):
        spin ^= step
    return _real(items)
'''


def test_a_slow_function_that_stops_its_own_clocks_is_still_slow(local_backend):
    result = _measure(local_backend, SLOW_WITH_A_PATCHED_CLOCK)
    assert result["band"] == "over_5x", result


def test_special_casing_the_large_input_earns_no_speed(local_backend):
    cheat = REFERENCE.replace('    lines = merge_lines(items)\n',
                              '    if len(items) > 1000:\n        return "TOTAL 0.00"\n'
                              '    lines = merge_lines(items)\n')
    assert cheat != REFERENCE
    assert _measure(local_backend, cheat)["band"] == "failed"


def test_a_function_that_never_finishes_on_the_large_input_times_out(local_backend, monkeypatch):
    monkeypatch.setattr(efficiency, "LIMITS", Limits(wall_seconds=2.0, cpu_seconds=2.0))
    endless = REFERENCE.replace('    lines = merge_lines(items)\n',
                                '    while len(items) > 1000:\n        pass\n    lines = merge_lines(items)\n')
    result = _measure(local_backend, endless)
    assert result["band"] == "timed_out" and result["time_band"] == "most"


def test_a_broken_reference_run_is_not_held_against_the_student(local_backend):
    broken = "def format_receipt(items):\n    raise ValueError\n"
    result = measure_efficiency(local_backend, "python", REFERENCE, broken, "format_receipt", "solution.py",
                                TASK.large_args())
    assert result["band"] == "not_measured"


@pytest.mark.parametrize("language", ["javascript", "java"])
def test_references_are_within_2x_in_every_language(local_backend, language):
    task = load_task("room_clashes")
    assert _measure(local_backend, task.reference(language), language, task)["band"] == "within_2x"


class _NoisyFirstStudentRun:
    """The real local backend, except that the first run of ``source`` is charged a second more CPU and wall
    time: a busy neighbour (a JIT's compiler threads, a GC) cannot be produced on demand, so its effect on the
    host's measure is added here."""

    def __init__(self, backend, source: str) -> None:
        self.backend, self.source, self.runs, self.charged = backend, source, 0, False

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def run(self, request):
        self.runs += 1
        result = self.backend.run(request)
        if not self.charged and self.source in request.files.values():
            self.charged = True
            result = dataclasses.replace(result, wall_seconds=result.wall_seconds + 1.0,
                                         cpu_seconds=None if result.cpu_seconds is None else result.cpu_seconds + 1.0)
        return result


def test_a_run_slowed_by_the_machine_is_measured_again_and_the_better_pair_counts(local_backend):
    student = REFERENCE + "\n# the student's copy\n"
    noisy = _NoisyFirstStudentRun(local_backend, student)
    assert _measure(noisy, student)["band"] == "within_2x"
    assert noisy.charged and noisy.runs == 4  # reference, student (charged), reference, student


def test_a_slow_answer_stays_slow_when_measured_again(local_backend):
    slow = REFERENCE.replace('    lines = merge_lines(items)\n',
                             '    for _ in range(40):\n        merge_lines(items)\n    lines = merge_lines(items)\n')
    assert slow != REFERENCE
    assert _measure(local_backend, slow)["band"] in ("within_5x", "over_5x")


class _SecondStudentRunNeverEnds(_NoisyFirstStudentRun):
    """As above; then the student's second run is given a program that never returns (a run that hits the limit on
    the remeasure, for whatever reason)."""

    def run(self, request):
        if self.charged and self.source in request.files.values():
            endless = {name: text.replace(self.source, self.source + "\nwhile True:\n    pass\n")
                       for name, text in request.files.items()}
            request = dataclasses.replace(request, files=endless)
        return super().run(request)


def test_a_remeasure_that_fails_keeps_the_first_measurement(local_backend, monkeypatch):
    monkeypatch.setattr(efficiency, "LIMITS", Limits(wall_seconds=2.0, cpu_seconds=2.0))
    student = REFERENCE + "\n# the student's copy\n"
    backend = _SecondStudentRunNeverEnds(local_backend, student)
    assert _measure(backend, student)["band"] == "over_5x"  # the first pair's band, not "timed out"
    assert backend.runs == 4
