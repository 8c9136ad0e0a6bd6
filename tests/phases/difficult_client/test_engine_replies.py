"""The offline client speaks in whole sentences: every combination of lines the Actor can put together, for every
scenario, and every reply the scripted students actually get, reads as finished sentences — no capital letter in
the middle of a sentence ("As I said, My specials"), no missing full stop, no double space, no empty fragment."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest

from grader.phases.difficult_client import list_scenarios, load_scenario, start_session, take_turn
from grader.phases.difficult_client.actor import (
    GENERIC,
    GENERIC_WORLD,
    as_sentence,
    compose,
    openers,
    persona_lines,
    world_answer,
)
from grader.phases.difficult_client.models import WORLD_KEYS, Scenario
from tests.phases.difficult_client.students import STUDENTS, expert

SCENARIOS = [m.id for m in list_scenarios()]
SENTENCE_END = re.compile(r"[.!?…][\"'’”)]*$")
AFTER_PAUSE = re.compile(r"[,;:]\s+([A-Z][\w'’]*)")
ALWAYS_CAPITAL = frozenset(("I", "I'm", "I've", "I'll", "I'd", "I’m", "I’ve", "I’ll", "I’d", "OK"))


def _prose(scenario: Scenario) -> list[str]:
    """The scenario's sentences as written (not its keyword lists, which authors write in lower case)."""
    p = scenario.persona
    texts = [p.greeting, *p.openers, *p.deflections, *p.rude_reactions, *p.confused_reactions, *p.unknowns]
    for c in scenario.constraints:
        texts += [c.partial_hint, c.full_reveal, c.acknowledge]
        if c.change:
            texts += [c.change.announcement, c.change.partial_hint, c.change.full_reveal, c.change.acknowledge]
    if scenario.world:
        texts += scenario.world.texts()
    return [t for t in texts if t]


def proper_nouns(scenario: Scenario) -> frozenset[str]:
    """Words the scenario's prose capitalises inside a sentence and never writes in lower case (Elm, Spanish)."""
    text = " ".join(_prose(scenario))
    lower = {w.lower() for w in re.findall(r"\b[a-z][\w'’]*", text)}
    inside = set(re.findall(r"(?<=[\w,;:—–-] )([A-Z][\w'’]*)", text))
    return frozenset(w for w in inside if w.lower() not in lower) | ALWAYS_CAPITAL


def problems(reply: str, names: frozenset[str]) -> list[str]:
    found = []
    if not reply.strip() or reply != reply.strip():
        found.append("empty or padded")
    if "  " in reply:
        found.append("double space")
    if not SENTENCE_END.search(reply):
        found.append("does not end a sentence")
    found += [f"capital after a pause: {w!r}" for w in AFTER_PAUSE.findall(reply) if w not in names]
    pieces = re.split(r"(?<=[.!?…])\s+", reply)
    if any(not re.search(r"[A-Za-z0-9]", piece) for piece in pieces):
        found.append("empty fragment")
    return found


def combinations(scenario: Scenario) -> Iterator[tuple[str, ...]]:
    """Every reply shape the Actor composes (see actor.plan_reply), with every line it can pick for it."""
    hints, reveals, acks = [], [], list(GENERIC["acknowledge"])
    for c in scenario.constraints:
        hints.append(c.partial_hint)
        reveals.append(c.full_reveal)
        acks.append(c.acknowledge)
        if c.change:
            hints.append(c.change.partial_hint)
            reveals.append(c.change.full_reveal)
            acks.append(c.change.acknowledge)
    yield from itertools.product(openers(scenario), hints + reveals)
    yield from itertools.product(hints, GENERIC["hint_again"])
    for confused, hint in itertools.product(persona_lines(scenario, "confused"), ["", *hints, *reveals]):
        yield confused, hint
    yield from ((a,) for a in acks if a)
    answers = [world_answer(scenario, k) for k in WORLD_KEYS] if scenario.world else []
    answers += [world_answer(scenario, f"extra:{n}") for n in range(len(scenario.world.extra if scenario.world
                                                                         else ()))]
    answers += [*GENERIC["world_again"], *itertools.chain.from_iterable(GENERIC_WORLD.values())]
    for answer, hint in itertools.product(answers, ["", *hints]):
        yield answer or "", hint
    yield from ((line,) for line in GENERIC["general"])
    for kind in ("deflect", "rude", "confused", "unknown"):
        yield from ((line,) for line in persona_lines(scenario, kind))
    for kind in ("extraction", "stuffed", "repeat", "unlock", "courtesy", "small_talk"):
        yield from ((line,) for line in GENERIC[kind])


def tails(scenario: Scenario) -> list[tuple[str, ...]]:
    changes = [c.change.announcement for c in scenario.constraints if c.change]
    return [(), *((a,) for a in changes), *((u,) for u in GENERIC["unlock"]),
            *((a, u) for a in changes for u in GENERIC["unlock"])]


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_combination_of_lines_reads_as_whole_sentences(scenario_id):
    scenario = load_scenario(scenario_id)
    names = proper_nouns(scenario)
    bad, count = [], 0
    for core in combinations(scenario):
        for tail in tails(scenario):
            parts = [p for p in (*core, *tail) if p]
            reply = compose(*parts)
            count += 1
            found = problems(reply, names)
            # Where two lines meet, the second starts a sentence of its own.
            found += [f"joined mid-sentence: {p[:30]!r}" for p in parts[1:] if not re.match(r"[\"'“‘(#$0-9A-Z]", p)]
            if found:
                bad.append((reply, found))
    assert count > 200
    assert not bad, bad[:10]


def test_the_checks_catch_stitched_replies():
    names = proper_nouns(load_scenario("angry_bakery_owner"))
    assert "Elm" in names and "My" not in names
    assert problems("As I said, My specials change all the time.", names)
    assert problems("Look, I need it  done.", names) and problems("Look, I need it", names)
    assert problems("Fine. . Next.", names)
    assert not problems("Look. My specials change all the time, and I'm tired of it.", names)


@pytest.mark.parametrize(("opener", "sentence"), [("Look,", "Look."), ("Okay, so, um,", "Okay."),
                                                  ("Sorry, yes —", "Sorry, yes."), ("Quick:", "Quick."),
                                                  ("Alright, listen.", "Alright, listen."), ("Yeah, so", "Yeah.")])
def test_persona_openers_become_sentences_of_their_own(opener, sentence):
    assert as_sentence(opener) == sentence


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_reply_the_scripted_students_get_reads_as_whole_sentences(scenario_id):
    scenario = load_scenario(scenario_id)
    names = proper_nouns(scenario)
    for difficulty in ("easy", "medium", "hard"):
        for name, student in STUDENTS.items():
            state = start_session(scenario, difficulty)
            messages = expert(scenario_id, difficulty) if name == "expert" else student(scenario_id)
            for message in messages:
                outcome = take_turn(scenario, state, message)
                state = outcome.state
                assert not problems(outcome.reply, names), (name, difficulty, message, outcome.reply)


def test_a_scenario_without_a_world_answers_from_generic_lines():
    from dataclasses import replace

    bakery = load_scenario("angry_bakery_owner")
    bare = replace(bakery, world=None, persona=replace(bakery.persona, unknowns=()))
    state = start_session(bare, "medium")
    replies = {}
    for message in ("Could you tell me a bit about the bakery?", "What would success look like for you?",
                    "What's your favourite football team?", "Anything else I should know?",
                    "How long have you been running the bakery?"):
        outcome = take_turn(bare, state, message)
        state = outcome.state
        replies[message] = outcome
    assert replies["Could you tell me a bit about the bakery?"].judgement["world"] == "business"
    assert replies["Could you tell me a bit about the bakery?"].reply in GENERIC_WORLD["business"]
    assert replies["What would success look like for you?"].reply in GENERIC_WORLD["success"]
    assert replies["What's your favourite football team?"].reply in GENERIC["unknown"]
    assert replies["Anything else I should know?"].judgement["intent"] == "general"
    again = replies["How long have you been running the bakery?"]
    assert again.judgement["world"] == "business" and again.reply in GENERIC_WORLD["business"]
    said = [o.reply for o in replies.values()]
    assert len(set(said)) == len(said)  # asking about the business again gets another sentence
    assert all(not problems(r, proper_nouns(bare)) for r in said)
