"""Which scenario an attempt plays: one drawn from the activity's pool (every scenario when it names none), seeded
per student and attempt, narrowed by the difficulty when the pool has that difficulty, and preferring a client the
student has not met yet in that activity."""

from __future__ import annotations

import pytest

from grader.phases.difficult_client import choose_scenario, list_scenarios

DIFFICULTY = {m.id: m.difficulty for m in list_scenarios()}
IDS = sorted(DIFFICULTY)
SERVED = {m.id for m in list_scenarios() if m.languages}  # those whose coding task the Crucible serves


def _served(difficulty: str) -> set[str]:
    return {s for s in SERVED if DIFFICULTY[s] == difficulty}


def _keys(n: int = 60) -> list[str]:
    return [f"7:{user}:1" for user in range(n)]


def test_a_draw_is_deterministic_and_spread_over_the_pool():
    pool = ["angry_bakery_owner", "impatient_restaurant_owner", "perfectionist_startup_founder"]
    drawn = [choose_scenario(pool, None, key) for key in _keys()]
    assert drawn == [choose_scenario(list(reversed(pool)), None, key) for key in _keys()]  # order does not matter
    assert set(drawn) == set(pool)  # 60 students: every client is met by someone
    assert {choose_scenario(None, None, key) for key in _keys()} == set(IDS)  # no pool: every scenario


def test_one_scenario_is_always_that_one_even_on_a_retake():
    for played in ((), ("angry_bakery_owner",), ("angry_bakery_owner",) * 3):
        assert choose_scenario(["angry_bakery_owner"], "hard", "7:1:4", played) == "angry_bakery_owner"


def test_the_difficulty_narrows_a_pool_when_it_can():
    pool = ["angry_bakery_owner", "impatient_restaurant_owner", "perfectionist_startup_founder"]
    assert {choose_scenario(pool, "hard", key) for key in _keys()} == {"perfectionist_startup_founder"}
    assert {choose_scenario(None, "hard", key) for key in _keys()} == {s for s in IDS if DIFFICULTY[s] == "hard"}
    # No scenario of that difficulty in the pool: the whole pool (played at that difficulty).
    easy_and_medium = ["angry_bakery_owner", "impatient_restaurant_owner"]
    assert {choose_scenario(easy_and_medium, "hard", key) for key in _keys()} == set(easy_and_medium)


@pytest.mark.parametrize("key", _keys(12))
def test_a_retake_meets_a_client_not_met_yet_then_the_one_met_longest_ago(key):
    pool = ["angry_bakery_owner", "impatient_restaurant_owner", "overwhelmed_nonprofit_director"]
    played: list[str] = []
    for _ in range(3):
        played.append(choose_scenario(pool, None, key + str(len(played)), played))
    assert sorted(played) == sorted(pool)  # three attempts, three different clients
    fourth = choose_scenario(pool, None, key + "3", played)
    assert fourth != played[-1] and fourth in pool  # everyone met once: never the one just played
    # Scenarios played outside the pool (an instructor changed it) or removed since do not count.
    assert choose_scenario(pool[:2], None, key, ["no_such_scenario", pool[2], pool[0]]) == pool[1]


def test_unknown_ids_are_skipped_and_a_pool_with_none_left_is_every_scenario():
    assert choose_scenario(["no_such_scenario", "angry_bakery_owner"], None, "k") == "angry_bakery_owner"
    assert {choose_scenario(["../../etc/passwd"], None, key) for key in _keys()} == set(IDS)


@pytest.mark.parametrize(("custom", "plays"), [
    ({"scenario": "impatient_restaurant_owner"}, {"impatient_restaurant_owner"}),
    ({"scenario": "angry_bakery_owner,perfectionist_startup_founder", "difficulty": "hard"},
     {"perfectionist_startup_founder"}),
    ({"difficulty": "hard"}, _served("hard")),
    ({"scenario": "no_such_scenario", "difficulty": "easy"}, _served("easy")),
    ({}, SERVED),
])
def test_a_launch_plays_a_served_scenario_of_its_pool_and_names_it_on_the_page(dc_session, custom, plays):
    """An activity that names no (known) client draws from those whose coding task is served."""
    s = dc_session(custom={"phase": "difficult_client", **custom})
    view = s.state()["view"]
    assert view["scenario_id"] in plays
    meta = next(m for m in list_scenarios() if m.id == view["scenario_id"])
    assert meta.title in s.page().get_data(as_text=True).replace("&#39;", "'")
