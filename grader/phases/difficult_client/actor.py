"""The visible Actor: speaks as the client and says only what the Director permitted.

Offline, replies are composed from the persona, the permitted hint or reveal and varied templates; the
template is picked by a stable hash of (scenario, turn, kind), so a replay gives the same words.
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

GENERIC = {
    "opener": ("", "Well,", "So,", "Alright,"),
    "repeat": ("Like I said: {fact}", "I told you already — {fact}", "Again: {fact}", "Yes, as I said, {fact}"),
    "hint_again": ("{hint} That's all I'll say until you ask properly.", "{hint}", "As I said, {hint}"),
    "deflect": ("I'm not sure what you're getting at.", "Can you ask that differently?",
                "That's not really what's on my mind."),
    "rude": ("I don't appreciate that tone.", "There's no need to talk to me like that."),
    "confused": ("I don't follow all those technical words.", "Could you say that in plain language?"),
    "extraction": (
        "I'm not going to recite a list at you. Ask me about my business like a person would.",
        "Everything? At once? No. Talk to me properly, one thing at a time.",
        "You want the whole lot in one go? That's not how this works — ask me real questions.",
    ),
    "unlock": (
        "Alright — I think you've finally got the picture. Here's the first thing I need built.",
        "Good. You understand what I'm dealing with now. Let's talk about the first piece of work.",
    ),
}


def pick(options: tuple[str, ...], *key: Any) -> str:
    """Deterministic choice: same scenario, turn and kind -> same template, in every process."""
    if not options:
        return ""
    return options[zlib.crc32(":".join(map(str, key)).encode()) % len(options)]


def _persona_or_generic(persona_options: tuple[str, ...], kind: str) -> tuple[str, ...]:
    return tuple(persona_options) + GENERIC[kind]


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if not first[:1].isupper() or any(ch.isupper() for ch in first[1:]) or re.match(r"I\b", text):
        return text  # "I ...", "WiFi ..." and acronyms keep their capital
    return text[:1].lower() + text[1:]


def _join(opener: str, sentence: str) -> str:
    """'Well,' + 'There is...' -> 'Well, there is...'; after ':' or '.', keep the capital."""
    if not opener:
        return sentence
    if not opener.endswith((":", ".", "!", "?")):
        sentence = _lower_first(sentence)
    return f"{opener} {sentence}"


def hint_text(c: Constraint, entry: dict[str, Any]) -> str:
    return c.change.partial_hint if (c.change and entry["version"] == "changed") else c.partial_hint


def reveal_text(c: Constraint, entry: dict[str, Any]) -> str:
    return c.change.full_reveal if (c.change and entry["version"] == "changed") else c.full_reveal


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


def plan_reply(scenario: Scenario, before: dict[str, Any], after: dict[str, Any], j: Judgement,
               announcements: tuple[str, ...], unlocked_now: bool) -> ReplyPlan:
    """Compose the offline reply for a judged turn. ``before``/``after`` are the states around it."""
    p, sid, turn = scenario.persona, scenario.id, j.turn
    parts: list[str] = []
    required: tuple[str, ...] = ()
    gist: tuple[str, ...] = ()
    s = j.signals
    if s["injection"] or s["extraction"]:
        parts.append(pick(GENERIC["extraction"], sid, turn, "extraction"))
    else:
        if s["rude"]:
            parts.append(pick(_persona_or_generic(p.rude_reactions, "rude"), sid, turn, "rude"))
        elif s["jargon_heavy"]:
            parts.append(pick(_persona_or_generic(p.confused_reactions, "confused"), sid, turn, "confused"))
        if j.target is None:
            if not parts:
                parts.append(pick(_persona_or_generic(p.deflections, "deflect"), sid, turn, "deflect"))
        else:
            c = scenario.constraint(j.target)
            old, new = before["constraints"][c.id], after["constraints"][c.id]
            opener = pick(_persona_or_generic(p.openers, "opener"), sid, turn, "opener")
            if new["level"] == REVEAL and old["level"] < REVEAL:
                parts.append(_join(opener, reveal_text(c, new)))
                required = tuple(c.change.key_facts if (c.change and new["version"] == "changed") else c.key_facts)
            elif new["level"] == REVEAL:
                template = pick(GENERIC["repeat"], sid, turn, "repeat")
                parts.append(template.format(fact=_lower_first(reveal_text(c, new))))
                required = tuple(c.change.key_facts if (c.change and new["version"] == "changed") else c.key_facts)
            elif new["level"] == HINT and j.granted >= HINT:
                template = GENERIC["hint_again"] if old["level"] == HINT else ("{hint}",)
                hint = pick(template, sid, turn, "hint").format(hint=hint_text(c, new))
                gist = (hint_text(c, new),)
                parts.append(_join(opener, hint) if old["level"] == NOTHING and not parts else hint)
            elif not parts:
                parts.append(pick(_persona_or_generic(p.deflections, "deflect"), sid, turn, "deflect"))
    tail = list(announcements)
    if unlocked_now:
        tail.append(pick(GENERIC["unlock"], sid, turn, "unlock"))
    return ReplyPlan(core=" ".join(x for x in parts if x), suffix=" ".join(tail), required_facts=required,
                     required_gist=gist)


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
