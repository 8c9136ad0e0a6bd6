"""Verified before served: CI re-verifies every seed in the bank in the real sandbox (a stale or forged bank
cannot land), and verification rejects histories that would not be fair: a sabotage the tests do not catch,
one that brings its own failing test, a revert that conflicts, a message that gives it away."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from grader.phases.imposter import NoScenario, choose_scenario, list_scenarios, start_state
from grader.phases.imposter.catalogue import Choice
from grader.phases.imposter.store import BANK_COMMAND, BANK_PATH, K, accepted_entries, bank, group_key
from grader.phases.imposter.truth import Edit, load_scenario, scenario_ids
from grader.phases.imposter.verify import verify
from grader.phases.options import DIFFICULTIES

GROUPS = [(s, d) for s in scenario_ids() for d in DIFFICULTIES]


def test_the_bank_is_current_for_every_scenario_and_difficulty():
    groups = bank().entries()
    assert set(groups) == {group_key(s, d) for s, d in GROUPS}, f"run: {BANK_COMMAND}"
    for scenario_id, difficulty in GROUPS:
        scenario = load_scenario(scenario_id)
        group = groups[group_key(scenario_id, difficulty)]
        assert group["digest"] == scenario.digest, f"{scenario_id}: stale, run {BANK_COMMAND}"
        entries = accepted_entries(scenario_id, difficulty, scenario.digest)
        assert len(entries) >= K
        assert {e["imposter"] for e in entries} == set(scenario.sabotage.authors), "every candidate is served"
        tried = sorted([e["seed"] for e in entries] + [r["seed"] for r in group["rejected"]])
        assert tried == list(range(group["seeds_tried"]))


def _reverify(backend, scenario_id, difficulty, entry):
    verdict = verify(backend, load_scenario(scenario_id), difficulty, entry["seed"])
    if not verdict.accepted:
        return verdict.reason
    if (verdict.head, verdict.sabotage, verdict.imposter) != (entry["head"], entry["sabotage"], entry["imposter"]):
        return "the repository generated differs from the one the bank recorded"
    return ""


def test_every_bank_entry_passes_verification_again(local_backend):
    work = [(s, d, e) for s, d in GROUPS for e in accepted_entries(s, d, load_scenario(s).digest)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # the fixture's backend has two slots
        reasons = list(pool.map(lambda job: _reverify(local_backend, *job), work))
    failures = [f"{s}/{d} seed {e['seed']}: {why}" for (s, d, e), why in zip(work, reasons, strict=True) if why]
    assert not failures, "\n".join(failures)


# -- what verification refuses ------------------------------------------------------------------------------------
def _with_step(scenario, step_id, **changes):
    steps = tuple(replace(s, **changes) if s.id == step_id else s for s in scenario.steps)
    return replace(scenario, steps=steps)


def test_a_sabotage_the_tests_do_not_catch_is_refused(local_backend):
    scenario = load_scenario("catalogue_pages")
    harmless = replace(_with_step(scenario, scenario.sabotage.id, bug=(Edit("README.md", "append", "\nMore.\n"),)),
                       fix=(Edit("README.md", "append", "\nFixed.\n"),))
    verdict = verify(local_backend, harmless, "easy", 0)
    assert not verdict.accepted and "contains the sabotage" in verdict.reason and "tests pass" in verdict.reason


def test_a_sabotage_that_brings_its_own_failing_test_is_refused(local_backend):
    scenario = load_scenario("catalogue_pages")
    without_test = _with_step(scenario, "pagination_tests",
                              edits=(Edit("README.md", "append", "\nPages hold twenty items.\n"),))
    catching = Edit("tests/test_pagination.py", "append",
                    "\n\nclass LeftoverTest(unittest.TestCase):\n    def test_leftover(self):\n"
                    "        from catalogue.pagination import page_count\n\n"
                    "        self.assertEqual(page_count(41, 20), 3)\n")
    sabotage = without_test.sabotage
    own_test = _with_step(without_test, sabotage.id, bug=(*sabotage.bug, catching))
    verdict = verify(local_backend, own_test, "easy", 0)
    assert not verdict.accepted and "brings the test that catches it" in verdict.reason


def test_a_revert_that_conflicts_is_refused(local_backend):
    scenario = load_scenario("catalogue_pages")
    touching = _with_step(scenario, "type_hints", edits=(Edit("catalogue/pagination.py", "replace",
                                                              "(1 if rest > 1 else 0)", "(rest > 1)"),))
    verdict = verify(local_backend, touching, "medium", 0)
    assert not verdict.accepted and "does not apply cleanly" in verdict.reason


@pytest.mark.parametrize("words", ["quick hack on paging", "break paging on purpose"])
def test_a_message_that_gives_it_away_is_refused(local_backend, words):
    scenario = load_scenario("catalogue_pages")
    loud = _with_step(scenario, scenario.sabotage.id, subject=words, terse=words)
    verdict = verify(local_backend, loud, "easy", 0)
    assert not verdict.accepted and "gives it away" in verdict.reason


def test_the_alarming_decoy_may_sound_alarming(local_backend):
    scenario = load_scenario("notes_permissions")
    alarm = next(s for s in scenario.steps if s.role == "alarm")
    assert "!!" in alarm.terse
    assert verify(local_backend, scenario, "easy", 1).accepted


# -- serving ------------------------------------------------------------------------------------------------------
def test_every_scenario_is_listed_and_a_choice_is_deterministic():
    assert sorted(m.id for m in list_scenarios()) == scenario_ids()
    assert {m.phase for m in list_scenarios()} == {"imposter"}
    first = choose_scenario(None, None, "course:7/student:42/attempt:1")
    assert first == choose_scenario([], "medium", "course:7/student:42/attempt:1") and first.difficulty == "medium"
    picks = {choose_scenario(["rates_cache", "shipping_swap"], "hard", f"s{n}").scenario_id for n in range(40)}
    assert picks == {"rates_cache", "shipping_swap"}
    seeds = {choose_scenario(["rates_cache"], "easy", f"s{n}").seed for n in range(60)}
    assert len(seeds) >= K


def test_what_cannot_be_served_is_said_plainly():
    with pytest.raises(NoScenario, match="no difficulty"):
        choose_scenario(None, "extreme", "k")
    with pytest.raises(NoScenario, match="No verified Imposter repository is available for nope"):
        choose_scenario(["nope"], "easy", "k")
    choice = choose_scenario(["rates_cache"], "easy", "k")
    with pytest.raises(NoScenario, match="needs rebuilding"):
        start_state(Choice(choice.scenario_id, choice.difficulty, choice.seed, "0" * 40, choice.sabotage))


def test_a_stale_bank_serves_nothing(tmp_path):
    stale = tmp_path / "bank.json"
    stale.write_text(BANK_PATH.read_text().replace(load_scenario("rates_cache").digest, "0" * 64))
    assert accepted_entries("rates_cache", "easy", load_scenario("rates_cache").digest, stale) == []
