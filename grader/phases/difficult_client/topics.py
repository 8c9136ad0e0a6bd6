"""Which topic a student message asks about: a constraint (by its triggers, or a changed one by its notice
triggers), a part of the client's world (a fixed key by the shared intent patterns, a scenario topic by its asks,
or by the words a world answer shares with the question), a general question, a follow-up on what was just said,
or something outside the world. The Director (director.py) decides what the client may say about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.phases.difficult_client.intents import (
    MessageIntents,
    asks_about_it,
    asks_follow_up,
    is_question,
    topic_stems,
)
from grader.phases.difficult_client.models import HINT, NOTHING, REVEAL, Scenario
from grader.phases.difficult_client.text import STOPWORDS, content_stems, synonym_groups
from grader.phases.difficult_client.text import words as text_words
from grader.phases.difficult_client.triggers import MessageWords, TriggerPhrase, best_match, matched_stems

NOTICE_FACTOR = 0.9  # noticing a change is slightly weaker evidence than asking about the topic
STRONG_MATCH = 1.0 - 1e-9  # a whole trigger phrase in the message's own words (not only synonyms or typos)
ASK_FORM_FACTOR = 0.9  # a world topic's ask written as a question, matched without its small words
OVERLAP_MIN_LENGTH = 4  # shorter words say too little to tie a question to a world answer
# Words too common in any client's story to say which part of it a question is about.
COMMON = frozenset(content_stems("good great nice best better lately recently really always never every today "
                                 "time times year years week weeks people place thing work know think have having "
                                 "doing done make making take taking keep keeping want like look feel last next"))


def referent(state: dict[str, Any]) -> str | None:
    """What "that" points at in the next message: the last constraint or world topic talked about."""
    if state.get("last_constraint"):
        return f"constraint:{state['last_constraint']}"
    if state.get("last_world"):
        return f"world:{state['last_world']}"
    return None


@dataclass(frozen=True)
class Candidate:
    score: float
    kind: str  # "constraint" or "extra"
    ref: str  # constraint id, or the extra's index
    via: str
    level: int
    order: int


def is_revealed(state: dict[str, Any], cid: str) -> bool:
    return bool(state["constraints"][cid]["level"] == REVEAL)


def candidates(scenario: Scenario, state: dict[str, Any], words: MessageWords, message_tokens: list[str]
               ) -> list[Candidate]:
    """Constraints (by their triggers, or a changed one by its notice triggers) and world extras the words match,
    best first."""
    found: list[Candidate] = []
    for order, c in enumerate(scenario.constraints):
        entry = state["constraints"][c.id]
        match = best_match(c.compiled_triggers, words)
        best, via = (match.score, "trigger") if match else (0.0, "none")
        if c.change and entry["version"] == "changed" and entry["level"] < REVEAL:
            notice = best_match(c.change.compiled_notice_triggers, words)
            if notice and notice.score * NOTICE_FACTOR > best:
                best, via = notice.score * NOTICE_FACTOR, "notice"
        if best > 0:
            found.append(Candidate(best, "constraint", c.id, via, entry["level"], order))
    for n, topic in enumerate(scenario.world.extra if scenario.world else ()):
        score = ask_score(topic.compiled_asks, words, frozenset(message_tokens))
        if score > 0:
            found.append(Candidate(score, "extra", str(n), "world", NOTHING, len(scenario.constraints) + n))
    # Among equals: one named by words of its own before one named only by the scenario's domain words; then a
    # world topic, what the student was just talking about, a topic still to discover, and last a topic already
    # revealed.
    last = state.get("last_constraint")

    def group(c: Candidate) -> int:
        return 0 if c.kind == "extra" else 1 if c.ref == last else 3 if c.level == REVEAL else 2

    found.sort(key=lambda c: (-round(c.score, 6), explained(scenario, c, words) <= scenario.domain_stems, group(c),
                              c.level, c.order))
    return found


def ask_score(asks: tuple[TriggerPhrase, ...], words: MessageWords, tokens: frozenset[str]) -> float:
    """How well a world topic's asks match: like triggers, except that an ask written with small words ("how do
    customers pay", "the building") is weaker evidence when the message does not use them ("what do customers
    get for paying yearly?", "should we build ...")."""
    scores = []
    for ask in asks:
        match = best_match((ask,), words)
        if match:
            missing = (set(text_words(ask.phrase)) & STOPWORDS) - tokens
            scores.append(match.score * (ASK_FORM_FACTOR if missing else 1.0))
    if not scores:
        return 0.0
    scores.sort(reverse=True)
    return scores[0] + 0.03 * min(3, sum(1 for x in scores[1:] if x >= STRONG_MATCH))


def trigger_hits(scenario: Scenario, stems: set[str]) -> int:
    """How many of ``stems`` (the message's own, not the expansion's) are trigger words of some constraint."""
    trigger_stems = {w.stem for c in scenario.constraints for t in c.compiled_triggers for w in t.words}
    groups = frozenset().union(*(w.groups for c in scenario.constraints for t in c.compiled_triggers for w in t.words))
    return sum(1 for s in stems if s in trigger_stems or synonym_groups(s) & groups)


TITLES = frozenset(("owner", "director", "executive", "founder", "ceo", "senior", "landlord", "teacher", "receptionist",
                    "manager", "year"))


def business_nouns(scenario: Scenario) -> set[str]:
    """The names in the persona's role ("Owner of Baptiste's Grill": baptiste, grill) name the business."""
    names = re.findall(r"\b[A-Z][\w'-]*", scenario.persona.role)
    return {re.sub(r"'s$", "", n.lower()) for n in names} - TITLES


SMALL_TALK = re.compile(r"\bhow (?:are you|are things|have you been|is it going|'s it going|is your day)\b|"
                        r"\bnice to meet you\b|\bgood (?:morning|afternoon|evening) to you\b")
COURTESY_ONLY = re.compile(r"^(?:thanks|thank you|ok(?:ay)?|got it|great|cool|right|sure|i see|understood|noted|"
                           r"perfect|wonderful|brilliant|lovely|that makes sense|makes sense|fair enough)\b")
# A student checking what they just heard ("just to check, walk-ins can't get a ticket at all?").
CONFIRMING = re.compile(r"\b(?:just to (?:check|confirm|be sure|be clear|clarify)|to confirm|so just to|"
                        r"did you say|you said|(?:is that|am i) right|, right\s*\??\s*$|correct\s*\??\s*$)")


def explained(scenario: Scenario, c: Candidate, words: MessageWords) -> frozenset[str]:
    if c.kind == "extra" and scenario.world is not None:
        return matched_stems(scenario.world.extra[int(c.ref)].compiled_asks, words)
    constraint = scenario.constraint(c.ref)
    if c.via == "notice" and constraint.change:
        return matched_stems(constraint.change.compiled_notice_triggers, words)
    return matched_stems(constraint.compiled_triggers, words)


def echoes_last_reply(state: dict[str, Any], residual: str) -> bool:
    """Is the question built from the client's own last words ("what happened last year?" after "...last year")?"""
    asked = set(topic_stems(residual))
    last = next((m["text"] for m in reversed(state["transcript"]) if m["role"] == "client"), "")
    return bool(asked) and asked <= set(content_stems(last))


@dataclass(frozen=True)
class Topic:
    intent: str
    target: str | None = None
    world: str | None = None
    via: str = "none"


def resolve(scenario: Scenario, state: dict[str, Any], message: str, intents: MessageIntents,
           candidates: list[Candidate], words: MessageWords) -> Topic:
    """What a message that deserves an answer asks about."""
    # A revealed topic matched only by a synonym or a typo: the question is most likely about something else.
    usable = [c for c in candidates if c.score >= STRONG_MATCH or c.kind == "extra" or not is_revealed(state, c.ref)]
    top = usable[0] if usable else None

    def answer(c: Candidate) -> Topic:
        if c.kind == "extra":
            return Topic("world", world=f"extra:{c.ref}", via="world")
        return Topic("acknowledge" if is_revealed(state, c.ref) else "constraint", c.ref, via=c.via)

    if top is not None and top.kind == "constraint" and is_revealed(state, top.ref):
        # A revealed topic's word inside a wider question about the world ("do customers pay at the table?" after
        # the budget): the world topic that accounts for more of the question answers it.
        named = explained(scenario, top, words)
        wider = [c for c in usable if c.kind == "extra" and explained(scenario, c, words) > named]
        if wider:
            return answer(wider[0])
    if top is not None and top.score >= STRONG_MATCH:
        last = state.get("last_constraint")
        if last and CONFIRMING.search(intents.text) and any(c.ref == last and c.score >= STRONG_MATCH for c in usable):
            return answer(next(c for c in usable if c.ref == last))  # "just to check, ...?" checks what was said
        return answer(top)
    if asks_follow_up(message, intents.residual) and referent(state):
        return follow_up_topic(scenario, state)
    if SMALL_TALK.search(intents.text):  # "how are you?": nothing about the work was asked
        return Topic("none", via="small_talk")
    if intents.off_world:
        return Topic("off_world")
    if intents.world:
        return Topic("world", world=intents.world, via="world")
    if intents.general:
        return Topic("general", via="general")
    if referent(state) and (asks_about_it(intents.residual) or (
            is_question(message) and echoes_last_reply(state, intents.residual))):
        return follow_up_topic(scenario, state)
    if top is not None:
        return answer(top)
    if is_question(message) and (key := world_overlap(scenario, state, intents.residual)):
        return Topic("world", world=key, via="world")
    if is_question(message) and topic_stems(intents.residual):
        return Topic("off_world")
    # Thanks, "got it", "okay": nothing was asked; the client waits for the next question.
    return Topic("none", via="courtesy" if not is_question(message) and COURTESY_ONLY.search(intents.text) else "none")


def follow_up_topic(scenario: Scenario, state: dict[str, Any]) -> Topic:
    """A question about what the client just talked about. Digging into a world answer whose topic was already
    hinted at ("tell me more about that" after the story of the last developer) is digging into that topic."""
    cid = state.get("last_constraint")
    lead = leads(scenario, state["last_world"]) if not cid and state.get("last_world") else None
    if lead and state["constraints"][lead]["level"] == HINT:
        cid = lead
    if cid:
        return Topic("acknowledge" if is_revealed(state, cid) else "constraint", cid, via="follow_up")
    return Topic("world", world=state["last_world"], via="follow_up")


def world_overlap(scenario: Scenario, state: dict[str, Any], residual: str) -> str | None:
    """The world answer not given yet that shares the most topic words with a question nothing else matched
    ("what kind of burgers do you do?" and the grill's menu); a scenario-specific topic before a fixed key on a
    tie."""
    world = scenario.world
    if world is None:
        return None
    asked = {s for s in topic_stems(residual) if len(s) >= OVERLAP_MIN_LENGTH} - scenario.domain_stems - COMMON
    said = " ".join(m["text"] for m in state["transcript"] if m["role"] == "client")
    shared = {k: len(asked & set(content_stems(world.answer(k)))) for k in world.topic_keys()
              if world.answer(k) not in said}
    best = max(shared, key=lambda k: shared[k], default=None)
    return best if best and shared[best] else None


def leads(scenario: Scenario, world_key: str) -> str | None:
    return scenario.world.lead(world_key) if scenario.world else None
