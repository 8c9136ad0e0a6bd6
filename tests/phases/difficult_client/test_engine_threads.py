"""Many students at once: the engine has no shared mutable state, so what a student's question reveals never
depends on other students' traffic. Real threads, with the interpreter switching between them as often as
it can."""

from __future__ import annotations

import itertools
import json
import sys
import threading
from collections.abc import Iterator

import pytest
import snowballstemmer

from grader.phases.difficult_client import list_scenarios, load_scenario, start_session, take_turn
from grader.phases.difficult_client.text import stem
from tests.phases.difficult_client.students import ORDER, STUDENTS


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


def _play(scenario_id: str, student: str) -> str:
    scenario = load_scenario(scenario_id)
    state = start_session(scenario)
    replies = []
    for message in STUDENTS[student](scenario_id):
        outcome = take_turn(scenario, state, message)
        state = outcome.state
        replies.append([outcome.reply, outcome.feedback])
    return json.dumps({"state": state, "replies": replies}, sort_keys=True)


def test_sessions_played_in_parallel_equal_the_same_sessions_played_alone(busy_switching):
    plays = [(s.id, student) for s in list_scenarios() for student in ORDER]
    alone = [_play(*p) for p in plays]
    together = _in_threads(lambda n: [_play(*p) for p in plays[n::4]], count=4)
    by_play = {p: r for n, results in enumerate(together) for p, r in zip(plays[n::4], results, strict=True)}
    assert [by_play[p] for p in plays] == alone
