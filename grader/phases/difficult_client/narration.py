"""The Difficult Client's record in words, for instructors: each turn's Director judgement as a sentence
("clear, polite open question; revealed “running costs” partially (quality 0.78)") and a note on each
client reply. Plain data in, plain data out.

Instructor-only: the sentences name the hidden constraints' topics and what each turn revealed. Never put
them on a student's page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.phases.difficult_client.director import HINT, NOTHING, REVEAL
from grader.phases.difficult_client.models import Scenario

LEVEL_WORDS = {HINT: "partially", REVEAL: "fully"}
QUESTION_KINDS = {"open": "open question", "closed": "closed question"}
SOURCE_WORDS = {"offline": "reply written by the offline engine", "llm": "reply worded by the LLM"}


@dataclass(frozen=True)
class TurnStory:
    turn: int
    judgement: str  # the Director's verdict on the student's message, in words
    changed_topics: tuple[str, ...]  # constraints the client changed their mind about in this turn's reply


def _quoted(topic: str) -> str:
    return f"“{topic}”"


def manner(signals: Mapping[str, Any], flags: Sequence[str]) -> str:
    """How the message was asked: "clear, polite open question", "closed question — rude"."""
    qualities = [word for word, on in (("clear", signals.get("clear")), ("polite", signals.get("polite")),
                                       ("empathetic", signals.get("empathetic"))) if on]
    kind = QUESTION_KINDS.get(str(signals.get("question_type")), "statement, not a question")
    text = (", ".join(qualities) + " " if qualities else "") + kind
    problems = []
    if "injection" in flags:
        problems.append("reads like instructions to the system (prompt injection)")
    if "extraction" in flags:
        problems.append("asks for everything at once")
    if "rude" in flags:
        problems.append("rude")
    if "jargon_heavy" in flags:
        jargon = [str(j) for j in (signals.get("jargon") or [])][:4]
        problems.append("jargon-heavy" + (f" ({', '.join(jargon)})" if jargon else ""))
    if "many_topics" in flags:
        problems.append("touches many topics at once")
    if "stuffed" in flags:
        problems.append("a list of keywords, not a question")
    if "repeat" in flags:
        problems.append("repeats an earlier message")
    return text + (" — " + ", ".join(problems) if problems else "")


WORLD_WORDS = {"business": "the business", "day": "a typical day", "people": "the people", "last_time": "last time",
               "success": "what success looks like", "dont_care": "what they don't care about"}
# What a turn without a hidden requirement asked, by the Director's intent.
NO_TARGET = {"world": "asked about the client's world ({world})", "general": "asked a general question",
             "off_world": "asked about something outside the client's world",
             "stuffed": "listed keywords; earned nothing", "repeat": "repeated an earlier message; earned nothing",
             "none": "the client could not tell what was asked"}


def _world_words(world: Any) -> str:
    return WORLD_WORDS.get(str(world), "a topic of its own" if str(world).startswith("extra:") else str(world))


def outcome(judgement: Mapping[str, Any], topics: Mapping[str, str], previous_level: int) -> str:
    """What the turn did to the hidden constraints, given the target's level before it."""
    target = judgement.get("target")
    intent = str(judgement.get("intent") or "")
    if not target:
        return NO_TARGET.get(intent, "touched no hidden requirement").format(world=_world_words(judgement.get("world")))
    topic = _quoted(topics.get(str(target), str(target)))
    granted = int(judgement.get("granted") or NOTHING)
    via = judgement.get("via")
    how = {"notice": " (noticed the change)", "follow_up": " (a follow-up)",
           "world": f" (in answer to a question about {_world_words(judgement.get('world'))})",
           "general": " (volunteered after a general question)"}.get(str(via), "")
    if granted > previous_level:
        return f"revealed {topic} {LEVEL_WORDS.get(granted, '')}{how}".replace("  ", " ")
    asked = {"notice": f"noticed the change to {topic}", "follow_up": f"followed up on {topic}"}.get(
        str(via), f"asked about {topic}")
    if granted == NOTHING:
        flags = list(judgement.get("flags") or [])
        why = ("rude" if "rude" in flags else "too much jargon" if "jargon_heavy" in flags else "gaming the client")
        return f"{asked}, but earned nothing ({why})"
    if intent == "acknowledge":
        return f"{asked} again; the client acknowledged it (already fully revealed)"
    already = "fully" if previous_level >= REVEAL else "partially"
    return f"{asked} again; nothing new (already {already} revealed)"


def judgement_sentence(judgement: Mapping[str, Any], topics: Mapping[str, str], previous_level: int) -> str:
    signals = judgement.get("signals") or {}
    flags = list(judgement.get("flags") or [])
    quality = f"quality {float(judgement.get('quality') or 0):.2f}"
    if judgement.get("llm_quality") is not None:
        quality += f", LLM's opinion {float(judgement['llm_quality']):.2f}"
    return f"{manner(signals, flags)}; {outcome(judgement, topics, previous_level)} ({quality})"


def narrate(scenario: Scenario, judgements: Sequence[Mapping[str, Any]]) -> list[TurnStory]:
    """One story per judgement, in order. Levels are tracked as the session tracked them: a turn raises its
    target's level; a scheduled change of mind after a turn drops that constraint back to a hint."""
    topics = {c.id: c.topic for c in scenario.constraints}
    levels = {c.id: NOTHING for c in scenario.constraints}
    stories = []
    for j in judgements:
        turn = int(j.get("turn") or 0)
        target = j.get("target")
        previous = levels.get(str(target), NOTHING) if target else NOTHING
        sentence = judgement_sentence(j, topics, previous)
        if target and str(target) in levels:
            levels[str(target)] = max(previous, int(j.get("granted") or NOTHING))
        changed = []
        for c in scenario.constraints:
            if c.change and c.change.after_turn == turn:
                levels[c.id] = HINT
                changed.append(c.topic)
        stories.append(TurnStory(turn=turn, judgement=sentence, changed_topics=tuple(changed)))
    return stories


def reply_note(notes: Mapping[str, Any], changed_topics: Sequence[str] = ()) -> str:
    """Where a client reply came from, and any change of mind it announced."""
    source = str(notes.get("source") or "")
    if source == "offline_fallback":
        reason = notes.get("fallback_reason") or "no reason given"
        text = f"the LLM's reply was not used ({reason}); the offline engine's reply was sent"
    else:
        text = SOURCE_WORDS.get(source, "")
    if changed_topics:
        change = "announced a change of mind about " + ", ".join(_quoted(t) for t in changed_topics)
        text = f"{text}; {change}" if text else change
    return text
