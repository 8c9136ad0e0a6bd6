"""The bank is what gets served, so CI re-verifies every entry in the real sandbox, in every language and variant:
a stale or forged bank cannot land, and a task whose files changed is not served until it is verified again."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.phases.code_crucible import NoExercise, choose_exercise
from grader.phases.code_crucible.store import BANK_VERSION, SECTION, read_bank, served_task, verified_entry
from grader.phases.code_crucible.tasks import LANGUAGES, load_task, task_ids
from grader.phases.code_crucible.verify import verify_task

IDS = task_ids()
REBUILD = "run: python -m grader.phases.code_crucible.bank"


def test_the_bank_holds_a_current_entry_for_every_task():
    bank = read_bank()
    assert bank["version"] == BANK_VERSION
    assert set(bank[SECTION]) == set(IDS), REBUILD
    for task_id in IDS:
        task = load_task(task_id)
        entry = verified_entry(task)
        assert entry is not None, f"{task_id} is stale: {REBUILD}"
        assert entry["languages"] == list(LANGUAGES)
        assert len(entry["variants"]) == task.variant_count


def test_every_bank_entry_passes_verification_again(local_backend):
    tasks = [load_task(t) for t in IDS]
    with ThreadPoolExecutor(max_workers=2) as pool:  # the fixture's backend has two slots
        verdicts = list(pool.map(lambda t: verify_task(local_backend, t, workers=1), tasks))
    failures = [f"{v.task_id}: {v.reason}" for v in verdicts if not v.accepted]
    assert not failures, "\n".join(failures)
    stale = [v.task_id for v in verdicts if v.entry != verified_entry(load_task(v.task_id))]
    assert not stale, f"the bank differs from a fresh verification for {stale}: {REBUILD}"


def test_a_task_whose_files_changed_is_not_served(tmp_path):
    bank = read_bank()
    forged = json.loads(json.dumps(bank))
    forged[SECTION]["wrap_text"]["digest"] = "0" * 64
    del forged[SECTION]["room_clashes"]
    path = tmp_path / "verified.json"
    path.write_text(json.dumps(forged))
    assert served_task("wrap_text", path) is None
    assert served_task("room_clashes", path) is None
    assert served_task("bakery_receipt", path) is not None


def test_choose_exercise_serves_only_verified_tasks_and_is_deterministic():
    first = choose_exercise(None, "python", level="mid", seed_key="course:1:alice:1")
    assert first == choose_exercise(None, "python", level="mid", seed_key="course:1:alice:1")
    seen = {(e.task_id, e.variant) for e in (choose_exercise(None, "python", seed_key=f"k{i}") for i in range(40))}
    assert len({t for t, _ in seen}) >= 6 and any(v for _, v in seen)
    with pytest.raises(NoExercise):
        choose_exercise(["no_such_task"], "python", seed_key="x")
    with pytest.raises(NoExercise):
        choose_exercise(None, "ruby", seed_key="x")
    easy = {choose_exercise(None, "java", difficulty="easy", seed_key=f"e{i}").difficulty for i in range(10)}
    assert easy == {"easy"}


def test_a_task_derived_from_an_interview_keeps_the_clients_numbers_and_omits_what_was_missed():
    for i in range(12):
        ex = choose_exercise(None, "python", level="mid", seed_key=f"s{i}", discovered={"seat_price"},
                             client_scenario="perfectionist_startup_founder")
        assert ex.scenario == "perfectionist_startup_founder" and ex.variant == 0
        assert ex.discovered == ("seat_price",) and set(ex.missed) == {"annual_discount", "seat_cap"}
        sentences = dict(ex.requirements)
        assert sentences["seat_price"] in ex.statement and "$12" in ex.statement
        assert sentences["annual_discount"] not in ex.statement and sentences["seat_cap"] not in ex.statement
    standalone = choose_exercise(["team_quote"], "python", seed_key="solo")
    assert standalone.discovered is None and all(s in standalone.statement for _, s in standalone.requirements)


def test_the_phase_lists_every_served_task_with_its_languages():
    from grader.phases.code_crucible import PHASE

    metas = PHASE.list_scenarios()
    assert {m.id for m in metas} == set(IDS)
    assert all(m.languages == LANGUAGES and m.summary and m.phase == "code_crucible" for m in metas)
    assert PHASE.defaults["max_submits"] == "3" and PHASE.defaults["time_limit"] == "15"
    assert "level" in PHASE.options and PHASE.defaults["level"] == "mid"
