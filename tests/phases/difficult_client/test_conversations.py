"""Conversation suites: natural student questions per scenario (conversations/<scenario>.yaml), each with what the
client should do with it. At least 90 % of the replies must fit the question; the misses are listed on failure."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from grader.phases.difficult_client import list_scenarios, load_scenario
from grader.phases.difficult_client.conversation_suite import (
    KINDS,
    Case,
    Expectation,
    Suite,
    SuiteError,
    load_suite,
    parse_suite,
    play_case,
    play_suite,
    suite_files,
)

FOLDER = Path(__file__).resolve().parent / "conversations"
SUITES = suite_files(FOLDER)
TARGET_FIT = 0.9
MIN_CASES = 60
MIN_PER_KIND = 3


def test_every_scenario_has_a_suite():
    assert sorted(p.stem for p in SUITES) == sorted(m.id for m in list_scenarios())


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.stem)
def test_the_suite_is_a_spread_of_natural_questions(path):
    suite = load_suite(path)
    assert suite.scenario_id == path.stem
    assert len(suite.cases) >= MIN_CASES
    kinds = Counter(c.kind for c in suite.cases)
    assert all(kinds[k] >= MIN_PER_KIND for k in KINDS), kinds
    assert all(c.before for c in suite.cases if c.kind in ("follow_up", "repeated"))
    scenario = load_scenario(suite.scenario_id)
    ids = {c.id for c in scenario.constraints}
    extras = len(scenario.world.extra) if scenario.world else 0
    world_keys = {"business", "day", "people", "last_time", "success", "dont_care", *(f"extra:{n}" for n in
                                                                                       range(extras))}
    assert all(c.expect.about in ids | world_keys for c in suite.cases if c.expect.about), "about names nothing"


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.stem)
def test_replies_fit_the_question(path):
    result = play_suite(load_suite(path))
    misses = "\n".join(r.describe() for r in result.misses())
    assert result.fit >= TARGET_FIT, f"{result.fitting}/{len(result.results)} fit ({result.fit:.0%}); misses:\n{misses}"


def test_a_wrong_expectation_does_not_fit():
    bakery = load_scenario("angry_bakery_owner")
    right = [
        Case("What would success look like for you?", "general", Expectation("world", "success", "hint")),
        Case("Please, hosting monthly cost budget?", "stuffed", Expectation("stuffed", max_level="nothing")),
        Case("Thank you for making time, I can imagine mornings are hectic. How would you like the daily specials "
             "to be kept up to date?", "open", Expectation("constraint", "updates_herself", min_level="reveal")),
        Case("Do you have a budget for hosting?", "repeated", Expectation("repeat", max_level="nothing"),
             before=("Do you have a budget for hosting?",)),
    ]
    assert all(play_case(bakery, c).fits for c in right)
    wrong = [
        replace(right[0], expect=Expectation("world", "day")),  # another world key
        replace(right[1], expect=Expectation("constraint", "no_hosting_fees", min_level="hint")),  # a reveal expected
        replace(right[2], expect=Expectation("constraint", "updates_herself", max_level="hint")),  # it does reveal
        replace(right[3], expect=Expectation("repeat", new=False), before=()),  # nothing was asked before
    ]
    results = [play_case(bakery, c) for c in wrong]
    assert not any(r.fits for r in results), [r.describe() for r in results]
    assert play_suite(Suite("angry_bakery_owner", tuple(right + wrong))).fit == 0.5


def test_a_reply_said_before_is_not_new():
    bakery = load_scenario("angry_bakery_owner")
    # Asked in other words, the same world answer would come back word for word; the client says something new.
    case = Case("How long have you been running the shop?", "open", Expectation("world", "business"),
                before=("Could you tell me a bit about the bakery?",))
    result = play_case(bakery, case)
    assert result.fits, result.describe()
    assert result.reply != bakery.world.business


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d["cases"][0].update(kind="chatty"), "kind 'chatty'"),
    (lambda d: d["cases"][0]["expect"].update(intent="guess"), "intent 'guess'"),
    (lambda d: d["cases"][0]["expect"].update(max_level="all"), "max_level 'all'"),
    (lambda d: d["cases"][0].update(before="not a list"), "before must be a list"),
    (lambda d: d.pop("cases"), "needs a scenario id"),
])
def test_a_malformed_suite_is_refused_naming_the_case(change, reason):
    data = yaml.safe_load((FOLDER / "angry_bakery_owner.yaml").read_text())
    change(data)
    with pytest.raises(SuiteError, match=reason):
        parse_suite(data, source="x.yaml")
