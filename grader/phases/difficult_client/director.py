"""The hidden Director: judges one student message and decides what the client may reveal.

Deterministic. Each message gets an intent (what it asks: a constraint's topic, the client's world, a general
question, a topic already revealed, something outside the world; or nothing worth an answer: stuffed keywords, a
repeat, gaming, rudeness) and at most one target constraint; the question-quality score and the session's
difficulty set the level granted (nothing, partial hint, full reveal). An optional LLM judgement nudges the quality
score by at most ``LLM_MAX_NUDGE`` and never sets a flag or an intent, so it can never be decisive alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.phases.difficult_client.intents import MessageIntents, asks_follow_up, topic_stems
from grader.phases.difficult_client.models import HINT, NOTHING, REVEAL, Scenario
from grader.phases.difficult_client.quality import QualitySignals, analyse, feedback_line, quality_score
from grader.phases.difficult_client.stuffing import (
    REPEAT_QUALITY,
    STUFFED_QUALITY,
    is_repeat,
    is_stuffed,
    repeat_key,
)
from grader.phases.difficult_client.text import words as text_words
from grader.phases.difficult_client.topics import (
    Topic,
    business_nouns,
    candidates,
    leads,
    referent,
    resolve,
    trigger_hits,
)
from grader.phases.difficult_client.triggers import MessageWords

__all__ = ["HINT", "LEVEL_NAMES", "NOTHING", "REVEAL", "STRICTNESS", "Judgement", "asked_entry", "judge", "referent"]

LEVEL_NAMES = {NOTHING: "nothing", HINT: "partial_hint", REVEAL: "full_reveal"}
LLM_WEIGHT = 0.2
LLM_MAX_NUDGE = 0.1
MANY_TOPICS = 4  # a question that touches this many constraints is a shotgun, not an interview
CONFUSING_JARGON = 2  # this many technical words and the client cannot tell what was asked
INTENTS = ("constraint", "world", "general", "acknowledge", "off_world", "stuffed", "repeat", "gaming", "rude", "none")


@dataclass(frozen=True)
class Strictness:
    """How guarded the client is at one difficulty."""

    reveal: float | None  # quality that reveals a topic at once; None: a first question gets at most a hint
    follow_up: float  # quality that turns a hinted topic into a full reveal
    volunteer: float | None  # quality at which a world answer or a general question carries a hint; None: never


STRICTNESS = {
    "easy": Strictness(reveal=0.65, follow_up=0.4, volunteer=0.35),
    "medium": Strictness(reveal=0.7, follow_up=0.45, volunteer=0.55),
    "hard": Strictness(reveal=None, follow_up=0.65, volunteer=None),
}


@dataclass(frozen=True)
class Judgement:
    """The Director's decision for one turn. Instructor-visible, never student-visible."""

    turn: int
    quality: float
    heuristic_quality: float
    llm_quality: float | None
    signals: dict[str, Any]
    matched: list[str]  # constraint ids whose triggers matched, best first
    target: str | None  # the one constraint this turn is about
    via: str  # "trigger", "notice", "follow_up", "world", "general", "courtesy", "small_talk" or "none"
    granted: int  # level granted to the target this turn (before max with the previous level)
    feedback: str
    flags: list[str] = field(default_factory=list)
    intent: str = "none"  # one of INTENTS
    world: str | None = None  # the world key answered: a WORLD_KEYS name or "extra:<n>"

    def to_dict(self) -> dict[str, Any]:
        """A fresh copy, as ``dataclasses.asdict`` gives, built by hand: asdict's generic recursion cost a turn
        more than its judging did."""
        return {
            "turn": self.turn, "quality": self.quality, "heuristic_quality": self.heuristic_quality,
            "llm_quality": self.llm_quality,
            "signals": {k: v.copy() if isinstance(v, list) else v for k, v in self.signals.items()},
            "matched": list(self.matched), "target": self.target, "via": self.via, "granted": self.granted,
            "feedback": self.feedback, "flags": list(self.flags), "intent": self.intent, "world": self.world,
        }


def difficulty_of(scenario: Scenario, state: dict[str, Any]) -> str:
    """The session's difficulty; a state from before difficulties were recorded plays at the scenario's own."""
    chosen = state.get("difficulty")
    return chosen if chosen in STRICTNESS else scenario.meta.difficulty


def blend_llm(heuristic: float, llm_quality: float | None) -> float:
    """Move the heuristic score toward the LLM's opinion, by at most LLM_MAX_NUDGE."""
    if llm_quality is None:
        return heuristic
    nudge = max(-LLM_MAX_NUDGE, min(LLM_MAX_NUDGE, LLM_WEIGHT * (min(1.0, max(0.0, llm_quality)) - heuristic)))
    return round(min(1.0, max(0.0, heuristic + nudge)), 3)


def grant_level(signals: QualitySignals, quality: float, current: int,
                strictness: Strictness = STRICTNESS["medium"]) -> int:
    """Reveal level a question about a topic earns: gaming, rudeness or a wall of jargon earn nothing, some jargon
    at most a hint; otherwise the quality against the difficulty's thresholds."""
    if signals.extraction or signals.injection or signals.rude or len(signals.jargon) >= CONFUSING_JARGON:
        return NOTHING
    if signals.jargon_heavy:
        return HINT
    if current == NOTHING:
        return REVEAL if strictness.reveal is not None and quality >= strictness.reveal else HINT
    return REVEAL if quality >= strictness.follow_up else HINT


def asked_entry(state: dict[str, Any], message: str) -> dict[str, Any]:
    """What the state remembers of a student message, for spotting repeats later."""
    return {"text": repeat_key(message), "ref": referent(state)}


def _volunteered(scenario: Scenario, state: dict[str, Any], topic: Topic) -> str | None:
    """The constraint whose partial hint a world answer or a general question may carry (the Director decides
    whether it does): the world key's lead, or for a general question the weightiest topic not touched yet."""
    if topic.intent == "world" and topic.world:
        lead = leads(scenario, topic.world)
        return lead if lead and state["constraints"][lead]["level"] == NOTHING else None
    untouched = [c for c in scenario.constraints if state["constraints"][c.id]["level"] == NOTHING]
    return max(untouched, key=lambda c: c.weight).id if untouched else None


def judge(scenario: Scenario, state: dict[str, Any], message: str, llm_quality: float | None = None) -> Judgement:
    """Judge ``message`` against the hidden state; pure (does not modify ``state``)."""
    signals = analyse(message)
    turn = state["turn"] + 1
    strictness = STRICTNESS[difficulty_of(scenario, state)]
    intents = MessageIntents.of(message, scenario.vocabulary, business_nouns(scenario))
    # The message's stems once (the triggers' were computed at load), less the phrases that reframe it, plus the
    # words a trigger would use for what it asks in other words.
    words = MessageWords.of(f"{intents.residual} {intents.expansion}")
    found = candidates(scenario, state, words, text_words(intents.residual))
    matched = [c.ref for c in found if c.kind == "constraint"]
    many_topics = len(matched) >= MANY_TOPICS
    # A follow-up ("could you say more about that?") repeats an earlier one only if it points at the same thing.
    points_back = asks_follow_up(message, intents.residual) or not topic_stems(intents.residual)

    if signals.extraction or signals.injection:
        topic = Topic("gaming")
    elif signals.rude:
        aim = next((c for c in found if c.kind == "constraint"), None)
        topic = Topic("rude", aim.ref if aim else None, via=aim.via if aim else "none")
    elif is_repeat(repeat_key(message), referent(state), state.get("asked", ()), points_back):
        topic = Topic("repeat")
    elif is_stuffed(message, len(found), trigger_hits(scenario, own := set(topic_stems(intents.residual))),
                    len(own), many_topics):
        topic = Topic("stuffed")
    else:
        topic = resolve(scenario, state, message, intents, found, words)

    heuristic = quality_score(signals)
    if many_topics:
        heuristic = round(max(0.0, heuristic - 0.15), 3)
    if topic.intent == "stuffed":
        heuristic = min(heuristic, STUFFED_QUALITY)
    elif topic.intent == "repeat":
        heuristic = min(heuristic, REPEAT_QUALITY)
    # Gaming, rudeness, stuffing and repeats are decided by code alone: an LLM (perhaps talked round by the very
    # message it judges) cannot soften them.
    decided = topic.intent in ("gaming", "rude", "stuffed", "repeat")
    quality = heuristic if decided else blend_llm(heuristic, llm_quality)

    target, via, granted = topic.target, topic.via, NOTHING
    if topic.intent in ("constraint", "rude") and target is not None:
        current = state["constraints"][target]["level"]
        granted = grant_level(signals, quality, current, strictness)
    elif topic.intent == "acknowledge" and target is not None:
        granted = state["constraints"][target]["level"]  # nothing new: the reply acknowledges what was said
    elif topic.intent in ("world", "general"):
        lead = _volunteered(scenario, state, topic)
        allowed = strictness.volunteer is not None and quality >= strictness.volunteer and not signals.jargon_heavy
        if lead is not None and allowed:
            target, granted = lead, HINT
    flags = [name for name, on in (("rude", signals.rude), ("jargon_heavy", signals.jargon_heavy),
                                   ("extraction", signals.extraction), ("injection", signals.injection),
                                   ("many_topics", many_topics), ("stuffed", topic.intent == "stuffed"),
                                   ("repeat", topic.intent == "repeat")) if on]
    return Judgement(turn=turn, quality=quality, heuristic_quality=heuristic, llm_quality=llm_quality,
                     signals=signals.to_dict(), matched=matched, target=target, via=via, granted=granted,
                     feedback=_feedback(signals, topic.intent, many_topics), flags=flags, intent=topic.intent,
                     world=topic.world)


def _feedback(signals: QualitySignals, intent: str, many_topics: bool) -> str:
    if intent == "stuffed" and not (signals.rude or signals.injection or signals.extraction):
        return "that's a list of keywords, not a question — ask about one thing in a full sentence"
    if intent == "repeat" and not (signals.rude or signals.injection or signals.extraction):
        return "you asked that already — ask something new or follow up on the answer"
    return feedback_line(signals, many_topics)
