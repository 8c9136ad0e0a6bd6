"""Does a student message touch a constraint's topic? Tolerant of wording: stems, synonyms and typos.

A trigger phrase matches when each of its content words is found in the message as the same stem, a
synonym (``text.SYNONYM_GROUPS``) or a near spelling (RapidFuzz ratio, for words of 5+ letters).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from grader.phases.difficult_client.text import content_stems, synonym_groups

FUZZY_MIN_RATIO = 85.0
FUZZY_MIN_LENGTH = 5


def word_matches(trigger_stem: str, message_stems: list[str]) -> float:
    """1.0 exact stem, 0.9 synonym, 0.8 near spelling, 0 none."""
    if trigger_stem in message_stems:
        return 1.0
    groups = synonym_groups(trigger_stem)
    if groups and any(groups & synonym_groups(s) for s in message_stems):
        return 0.9
    if len(trigger_stem) >= FUZZY_MIN_LENGTH:
        for s in message_stems:
            if len(s) >= FUZZY_MIN_LENGTH - 1 and fuzz.ratio(trigger_stem, s) >= FUZZY_MIN_RATIO:
                return 0.8
    return 0.0


def phrase_score(trigger: str, message_stems: list[str]) -> float:
    """0..1: how well one trigger phrase is present in the message (all its content words must be)."""
    parts = content_stems(trigger)
    if not parts:
        return 0.0
    scores = [word_matches(p, message_stems) for p in parts]
    if min(scores) == 0.0:
        return 0.0
    # Multi-word phrases that match fully are stronger evidence than a single word.
    return min(1.0, sum(scores) / len(scores) + 0.05 * (len(parts) - 1))


@dataclass(frozen=True)
class TriggerMatch:
    score: float
    phrase: str


def best_match(triggers: tuple[str, ...] | list[str], message: str) -> TriggerMatch | None:
    """The best-matching trigger phrase for ``message``, or None if none matches."""
    stems = content_stems(message)
    scored = sorted(((phrase_score(p, stems), p) for p in triggers), reverse=True)
    if not scored or scored[0][0] == 0:
        return None
    # Several exact phrases of one constraint are stronger evidence than one: a small bonus each.
    exact_others = sum(1 for score, _ in scored[1:] if score >= 1.0)
    return TriggerMatch(scored[0][0] + 0.03 * min(exact_others, 3), scored[0][1])
