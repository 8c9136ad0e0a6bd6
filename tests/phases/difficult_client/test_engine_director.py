"""Director rules: wording tolerance, quality-dependent reveal levels, one constraint per turn, changes."""

from __future__ import annotations

import copy

import pytest

from grader.phases.difficult_client import (
    HINT,
    NOTHING,
    REVEAL,
    InvalidTurn,
    finish_session,
    load_scenario,
    start_session,
    take_turn,
)
from grader.phases.difficult_client.quality import analyse, quality_score
from grader.phases.difficult_client.triggers import best_match


@pytest.fixture
def bakery():
    return load_scenario("angry_bakery_owner")


@pytest.fixture
def founder():
    return load_scenario("perfectionist_startup_founder")


def level(state, cid):
    return state["constraints"][cid]["level"]


@pytest.mark.parametrize(("message", "trigger_of"), [
    ("Are there any alergens I should know about?", "allergen"),  # typo
    ("What could you afford each month?", "budget"),  # synonym group
    ("How do customers pre-order a cake for collection?", "order"),  # stems
])
def test_triggers_tolerate_wording(message, trigger_of):
    assert best_match((trigger_of,), message) is not None


def test_unrelated_message_matches_nothing():
    assert best_match(("hosting", "budget"), "Lovely weather today, isn't it?") is None


def test_quality_orders_manners():
    good = quality_score(analyse("Thank you for your time, I can imagine it's been hard. How do orders work?"))
    plain = quality_score(analyse("How do orders work?"))
    closed = quality_score(analyse("Do orders work?"))
    jargon = quality_score(analyse("Do orders hit the REST API backend?"))
    rude = quality_score(analyse("Just tell me how orders work, this is a waste of time."))
    assert good > plain > closed > jargon > rude


def test_empathetic_question_gets_full_reveal(bakery):
    out = take_turn(bakery, start_session(bakery, "medium"), "Thanks for your patience, I understand you've been "
                    "burned before. What can you spend each month to keep the site up?")
    assert level(out.state, "no_hosting_fees") == REVEAL
    assert "free hosting" in out.reply
    assert out.feedback == "clear and empathetic"


def test_plain_question_gets_hint_then_follow_up_reveals(bakery):
    s1 = take_turn(bakery, start_session(bakery, "medium"), "What is your budget for the website?")
    assert level(s1.state, "no_hosting_fees") == HINT
    assert bakery.constraint("no_hosting_fees").partial_hint in s1.reply
    assert "free hosting" not in s1.reply
    s2 = take_turn(bakery, s1.state, "Could you tell me more about that?")
    assert level(s2.state, "no_hosting_fees") == REVEAL


@pytest.mark.parametrize(("message", "intent"), [
    ("Just tell me the budget already, this is a waste of my time.", "rude"),
    ("Do you need the hosting costs on a serverless CDN backend?", "constraint"),
])
def test_rude_or_jargon_questions_earn_nothing(bakery, message, intent):
    first = take_turn(bakery, start_session(bakery, "medium"), message)
    assert first.judgement["intent"] == intent and first.judgement["target"] == "no_hosting_fees"
    state = first.state
    for _ in range(2):  # asking the same way again never gets further
        state = take_turn(bakery, state, message).state
    assert level(state, "no_hosting_fees") == NOTHING
    # One technical word is only a little confusing: at most a hint.
    some = take_turn(bakery, start_session(bakery, "medium"), "What is your VPS budget?")
    assert some.judgement["signals"]["jargon_heavy"] and level(some.state, "no_hosting_fees") == HINT


def test_asking_for_all_constraints_in_one_line_gets_nothing(bakery):
    out = take_turn(bakery, start_session(bakery, "medium"), "Please could you tell me all of your constraints?")
    assert all(e["level"] == NOTHING for e in out.state["constraints"].values())
    assert "extraction" in out.judgement["flags"]


def test_shotgun_question_advances_nothing(bakery):
    msg = ("Thanks so much! I understand it's busy. How do hosting costs, order pickup, menu updates, allergens "
           "and mobile customers work?")
    out = take_turn(bakery, start_session(bakery, "medium"), msg)
    assert all(e["level"] == NOTHING for e in out.state["constraints"].values())
    assert out.judgement["intent"] == "stuffed" and "many_topics" in out.judgement["flags"]
    assert out.judgement["quality"] <= 0.3


def test_changed_requirement_must_be_noticed(founder):
    ask = "Thank you, I understand how much this matters. Could you tell me about discounts for annual billing?"
    state = take_turn(founder, start_session(founder, "medium"), ask).state
    assert level(state, "annual_discount") == REVEAL
    for filler in ("I appreciate it. How should the design feel?", "Thanks! When do you need this live?",
                   "That makes sense, thank you. How large are the biggest teams?"):
        out = take_turn(founder, state, filler)
        state = out.state
    # Turn 4: the founder changes her mind; what the student knew is stale.
    assert founder.constraint("annual_discount").change.announcement in out.reply
    entry = state["constraints"]["annual_discount"]
    assert entry == {**entry, "version": "changed", "level": HINT, "stale_level": REVEAL}
    noticed = take_turn(founder, state, "Thanks for telling me. Could you walk me through what changed?")
    assert level(noticed.state, "annual_discount") == REVEAL
    assert "15% off" in noticed.reply


def test_turns_never_mutate_the_input_state(bakery):
    state = start_session(bakery, "medium")
    before = copy.deepcopy(state)
    take_turn(bakery, state, "What is your budget?")
    assert state == before


def test_a_turn_shares_nothing_it_may_change_with_the_state_or_the_stored_judgement(bakery):
    """The new state's constraint entries and the outcome's judgement are copies: editing either leaves the
    state the turn started from, and the judgement kept in the new state, as they were."""
    state = take_turn(bakery, start_session(bakery, "medium"), "Hi! What do you sell, and to whom?").state
    before = copy.deepcopy(state)
    outcome = take_turn(bakery, state, "Could you walk me through the busiest time of your week, please?")
    for entry in outcome.state["constraints"].values():
        entry["level"] = 99
    outcome.judgement["signals"]["jargon"].append("edited")
    outcome.judgement["flags"].append("edited")
    assert state == before
    kept = outcome.state["judgements"][-1]
    assert "edited" not in kept["signals"]["jargon"] + kept["flags"]


def test_judgement_dicts_are_what_asdict_would_give(bakery):
    """``to_dict`` is written out by hand for speed; it must stay exactly ``asdict``'s shape and values (a field
    added to the dataclass and forgotten there fails here)."""
    import dataclasses

    from grader.phases.difficult_client.director import judge

    state = start_session(bakery, "medium")
    for message in ("What is your backend API's scalability?", "Thanks so much! How do customers order today?"):
        j = judge(bakery, state, message, None)
        assert j.to_dict() == dataclasses.asdict(j)
        assert list(j.to_dict()) == [f.name for f in dataclasses.fields(j)]
        signals = analyse(message)
        expected = {**dataclasses.asdict(signals), "jargon": list(signals.jargon),
                    "jargon_heavy": signals.jargon_heavy, "clear": signals.clear}
        assert signals.to_dict() == expected and list(signals.to_dict()) == list(expected)


@pytest.mark.parametrize(("message", "reason"), [
    ("", "type a message"), ("   ", "type a message"), ("x" * 2001, "under 2000"), (None, "type a message"),
])
def test_bad_messages_are_rejected_clearly(bakery, message, reason):
    with pytest.raises(InvalidTurn, match=reason):
        take_turn(bakery, start_session(bakery, "medium"), message)


def test_foreign_or_finished_state_is_rejected(bakery, founder):
    with pytest.raises(InvalidTurn, match="another scenario"):
        take_turn(bakery, start_session(founder, "medium"), "Hello?")
    with pytest.raises(InvalidTurn, match="ended"):
        take_turn(bakery, finish_session(start_session(bakery, "medium")), "Hello?")
    with pytest.raises(InvalidTurn, match="not a Difficult Client"):
        take_turn(bakery, {"version": 99}, "Hello?")


def test_check_turn_validates_before_a_stream_is_opened(bakery):
    from grader.phases.difficult_client import check_turn, stream_turn

    assert check_turn(bakery, start_session(bakery, "medium"), "  Hello?  ") == "Hello?"
    with pytest.raises(InvalidTurn):
        check_turn(bakery, start_session(bakery, "medium"), "")
    events = stream_turn(bakery, start_session(bakery, "medium"), "")  # a generator: the error comes on first use
    with pytest.raises(InvalidTurn):
        next(events)


def test_follow_up_needs_a_follow_up_word(bakery):
    state = take_turn(bakery, start_session(bakery, "medium"), "What is your budget for the website?").state
    chat = take_turn(bakery, state, "Could you tell me about your week so far?")
    assert chat.judgement["target"] is None and level(chat.state, "no_hosting_fees") == HINT
    follow = take_turn(bakery, state, "Why is that, if you don't mind me asking?")
    assert follow.judgement["via"] == "follow_up" and level(follow.state, "no_hosting_fees") == REVEAL
