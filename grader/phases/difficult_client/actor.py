"""The visible Actor: speaks as the client and says only what the Director permitted.

Offline, a reply answers the Director's intent from whole sentences only: the world's answers, the permitted
hint or reveal, a constraint's acknowledgement, the persona's lines and generic ones for scenarios that lack
them. A line is picked by a stable hash of (scenario, turn, kind) among those not said yet in the conversation,
so a replay gives the same words and asking again never gets the same sentence back.
With an LLM, the offline reply is the draft the model rephrases in character, and ``check_reply``
rejects any LLM reply that states a fact it was not permitted to, or drops one it had to say.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from grader.phases.difficult_client.director import HINT, NOTHING, REVEAL, Judgement
from grader.phases.difficult_client.models import Constraint, Scenario
from grader.phases.difficult_client.text import content_stems
from grader.phases.difficult_client.triggers import word_matches

# Every line is a whole sentence (or several): replies are built by putting whole sentences side by side, never by
# splicing one into another, so no reply can carry a capital after a comma or a dangling fragment.
GENERIC: dict[str, tuple[str, ...]] = {
    "opener": ("Alright.", "Okay.", "Right."),
    "hint_again": ("That's all I'll say until you ask properly.", "I've said as much already.",
                   "Ask me properly and you might hear more."),
    "deflect": ("I'm not sure what you're asking. Can you put it another way?", "Can you ask that differently?",
                "Sorry, what do you mean? Ask me that again in plain words."),
    "rude": ("I don't appreciate that tone.", "There's no need to talk to me like that."),
    "confused": ("I don't follow all those technical words.", "Could you say that in plain language?"),
    "extraction": (
        "I'm not going to recite a list at you. Ask me about my business like a person would.",
        "Everything? At once? No. Talk to me properly, one thing at a time.",
        "You want the whole lot in one go? That's not how this works. Ask me real questions.",
    ),
    "unlock": (
        "Alright. I think you've finally got the picture. Here's the first thing I need built.",
        "Good. You understand what I'm dealing with now. Let's talk about the first piece of work.",
    ),
    "stuffed": (
        "That's a list of words, not a question. Ask me something properly.",
        "I can't answer a string of keywords. What do you actually want to know?",
        "Pick one thing and ask me a real question about it.",
        "Are you reading me a shopping list? Ask me a proper question.",
    ),
    "repeat": (
        "You just asked me that.",
        "You've asked me that already.",
        "Same question as before. Ask me something new.",
        "We've been over that. What else do you want to know?",
    ),
    "acknowledge": (
        "Yes, I've already told you about that.",
        "We've covered that one already.",
        "I told you that already, and it hasn't changed.",
        "That's what I said before. Nothing's changed.",
        "You've got that one already. What else?",
        "I already answered that. Write it down this time.",
    ),
    "unknown": (
        "I couldn't tell you, and it doesn't matter for this job.",
        "No idea. That's not something I think about.",
        "That's got nothing to do with what I need from you.",
        "I really don't know. Ask me about the work.",
    ),
    "courtesy": (
        "Right. What else do you need to know?",
        "Fine. Anything else you need from me?",
        "Mm-hm. Go on, ask me what you need.",
    ),
    "small_talk": (
        "Busy, as always. What do you need to know?",
        "Run off my feet, thanks for asking. Go on.",
        "I'll be better once this is sorted. What do you need from me?",
    ),
    "general": (
        "That's the main of it for now. Ask me about whatever you need to know.",
        "I just need it to work, without any fuss. Ask me what you need to know.",
        "I think you've got the picture. Ask me about anything specific.",
    ),
    "world_again": (
        "That's about all there is to say about that.",
        "Not much more to it than that, honestly.",
        "That's the long and short of it.",
        "There's nothing more to add on that, really.",
    ),
}
# A world answer for a scenario written before it had a world: plain enough to fit any client.
GENERIC_WORLD: dict[str, tuple[str, ...]] = {
    "business": ("It's a small business, and it keeps me busy from morning to night.",
                 "I've been doing this a long time. I know my work; I just don't know computers."),
    "day": ("Every day is busy, start to finish. There's never enough time.",
            "Most days I'm running from one thing to the next."),
    "people": ("It's a small team, and everyone is stretched thin.",
               "There are a few of us, and the people we serve keep us on our toes."),
    "last_time": ("The last attempt didn't go well, and I'd rather not go through that again.",
                  "What we have now barely works. That's why you're here."),
    "success": ("Success is simple: something that works and doesn't make my life harder.",
                "If I stop worrying about it, that's success."),
    "dont_care": ("I don't care about the technical details. I care that it works.",
                  "Colours and gadgets don't matter to me. Getting it right does."),
}
SENTENCE_END = re.compile(r"[.!?…][\"'’”)]*$")
_TRAILING = re.compile(r"(?:[\s,;:—–-]+|\b(?:so|um|uh|and|then|but|like)\b)+$", re.I)


def pick(options: tuple[str, ...], *key: Any) -> str:
    """Deterministic choice: same scenario, turn and kind -> same template, in every process."""
    if not options:
        return ""
    return options[zlib.crc32(":".join(map(str, key)).encode()) % len(options)]


def as_sentence(line: str) -> str:
    """A persona opener as a sentence of its own: "Look," -> "Look.", "Okay, so, um," -> "Okay."."""
    line = line.strip()
    if not line or SENTENCE_END.search(line):
        return line
    trimmed = _TRAILING.sub("", line).strip()
    return f"{trimmed[:1].upper()}{trimmed[1:]}." if trimmed else ""


def openers(scenario: Scenario) -> tuple[str, ...]:
    """Lead-in sentences for a hint or a reveal ("" = none): the persona's, else the generic ones."""
    own = tuple(o for o in (as_sentence(x) for x in scenario.persona.openers) if o)
    return ("", *(own or GENERIC["opener"]))


def persona_lines(scenario: Scenario, kind: str) -> tuple[str, ...]:
    """The lines a reply of ``kind`` may be: the persona's own first, then the generic ones."""
    p = scenario.persona
    own = {"deflect": p.deflections, "rude": p.rude_reactions, "confused": p.confused_reactions,
           "unknown": p.unknowns}.get(kind, ())
    return tuple(own) + GENERIC[kind]


def compose(*sentences: str) -> str:
    """Whole sentences side by side."""
    return " ".join(s.strip() for s in sentences if s and s.strip())


def hint_text(c: Constraint, entry: dict[str, Any]) -> str:
    return c.change.partial_hint if (c.change and entry["version"] == "changed") else c.partial_hint


def reveal_text(c: Constraint, entry: dict[str, Any]) -> str:
    return c.change.full_reveal if (c.change and entry["version"] == "changed") else c.full_reveal


def acknowledge_text(c: Constraint, entry: dict[str, Any]) -> str:
    return (c.change.acknowledge if (c.change and entry["version"] == "changed") else c.acknowledge).strip()


def world_answer(scenario: Scenario, key: str) -> str | None:
    """The scenario's own answer for a world key (or ``extra:<n>``); None when the scenario has no world."""
    return scenario.world.answer(key) if scenario.world else None


@dataclass(frozen=True)
class ReplyPlan:
    """What the Actor must say this turn. ``core`` is what an LLM may rephrase; ``suffix`` (a change of
    mind, the unlock line) is always said verbatim; ``required_facts`` must survive any rephrasing, and so
    must the gist (most content words) of ``required_gist`` — a hint the model may not silently drop."""

    core: str
    suffix: str
    required_facts: tuple[str, ...]
    required_gist: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(x for x in (self.core, self.suffix) if x)


class _Lines:
    """Deterministic picks that prefer what the client has not said yet in this conversation (so asking again
    gets a different sentence), keyed by scenario and turn so a replay says the same words."""

    def __init__(self, scenario: Scenario, state: dict[str, Any], turn: int) -> None:
        self.key = (scenario.id, turn)
        self.said = " ".join(_norm(m["text"]) for m in state["transcript"] if m["role"] == "client")

    def new(self, line: str) -> bool:
        return bool(line) and _norm(line) not in self.said

    def pick(self, options: tuple[str, ...], kind: str) -> str:
        fresh = tuple(o for o in options if not o or self.new(o))
        return pick(fresh or options, *self.key, kind)


def plan_reply(scenario: Scenario, before: dict[str, Any], after: dict[str, Any], j: Judgement,
               announcements: tuple[str, ...], unlocked_now: bool) -> ReplyPlan:
    """Compose the offline reply for a judged turn. ``before``/``after`` are the states around it."""
    lines = _Lines(scenario, before, j.turn)
    parts: list[str] = []
    required: tuple[str, ...] = ()
    gist: tuple[str, ...] = ()
    fixed = {"gaming": "extraction", "rude": "rude", "repeat": "repeat", "stuffed": "stuffed", "off_world": "unknown",
             "none": "deflect"}
    target = scenario.constraint(j.target) if j.target else None
    old = before["constraints"][target.id] if target else None
    new = after["constraints"][target.id] if target else None
    hint_now = bool(target and new and old and j.granted >= HINT and new["level"] == HINT and old["level"] == NOTHING)

    if j.intent == "none" and j.via in ("courtesy", "small_talk"):
        parts.append(lines.pick(GENERIC[j.via], j.via))
    elif j.intent in fixed:
        unknowns = scenario.persona.unknowns if j.intent == "off_world" and scenario.persona.unknowns else ()
        parts.append(lines.pick(unknowns, "unknown") if unknowns and any(lines.new(u) for u in unknowns)
                     else lines.pick(persona_lines(scenario, fixed[j.intent]), fixed[j.intent]))
    elif j.intent == "acknowledge" and target and new:
        own = acknowledge_text(target, new)
        parts.append(own if lines.new(own) else lines.pick(GENERIC["acknowledge"], "acknowledge"))
    elif j.intent == "world" and j.world:
        answer = world_answer(scenario, j.world)
        if answer and lines.new(answer):
            parts.append(answer)
        elif answer is None and j.world in GENERIC_WORLD and any(lines.new(x) for x in GENERIC_WORLD[j.world]):
            parts.append(lines.pick(GENERIC_WORLD[j.world], "world"))
        else:
            parts.append(lines.pick(GENERIC["world_again"], "world_again"))
        if hint_now and target and new:
            parts.append(hint_text(target, new))
            gist = (hint_text(target, new),)
    elif j.intent == "general":
        if hint_now and target and new:
            parts += [lines.pick(openers(scenario), "opener"), hint_text(target, new)]
            gist = (hint_text(target, new),)
        else:
            parts.append(lines.pick(GENERIC["general"], "general"))
    elif target and old and new:  # a question on a constraint's topic
        if j.signals.get("jargon_heavy"):
            parts.append(lines.pick(persona_lines(scenario, "confused"), "confused"))
        if new["level"] == REVEAL and old["level"] < REVEAL:
            parts += [lines.pick(openers(scenario), "opener") if not parts else "", reveal_text(target, new)]
            facts = target.change.key_facts if (target.change and new["version"] == "changed") else target.key_facts
            required = tuple(facts)
        elif new["level"] == HINT and j.granted >= HINT:
            hint = hint_text(target, new)
            gist = (hint,)
            if old["level"] == NOTHING:
                parts += [lines.pick(openers(scenario), "opener") if not parts else "", hint]
            else:
                parts += [hint, lines.pick(GENERIC["hint_again"], "hint_again")]
    if not any(parts):
        parts.append(lines.pick(persona_lines(scenario, "deflect"), "deflect"))
    tail = list(announcements)
    if unlocked_now:
        tail.append(pick(GENERIC["unlock"], scenario.id, j.turn, "unlock"))
    return ReplyPlan(core=compose(*parts), suffix=compose(*tail), required_facts=required, required_gist=gist)


def known_versions(entry: dict[str, Any]) -> tuple[bool, bool]:
    """(original version fully revealed?, changed version fully revealed?) for one constraint's state."""
    if entry["version"] == "original":
        return entry["level"] == REVEAL, False
    return entry["stale_level"] == REVEAL, entry["level"] == REVEAL


def forbidden_facts(scenario: Scenario, state: dict[str, Any]) -> list[str]:
    """Facts the client may not state in ``state``: key facts of every version not yet fully revealed."""
    out: list[str] = []
    for c in scenario.constraints:
        original_known, changed_known = known_versions(state["constraints"][c.id])
        if not original_known:
            out += c.key_facts
        if c.change and not changed_known:
            out += c.change.key_facts
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def mentions(text: str, fact: str) -> bool:
    """Is ``fact`` stated in ``text``? Exact for short facts, fuzzy (RapidFuzz partial ratio) for longer."""
    t, f = _norm(text), _norm(fact)
    if f in t:
        return True
    return len(f) >= 8 and fuzz.partial_ratio(f, t) >= 90


GIST_SHARE = 0.4


def keeps_gist(reply: str, text: str) -> bool:
    """Does ``reply`` keep at least GIST_SHARE of the content words of ``text`` (by stem or synonym)?"""
    wanted = set(content_stems(text))
    if not wanted:
        return True
    got = content_stems(reply)
    kept = sum(1 for stem in wanted if word_matches(stem, got) > 0)
    return kept / len(wanted) >= GIST_SHARE


def check_reply(reply: str, forbidden: list[str], required: tuple[str, ...],
                gist: tuple[str, ...] = ()) -> str | None:
    """None if an LLM reply may be shown; otherwise the reason it must be replaced by the offline one."""
    if not reply.strip():
        return "empty"
    if len(reply) > 1200:
        return "too_long"
    if "<<<" in reply or ">>>" in reply or reply.lstrip().startswith(("{", "[")):
        return "format"
    leaked = [f for f in forbidden if mentions(reply, f)]
    if leaked:
        return "leak"
    if any(not mentions(reply, f) for f in required):
        return "missing_fact"
    if any(not keeps_gist(reply, text) for text in gist):
        return "missing_hint"
    return None
