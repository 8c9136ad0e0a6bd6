"""Does a student message touch a constraint's topic? Tolerant of wording: stems, synonyms and typos.

A trigger phrase matches when each of its content words is found in the message as the same stem, a
synonym (``text.SYNONYM_GROUPS``) or a near spelling (RapidFuzz ratio, for words of 5+ letters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from grader.phases.difficult_client.text import content_stems, stem, synonym_groups

FUZZY_MIN_RATIO = 85.0
FUZZY_MIN_LENGTH = 5
# A trigger phrase left with only such a verb once its small words are dropped ("what do you use" -> "use") is weak
# evidence: almost any question uses it.
GENERIC_VERBS = frozenset(stem(w) for w in ("use", "get", "go", "make", "need", "want", "work", "know", "think", "see",
                                            "take", "give", "put", "come", "say", "find", "help", "run"))
GENERIC_FACTOR = 0.9


@dataclass(frozen=True)
class TriggerWord:
    """One content word of a trigger phrase, prepared once: its stem and the synonym groups it belongs to."""

    stem: str
    groups: frozenset[int]


@dataclass(frozen=True)
class TriggerPhrase:
    phrase: str
    words: tuple[TriggerWord, ...]


def compile_triggers(phrases: Iterable[str]) -> tuple[TriggerPhrase, ...]:
    """Trigger phrases with their stems computed: done once, when a scenario is loaded (see ``models``)."""
    return tuple(
        TriggerPhrase(phrase, tuple(TriggerWord(stem, synonym_groups(stem)) for stem in content_stems(phrase)))
        for phrase in phrases
    )


@dataclass(frozen=True)
class MessageWords:
    """A student message's stems, computed once per turn and matched against every constraint's triggers."""

    stems: frozenset[str]
    groups: frozenset[int]  # every synonym group of any of its stems
    near: tuple[str, ...]  # the stems long enough for a near-spelling match

    @classmethod
    def of(cls, text_or_stems: str | list[str]) -> MessageWords:
        stems = content_stems(text_or_stems) if isinstance(text_or_stems, str) else text_or_stems
        return cls(frozenset(stems), frozenset().union(*(synonym_groups(s) for s in stems)),
                   tuple(s for s in stems if len(s) >= FUZZY_MIN_LENGTH - 1))


def _word_score(word: TriggerWord, message: MessageWords) -> float:
    if word.stem in message.stems:
        return 1.0
    if word.groups & message.groups:
        return 0.9
    if len(word.stem) >= FUZZY_MIN_LENGTH and message.near and process.extractOne(
        word.stem, message.near, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO
    ) is not None:
        return 0.8
    return 0.0


def word_matches(trigger_stem: str, message_stems: list[str]) -> float:
    """1.0 exact stem, 0.9 synonym, 0.8 near spelling, 0 none."""
    return _word_score(TriggerWord(trigger_stem, synonym_groups(trigger_stem)), MessageWords.of(message_stems))


def _phrase_score(trigger: TriggerPhrase, message: MessageWords) -> float:
    if not trigger.words:
        return 0.0
    total = 0.0
    for word in trigger.words:
        score = _word_score(word, message)
        if score == 0.0:
            return 0.0
        total += score
    # Multi-word phrases that match fully are stronger evidence than a single word (and so score above 1: "how
    # will customers pay" names a question better than the one word "pay" does).
    score = total / len(trigger.words) + 0.05 * (len(trigger.words) - 1)
    return score * GENERIC_FACTOR if all(w.stem in GENERIC_VERBS for w in trigger.words) else score


def phrase_score(trigger: str, message_stems: list[str]) -> float:
    """0 (absent) .. about 1.2: how well one trigger phrase is present in the message (all its content words must
    be); 1 is one word in the message's own form."""
    return _phrase_score(compile_triggers((trigger,))[0], MessageWords.of(message_stems))


def matched_stems(triggers: tuple[TriggerPhrase, ...], message: MessageWords) -> frozenset[str]:
    """The message's stems that the wholly matching phrases among ``triggers`` account for."""
    out: set[str] = set()
    singles: dict[str, MessageWords] = {}
    for trigger in triggers:
        if _phrase_score(trigger, message) > 0:
            if not singles:
                singles = {s: MessageWords.of([s]) for s in message.stems}
            for word in trigger.words:
                out |= {s for s, alone in singles.items() if _word_score(word, alone) > 0}
    return frozenset(out)


@dataclass(frozen=True)
class TriggerMatch:
    score: float
    phrase: str


def best_match(triggers: tuple[str, ...] | list[str] | tuple[TriggerPhrase, ...], message: str | MessageWords
               ) -> TriggerMatch | None:
    """The best-matching trigger phrase for ``message``, or None if none matches. ``triggers``: phrases, or
    phrases compiled once (``compile_triggers``); ``message``: text, or its words computed once."""
    words = message if isinstance(message, MessageWords) else MessageWords.of(message)
    compiled = [t if isinstance(t, TriggerPhrase) else compile_triggers((t,))[0] for t in triggers]
    scored = sorted(((_phrase_score(t, words), t.phrase) for t in compiled), reverse=True)
    if not scored or scored[0][0] == 0:
        return None
    # Several exact phrases of one constraint are stronger evidence than one: a small bonus each.
    exact_others = sum(1 for score, _ in scored[1:] if score >= 1.0)
    return TriggerMatch(scored[0][0] + 0.03 * min(exact_others, 3), scored[0][1])
