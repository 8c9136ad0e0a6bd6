"""The Director reads what a message asks (its intent) and the session's difficulty sets how much the client says:
an answer from the client's world, an acknowledgement instead of the same fact again, nothing for keyword lists
and repeats however polite, and a guarded client at "hard"."""

from __future__ import annotations

import pytest

from grader.phases.difficult_client import (
    HINT,
    NOTHING,
    REVEAL,
    judge,
    load_scenario,
    replay,
    start_session,
    take_turn,
)
from grader.phases.difficult_client.quality import analyse

EMPATHETIC = "Thank you for making time, I understand it has been hard. "


@pytest.fixture(scope="module")
def bakery():
    return load_scenario("angry_bakery_owner")


def level(state, cid):
    return state["constraints"][cid]["level"]


def play(scenario, messages, difficulty="medium"):
    state, outcomes = start_session(scenario, difficulty), []
    for message in messages:
        outcomes.append(take_turn(scenario, state, message))
        state = outcomes[-1].state
    return state, outcomes


def test_the_difficulty_is_recorded_and_replayed(bakery):
    assert start_session(bakery)["difficulty"] == bakery.meta.difficulty == "easy"
    assert start_session(bakery, "hard")["difficulty"] == "hard"
    assert replay(bakery, ["What is your budget?"], "hard")["difficulty"] == "hard"
    with pytest.raises(ValueError, match="unknown difficulty"):
        start_session(bakery, "impossible")
    # A state recorded before difficulties existed plays at the scenario's own.
    old = {k: v for k, v in start_session(bakery).items() if k not in ("difficulty", "asked", "last_world")}
    assert take_turn(bakery, old, "What is your budget?").state["turn"] == 1


@pytest.mark.parametrize("message", ["What brings you to us today?", "Hi there, what brings you to us today?",
                                     "Welcome — what brings you to us today?"])
def test_what_brings_you_here_is_an_open_general_question(bakery, message):
    assert analyse(message).question_type == "open"
    assert judge(bakery, start_session(bakery, "medium"), message).intent == "general"


def test_a_repeated_message_is_no_follow_up_and_earns_nothing(bakery):
    state, (first, again) = play(bakery, ["What is your budget for the website?"] * 2)
    assert first.judgement["intent"] == "constraint" and level(first.state, "no_hosting_fees") == HINT
    assert again.judgement["intent"] == "repeat" and level(state, "no_hosting_fees") == HINT
    assert again.judgement["quality"] <= 0.15 < first.judgement["quality"]
    assert again.reply != first.reply
    # A real follow-up does reveal; saying it twice about the same thing does not count twice.
    state, outcomes = play(bakery, ["What is your budget for the website?", "Could you tell me more about that?",
                                    "Could you tell me more about that?"])
    assert [o.judgement["intent"] for o in outcomes] == ["constraint", "constraint", "repeat"]
    assert level(state, "no_hosting_fees") == REVEAL


@pytest.mark.parametrize("message", ["Please, hosting monthly cost budget?", "Hosting, orders, menu, allergens?",
                                     "Thank you! Mobile device users audience regulars?",
                                     "Please, menu updates update change the menu edit?"])
def test_keyword_stuffing_earns_nothing_however_polite(bakery, message):
    for difficulty in ("easy", "medium"):
        out = take_turn(bakery, start_session(bakery, difficulty), message)
        assert out.judgement["intent"] == "stuffed", message
        assert all(e["level"] == NOTHING for e in out.state["constraints"].values())
        assert out.judgement["quality"] <= 0.3 and "keywords" in out.feedback
    # The model's opinion cannot soften it either.
    j = judge(bakery, start_session(bakery, "easy"), message, llm_quality=1.0)
    assert j.quality == j.heuristic_quality <= 0.3 and j.granted == NOTHING


def test_questions_next_to_a_revealed_topic_get_their_own_answers(bakery):
    reveal = EMPATHETIC + "Could you walk me through how far ahead customers can order a cake for pickup?"
    neighbours = ["How will customers pay for their orders?", "What kinds of orders do people usually place?",
                  "Should the order page be in Italian as well as English?", "Do customers pay online?",
                  "What do you sell the most of?", "What kind of look do you have in mind for the website?"]
    state, outcomes = play(bakery, [reveal, *neighbours])
    assert level(state, "order_cutoff") == REVEAL
    cutoff = bakery.constraint("order_cutoff")
    for message, out in zip(neighbours, outcomes[1:], strict=True):
        assert out.judgement["intent"] == "world", (message, out.judgement)
        assert cutoff.full_reveal not in out.reply and "2 pm" not in out.reply
    replies = [o.reply for o in outcomes]
    assert len(set(replies)) == len(replies)


def test_asking_again_about_a_revealed_topic_is_acknowledged_not_recited(bakery):
    reveal = EMPATHETIC + "What could you afford each month to keep the website online?"
    again = ["So how much would you pay per month for hosting, roughly?", "Sorry, what was the budget again?",
             "And the hosting fees, what was that?"]
    state, outcomes = play(bakery, [reveal, *again])
    assert level(state, "no_hosting_fees") == REVEAL
    fact = bakery.constraint("no_hosting_fees").full_reveal
    assert fact in outcomes[0].reply
    for out in outcomes[1:]:
        assert out.judgement["intent"] == "acknowledge" and out.judgement["target"] == "no_hosting_fees"
        assert fact not in out.reply and "free hosting" not in out.reply
    assert outcomes[1].reply == bakery.constraint("no_hosting_fees").acknowledge
    assert len({o.reply for o in outcomes[1:]}) == len(again)


def test_outside_the_world_the_client_does_not_know_in_persona(bakery):
    out = take_turn(bakery, start_session(bakery, "medium"), "What's your favourite football team?")
    assert out.judgement["intent"] == "off_world" and out.reply in bakery.persona.unknowns
    assert out.judgement["target"] is None


def test_an_easy_client_volunteers_and_a_hard_one_does_not(bakery):
    question = "What does a normal day look like for you?"  # plain: quality 0.6; the day leads to the order cutoff
    easy = take_turn(bakery, start_session(bakery, "easy"), question)
    hard = take_turn(bakery, start_session(bakery, "hard"), question)
    assert easy.judgement["world"] == hard.judgement["world"] == "day"
    assert level(easy.state, "order_cutoff") == HINT and bakery.constraint("order_cutoff").partial_hint in easy.reply
    assert level(hard.state, "order_cutoff") == NOTHING and hard.reply == bakery.world.day
    # Asked well, an easy client tells at once; a hard one only hints at first, and tells on a good follow-up.
    best = EMPATHETIC + "Could you tell me who will keep the daily specials up to date, and how?"
    assert level(take_turn(bakery, start_session(bakery, "easy"), best).state, "updates_herself") == REVEAL
    state, outcomes = play(bakery, [best, "Thank you, that helps. Could you say a little more about that?"], "hard")
    assert level(outcomes[0].state, "updates_herself") == HINT and level(state, "updates_herself") == REVEAL
    # At hard a plain follow-up is not enough.
    state, _ = play(bakery, [best, "Can you tell me more?"], "hard")
    assert level(state, "updates_herself") == HINT


def test_digging_into_a_world_answer_digs_into_its_topic(bakery):
    state, outcomes = play(bakery, ["What went wrong with the last developer?", "Could you tell me more about that?",
                                    "I see. And why is that so important to you?"])
    assert outcomes[0].judgement["world"] == "last_time"
    assert level(outcomes[0].state, "no_hosting_fees") == HINT  # the world answer carried the hint
    assert outcomes[1].judgement["target"] == "no_hosting_fees" and level(state, "no_hosting_fees") == REVEAL
    assert outcomes[2].judgement["intent"] == "acknowledge"
