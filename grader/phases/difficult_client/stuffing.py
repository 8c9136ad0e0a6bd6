"""Messages that earn nothing by their form, however polite: keyword stuffing (a bag of trigger words, a list of
topics, keywords with no question around them) and repeats of an earlier message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz

from grader.phases.difficult_client.intents import (
    COURTESY,
    POLITE_OPENING,
    POLITE_WORDS,
    has_question_form,
    list_segments,
    normalise,
    starts_as_question,
    topic_stems,
)
from grader.phases.difficult_client.text import words

STUFFED_QUALITY = 0.3  # the most a keyword message may count for in the question-quality mean
REPEAT_QUALITY = 0.15
NEAR_REPEAT_RATIO = 90.0  # RapidFuzz ratio of two normalised messages that differ only by a typo or two
NEAR_WORD_RATIO = 85.0
LIST_MIN_TOPICS = 3  # a list naming this many distinct topics is a list, not a question
BAG_MIN_HITS = 5  # this many trigger words ...
BAG_MIN_SHARE = 0.75  # ... making up this share of the content words is a bag of keywords, question or not


def repeat_key(message: str) -> str:
    """The message as compared for repeats: courtesy, punctuation and case removed."""
    text = COURTESY.sub(" ", normalise(message))
    text = POLITE_WORDS.sub(" ", POLITE_OPENING.sub("", text))
    return " ".join(words(text))


def _covers(a: list[str], b: list[str]) -> bool:
    return all(any(x == y or fuzz.ratio(x, y) >= NEAR_WORD_RATIO for y in b) for x in a)


def same_message(a: str, b: str) -> bool:
    """Equal after normalising, or nearly equal: the same topic words and only a typo or two apart."""
    if a == b:
        return True
    if fuzz.ratio(a, b) < NEAR_REPEAT_RATIO:
        return False
    sa, sb = topic_stems(a), topic_stems(b)
    return _covers(sa, sb) and _covers(sb, sa)


def is_repeat(key: str, referent: Any, asked: Sequence[dict[str, Any]], points_back: bool) -> bool:
    """Did the student send this message before? A message that only points back ("tell me more about that")
    repeats an earlier one only when it points at the same thing again."""
    if not key:
        return False
    for earlier in asked:
        if same_message(str(earlier.get("text", "")), key):
            if points_back and earlier.get("ref") != referent:
                continue
            return True
    return False


def is_stuffed(message: str, topics: int, trigger_hits: int, content_words: int, many_topics: bool) -> bool:
    """A message that names topics instead of asking about one.

    ``topics``: distinct constraints and world topics the message touches; ``trigger_hits``: its content words that
    are constraint trigger words; ``content_words``: all its content words."""
    if topics == 0:
        return False
    if many_topics or not has_question_form(message):
        return True
    if not starts_as_question(message) and content_words >= 2 and trigger_hits >= content_words:
        return True  # nothing but trigger words, with the odd small word of a pasted trigger phrase
    short = [s for s in list_segments(message) if 0 < len(words(s)) <= 3]
    if len(short) >= LIST_MIN_TOPICS and topics >= LIST_MIN_TOPICS:
        return True
    return trigger_hits >= BAG_MIN_HITS and trigger_hits / max(1, content_words) >= BAG_MIN_SHARE

