"""The hidden Director: judges one student message and decides what the client may reveal.

Deterministic: trigger matching picks at most one constraint per turn, the question-quality score sets
the reveal level (nothing, partial hint, full reveal). An optional LLM judgement nudges the quality
score by at most ``LLM_MAX_NUDGE`` and never sets a flag, so it can never be decisive alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.quality import QualitySignals, analyse, feedback_line, quality_score
from grader.phases.difficult_client.triggers import MessageWords, best_match

NOTHING, HINT, REVEAL = 0, 1, 2
LEVEL_NAMES = {NOTHING: "nothing", HINT: "partial_hint", REVEAL: "full_reveal"}
REVEAL_QUALITY = 0.7  # a question this good unlocks a full reveal at once
FOLLOW_UP_QUALITY = 0.45  # a decent follow-up on a hinted constraint unlocks the full reveal
NOTICE_FACTOR = 0.9  # noticing a change is slightly weaker evidence than asking about the topic
LLM_WEIGHT = 0.2
LLM_MAX_NUDGE = 0.1
MANY_TOPICS = 4  # a question that touches this many constraints is a shotgun, not an interview


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
    via: str  # "trigger", "notice", "follow_up" or "none"
    granted: int  # level granted to the target this turn (before max with the previous level)
    feedback: str
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def blend_llm(heuristic: float, llm_quality: float | None) -> float:
    """Move the heuristic score toward the LLM's opinion, by at most LLM_MAX_NUDGE."""
    if llm_quality is None:
        return heuristic
    nudge = max(-LLM_MAX_NUDGE, min(LLM_MAX_NUDGE, LLM_WEIGHT * (min(1.0, max(0.0, llm_quality)) - heuristic)))
    return round(min(1.0, max(0.0, heuristic + nudge)), 3)


def grant_level(signals: QualitySignals, quality: float, current: int) -> int:
    """Reveal level a question earns: gaming earns nothing, rude or jargon-heavy at most a hint."""
    if signals.extraction or signals.injection:
        return NOTHING
    if signals.rude or signals.jargon_heavy:
        return HINT
    if quality >= REVEAL_QUALITY:
        return REVEAL
    if quality >= FOLLOW_UP_QUALITY:
        return REVEAL if current >= HINT else HINT
    return HINT


def judge(scenario: Scenario, state: dict[str, Any], message: str, llm_quality: float | None = None) -> Judgement:
    """Judge ``message`` against the hidden state; pure (does not modify ``state``)."""
    signals = analyse(message)
    turn = state["turn"] + 1
    words = MessageWords.of(message)  # the message's stems once; the triggers' were computed at load
    scored: list[tuple[float, int, str, str]] = []  # (score, -file order, id, via)
    for order, c in enumerate(scenario.constraints):
        entry = state["constraints"][c.id]
        match = best_match(c.compiled_triggers, words)
        best, via = (match.score, "trigger") if match else (0.0, "none")
        if c.change and entry["version"] == "changed" and entry["level"] < REVEAL:
            notice = best_match(c.change.compiled_notice_triggers, words)
            if notice and notice.score * NOTICE_FACTOR > best:
                best, via = notice.score * NOTICE_FACTOR, "notice"
        if best > 0:
            scored.append((best, -order, c.id, via))
    scored.sort(reverse=True)
    matched = [cid for _, _, cid, _ in scored]
    many_topics = len(matched) >= MANY_TOPICS

    target, via = None, "none"
    if scored:
        # Prefer the best match; among equally good ones, the constraint with more left to discover.
        top = scored[0][0]
        tied = [s for s in scored if s[0] >= top - 1e-9]
        tied.sort(key=lambda s: (state["constraints"][s[2]]["level"], -s[1]))
        _, _, target, via = tied[0]
    elif signals.follow_up and state.get("last_constraint"):
        target, via = state["last_constraint"], "follow_up"

    heuristic = quality_score(signals)
    if many_topics:
        heuristic = round(max(0.0, heuristic - 0.15), 3)
    # Gaming and rudeness are decided by code alone: an LLM (perhaps talked round by the very message it
    # judges) cannot soften them.
    gaming = signals.extraction or signals.injection or signals.rude
    quality = heuristic if gaming else blend_llm(heuristic, llm_quality)
    flags = [name for name, on in (("rude", signals.rude), ("jargon_heavy", signals.jargon_heavy),
                                   ("extraction", signals.extraction), ("injection", signals.injection),
                                   ("many_topics", many_topics)) if on]
    granted = NOTHING
    if target is not None:
        granted = grant_level(signals, quality, state["constraints"][target]["level"])
        if many_topics:
            granted = min(granted, HINT)  # a shotgun question never gets a full reveal
    return Judgement(turn=turn, quality=quality, heuristic_quality=heuristic, llm_quality=llm_quality,
                     signals=signals.to_dict(), matched=matched, target=target, via=via, granted=granted,
                     feedback=feedback_line(signals, many_topics), flags=flags)
