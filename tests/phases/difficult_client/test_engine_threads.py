"""Many students at once: the engine has no shared mutable state, so what a student's question reveals never
depends on other students' traffic. Real threads, with the interpreter switching between them as often as
it can."""

from __future__ import annotations

import itertools
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import snowballstemmer

from grader.phases.difficult_client import list_scenarios, load_scenario, start_session, take_turn
from grader.phases.difficult_client.catalogue import SCENARIOS
from grader.phases.difficult_client.text import stem
from grader.phases.options import DIFFICULTIES
from tests.phases.difficult_client.students import ORDER, STUDENTS
from tests.support.module_state import package_modules, unguarded_state

GRADER = Path(__file__).resolve().parents[3] / "grader"


@pytest.fixture
def busy_switching() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _in_threads(work, count: int = 8) -> list[object]:  # type: ignore[no-untyped-def]
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results[n] = work(n)
        except BaseException as exc:  # surfaced below: a crash in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_words_stemmed_by_many_threads_at_once_are_stemmed_right(busy_switching):
    # Words no test has stemmed before (the results are cached), different per thread.
    stems = ("organis", "pay", "deliver", "custom", "nation", "hope", "calcul", "schedul")
    endings = ("ations", "ing", "ness", "fulness", "ically", "ements", "ised", "iveness")
    words = [f"{a}{b}{c}" for a, b, c in itertools.product(stems, endings, ("", "s", "ly"))]
    per_thread = [words[n::8] * 3 for n in range(8)]
    results = _in_threads(lambda n: [stem(w) for w in per_thread[n]])
    alone = snowballstemmer.stemmer("english")
    for n, got in enumerate(results):
        assert got == [alone.stemWord(w) for w in per_thread[n]]


def _play(scenario_id: str, student: str, difficulty: str) -> str:
    scenario = load_scenario(scenario_id)
    state = start_session(scenario, difficulty=difficulty)
    replies = []
    for message in STUDENTS[student](scenario_id):
        outcome = take_turn(scenario, state, message)
        state = outcome.state
        replies.append([outcome.reply, outcome.feedback])
    return json.dumps({"state": state, "replies": replies}, sort_keys=True)


def _cold_caches() -> None:
    """Empty every cache the engine fills as it goes (truth files, stems, compiled word lists), so that the threads
    below race to fill them rather than read what an earlier test left."""
    SCENARIOS.load.cache_clear()
    for name, module in list(sys.modules.items()):
        if name.startswith("grader.phases.difficult_client"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def test_sessions_played_in_parallel_equal_the_same_sessions_played_alone(busy_switching):
    """Every scenario, every scripted student, at every difficulty: 8 threads from cold caches, then one by one."""
    plays = [(s.id, student, d) for s in list_scenarios() for student in ORDER for d in DIFFICULTIES]
    _cold_caches()
    together = _in_threads(lambda n: [_play(*p) for p in plays[n::8]], count=8)
    alone = [_play(*p) for p in plays]
    by_play = {p: r for n, results in enumerate(together) for p, r in zip(plays[n::8], results, strict=True)}
    assert [by_play[p] for p in plays] == alone
    assert len({json.loads(r)["state"]["difficulty"] for r in alone}) == len(DIFFICULTIES)


def test_no_module_of_the_grader_changes_shared_state_without_a_lock():
    """Module-level dicts, lists and sets filled lazily, and globals rebound at run time, are shared by every thread
    of a web or worker process; caches must be lru_cache or guarded by a lock (the sandbox's runners are separate
    processes, and files run inside the sandbox are not modules of the grader)."""
    planted = ("import threading\nSEEN = {}\nLOCK = threading.Lock()\nN = 0\n"
               "def lazy(k):\n    SEEN[k] = 1\n    SEEN.setdefault(k, 2)\n"
               "def safe(k):\n    with LOCK:\n        SEEN[k] = 1\n    local = {}\n    local[k] = 1\n"
               "def bump():\n    global N\n    N += 1\n")
    assert unguarded_state(planted, "planted") == [
        "planted:6 lazy: changes module-level SEEN outside a lock",
        "planted:7 lazy: changes module-level SEEN outside a lock",
        "planted:14 bump: rebinds global N",
    ]
    modules = list(package_modules(GRADER, skip=frozenset({"runners"})))
    assert len(modules) > 50 and GRADER / "phases" / "difficult_client" / "text.py" in modules
    found = [f for path in modules for f in unguarded_state(path.read_text(encoding="utf-8"),
                                                            str(path.relative_to(GRADER.parent)))]
    assert found == []
