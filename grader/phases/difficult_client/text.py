"""Word-level text helpers shared by the Director's heuristics: tokens, stems and synonym groups."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import snowballstemmer

# A snowball stemmer keeps its working word on the object, so one shared instance gives wrong stems (and
# IndexErrors) when threads interleave: each thread gets its own. The stem of a word never changes, so the
# results are cached across threads (each trigger word is stemmed once per process, not every turn).
_THREAD = threading.local()
_WORD = re.compile(r"[a-z0-9$#%']+(?:[-/][a-z0-9]+)*")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "it",
        "me",
        "my",
        "your",
        "our",
        "their",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "so",
        "just",
        "very",
        "really",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "what",
        "how",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "about",
        "any",
        "some",
        "tell",
        "please",
        "thanks",
        "thank",
        "more",
        "also",
        "too",
        "not",
        "no",
        "yes",
        "ok",
        "okay",
    ]
)

# Words a client would use interchangeably. Each group is matched by stem, so "costs" ~ "pricing" ~ "afford".
SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "budget cost price pricing pay paying afford spend money fee fees cheap expensive dollars funding charge "
        "bill billing",
        "internet wifi wi-fi connection network online connectivity signal",
        "device hardware tablet computer equipment laptop gear",
        "deadline timeline date launch due",
        "staff employee worker server waiter crew",
        "customer client visitor audience patron regular user",
        "update change edit modify maintain",
        "order purchase buy booking",
        "design look style appearance branding colour color",
        "privacy private personal confidential",
        "rule limit restriction policy cap",
        "schedule shift rota roster",
        "data record information spreadsheet sheet details",
        "discount deal offer promotion reduction saving",
        "annual yearly",
        "problem issue trouble outage drop fail",
        "allergy allergen",
        "kitchen cook chef",
        "age ages aged old older young elderly",
    )
)


def _stemmer() -> Any:
    stemmer = getattr(_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _THREAD.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65536)
def _stem_lower(word: str) -> str:
    return str(_stemmer().stemWord(word))


def stem(word: str) -> str:
    return _stem_lower(word.lower())


def words(text: str) -> list[str]:
    """Lower-case word tokens (keeps $12, 5b2eff, wi-fi, ci/cd; "pre-order" also yields "pre", "order")."""
    out: list[str] = []
    for token in _WORD.findall(text.lower()):
        out.append(token)
        if "-" in token:
            out += [part for part in token.split("-") if part]
    return out


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stopwords dropped)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=1)
def _group_index() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for n, group in enumerate(SYNONYM_GROUPS):
        for word in group:
            index.setdefault(stem(word), set()).add(n)
    return {k: frozenset(v) for k, v in index.items()}


def synonym_groups(stemmed: str) -> frozenset[int]:
    """Which synonym groups a stem belongs to (empty if none)."""
    return _group_index().get(stemmed, frozenset())


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text.strip())
    return [p.strip() for p in parts if p.strip()]
