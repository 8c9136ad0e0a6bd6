"""Is an LLM reply grounded in what the client may say? Checks beyond leaks and dropped facts (actor.check_reply).

A model asked to rephrase the offline draft may echo its prompt ("DRAFT reply to rewrite: ...") or make
things up ("a new tablet from 2018" where the client has old 2017 tablets). Both are caught here, by code:

- ``scaffolding``: the prompt's own words (any run of four words from the Actor's instructions), role labels
  at the start of a line, data-block delimiters and chat-template tokens, and talk about drafts and prompts.
- ``invented``: a number, year, time, date, price, device or proper name that the permitted text does not
  contain. The permitted text is what the client may state this turn: the draft, the reveals and hints
  already granted, the persona and the scenario's world (``scenario.world`` may be None for old files).
  A number or year absent from it is enough to reject; a number with a unit ("7 pm") must appear with
  that unit ("7 days" does not make "7 pm" true).
- ``contradiction``: a word whose opposite the permitted text uses while never using the word itself
  ("new tablets" when the truth only says "old"); a requirement sentence ("it must also take card
  payments") whose content is mostly absent from the permitted text and the student's own question.

The checks are conservative on purpose: a rejected reply costs only the model's wording (the student gets
the offline reply, and never sees the rejected text), an accepted invention misleads a student.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from grader.llm.prompts import DATA_RULE
from grader.phases.difficult_client.actor import keeps_gist, known_versions
from grader.phases.difficult_client.director import HINT
from grader.phases.difficult_client.llm_roles import ACTOR_INSTRUCTIONS
from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.text import STOPWORDS, content_stems, synonym_groups

NUMBER_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "million": 1000000, "dozen": 12,
    "noon": 12, "midday": 12, "midnight": 0,
}
# "one" alone is left out: "one thing at a time", "no one", "the new one" are not quantities ("twenty-one" is).
UNITS = {
    "am": "am", "a.m": "am", "pm": "pm", "p.m": "pm", "o'clock": "oclock", "oclock": "oclock",
    "minute": "minute", "minutes": "minute", "hour": "hour", "hours": "hour", "day": "day", "days": "day",
    "week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
    "dollar": "dollar", "dollars": "dollar", "buck": "dollar", "bucks": "dollar", "euro": "euro",
    "euros": "euro", "pound": "pound", "pounds": "pound", "cent": "cent", "cents": "cent", "percent": "percent",
    "%": "percent", "people": "people", "person": "people", "seat": "seat", "seats": "seat",
}
CURRENCY_SIGNS = {"$": "dollar", "€": "euro", "£": "pound"}
# Dates by name ("may" is left out: it is far more often the verb).
DATE_WORDS = frozenset({"january", "february", "march", "april", "june", "july", "august", "september",
                        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                        "saturday", "sunday", "weekday", "weekend"})
# Generic devices by kind (any member of the kind in the permitted text allows the kind); brands must be
# named in the permitted text themselves.
DEVICE_KINDS = {
    "phone": ("phone", "phones", "smartphone", "smartphones", "cellphone", "cellphones"),
    "tablet": ("tablet", "tablets"),
    "computer": ("computer", "computers", "laptop", "laptops", "desktop", "desktops", "pc", "pcs"),
    "printer": ("printer", "printers"),
    "kiosk": ("kiosk", "kiosks"),
    "television": ("tv", "tvs", "television", "televisions"),
    "scanner": ("scanner", "scanners"),
    "router": ("router", "routers", "modem", "modems"),
    "watch": ("smartwatch", "smartwatches"),
}
# Lower-case brand words that are not also everyday words ("apple", "windows" and "mac" are: a capitalised
# "Apple" inside a sentence is caught as a name instead).
BRANDS = frozenset({"ipad", "ipads", "iphone", "iphones", "android", "samsung", "macbook", "macbooks",
                    "chromebook", "chromebooks", "kindle", "huawei", "lenovo"})
# (word, opposite): the reply may not use the word when the permitted text only ever says its opposite.
# Only pairs whose use in a reply states a fact about the client's world; "big", "never" and the like are too
# often a manner of speaking; nor ("paid", "free"): "I paid the last fellow" is a past, not a price.
OPPOSITES = (("new", "old"), ("old", "new"), ("modern", "old"), ("latest", "old"), ("online", "offline"),
             ("offline", "online"), ("expensive", "cheap"), ("cheap", "expensive"), ("evening", "morning"),
             ("weekly", "daily"), ("monthly", "daily"))
REQUIREMENT = re.compile(r"\b(must|needs? to|has to|have to|got to|gotta|required|requirement|should|"
                         r"mandatory|no more than|at least|at most|cannot|can't)\b", re.I)
REQUIREMENT_UNGROUNDED_WORDS = 2  # more unknown content words than this in a requirement sentence ...
REQUIREMENT_GROUNDED_SHARE = 0.5  # ... and less than half its content grounded: an invented requirement

_NUMBER = re.compile(r"(?<![\w.])([$€£]?)(\d+(?:[,.:]\d+)*)(?:\s*(%|[a-z][a-z.']*))?", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_LABEL = re.compile(r"(?im)^\s*[\"'*_]*(assistant|user|system|student|client|human|ai|bot|response|reply|answer|"
                    r"output|draft|rewrite|rewritten reply|persona|personality|speaking style|note)[\"'*_]*\s*:")
# Delimiters, chat-template tokens, and a line that ends in a colon (the model introducing "its" answer).
_DELIMITERS = re.compile(r"<<<|>>>|<\||\|>|\[/?INST\]|</?s>|```|^\s*#{2,}|<\s*/?\s*(system|user|assistant)\s*>|"
                         r":[ \t]*\n", re.I | re.M)
_META = re.compile(r"\b(draft|rewrite|rewritten|rephrase|rephrased|paraphrase|as an ai|language model|"
                   r"system prompt|the prompt|my instructions|these instructions|in character|data block|"
                   r"the student said|1 to 3 sentences|one to three sentences|(your|my) (own )?voice|"
                   r"the (correct|right) word|in this context|the user)\b", re.I)
# The chat model's own assistant voice: never the client's.
_ASSISTANT = re.compile(r"\b(sorry for (the|any) (confusion|misunderstanding|inconvenience)|apologi[sz]e for (the|any)|"
                        r"(how|what) (can|may) i (help|assist)|i('m| am) here to (help|assist)|assist you|"
                        r"(happy|glad) to (help|assist)|i can('t|not) help you|"
                        r"as an? (helpful )?(assistant|ai|chatbot)|i('m| am) (just )?an? (ai|assistant|chatbot)|"
                        r"feel free to (ask|reach)|i (don't|do not) have the ability|all users|you requested|"
                        r"please try again|(exact|the) (phrase|text|sentence) you|"
                        r"here('s| is) (the|your|my|a) (revised |rewritten |new )?(text|version|reply|response|answer)|"
                        r"(revised|rewritten) (version|text|reply))", re.I)
# Words any reply may use without saying anything about the client's world.
CONVERSATIONAL = ("look listen well fine okay right yes sure know think say said tell told want get got go going make "
                  "like thing things way time now again mean see need just really honestly hmm hmph oh ah thank "
                  "thanks sorry course already asked ask question answer word words bit lot kind sort point whole "
                  "enough people day today")
UNSUPPORTED_MIN_WORDS = 6  # at least this many content words nobody permitted ...
UNSUPPORTED_SHARE = 0.5  # ... and more than half the reply's: the model is telling a story of its own
UNSUPPORTED_SENTENCE_WORDS = 4  # the same within one sentence
_SENTENCE_START = re.compile(r"(^|[.!?…:;\"“(]\s+|\n\s*)$")
_NAME_EXEMPT = frozenset({"i", "i'm", "i'll", "i've", "i'd", "ok", "okay"})


@dataclass(frozen=True)
class Permitted:
    """What the client may state this turn, pre-digested for the checks."""

    text: str  # lower-cased
    numbers: frozenset[str]
    quantities: frozenset[tuple[str, str]]
    words: frozenset[str]  # lower-cased word tokens (possessive 's dropped)
    stems: frozenset[str]
    groups: frozenset[int]


def permitted_texts(scenario: Scenario, after: dict[str, Any], draft: str) -> list[str]:
    """The texts the client may draw on after this turn: the draft, persona, world, granted hints and reveals."""
    p = scenario.persona
    out = [draft, scenario.meta.title, p.name, p.role, p.personality, p.speaking_style, p.greeting,
           *p.openers, *p.deflections, *p.rude_reactions, *p.confused_reactions, *getattr(p, "unknowns", ())]
    if scenario.world is not None:
        out += scenario.world.texts()
    for c in scenario.constraints:
        entry = after["constraints"][c.id]
        original_known, changed_known = known_versions(entry)
        if original_known:
            out += [c.partial_hint, c.full_reveal, c.acknowledge]
        elif entry["version"] == "original" and entry["level"] >= HINT:
            out.append(c.partial_hint)
        if c.change is not None and entry["version"] == "changed":
            out += [c.change.announcement, c.change.partial_hint]
            if changed_known:
                out += [c.change.full_reveal, c.change.acknowledge]
    return [t for t in out if t]


def digest(texts: list[str]) -> Permitted:
    text = "\n".join(texts)
    numbers, quantities = _numbers(text)
    stems = frozenset(content_stems(text))
    groups = frozenset(g for s in stems for g in synonym_groups(s))
    return Permitted(text=text.lower(), numbers=frozenset(numbers), quantities=frozenset(quantities),
                     words=frozenset(_plain_words(text)), stems=stems, groups=groups)


def _plain_words(text: str) -> list[str]:
    return [re.sub(r"['’]s$", "", w.lower()) for w in _WORD.findall(text)]


def _numbers(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(numbers, (number, unit) pairs) stated in ``text``: digits, currency amounts and number words."""
    numbers: list[str] = []
    quantities: list[tuple[str, str]] = []
    for match in _NUMBER.finditer(text):
        sign, digits, unit = match.group(1), match.group(2), (match.group(3) or "").lower().rstrip(".")
        value = digits.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", digits) else digits
        numbers.append(value)
        if sign:
            quantities.append((value, CURRENCY_SIGNS[sign]))
        if unit in UNITS:
            quantities.append((value, UNITS[unit]))
    tokens = [w.lower() for w in _WORD.findall(text)]
    for i, token in enumerate(tokens):
        parts = token.split("-")
        if all(part in NUMBER_WORDS or (part == "one" and len(parts) > 1) for part in parts):
            value = str(sum(NUMBER_WORDS.get(part, 1) for part in parts))  # "twenty-two" -> 22
            numbers.append(value)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt in UNITS:
                quantities.append((value, UNITS[nxt]))
            if token in ("noon", "midday"):
                quantities.append(("12", "pm"))
    return numbers, quantities


def scaffolding(reply: str, persona_name: str = "", allowed: str = "") -> str | None:
    """The piece of prompt scaffolding ``reply`` carries, or None. ``allowed``: the client's own (permitted)
    text, whose words and phrases are not scaffolding (a restaurant may well serve draft beer)."""
    for pattern in (_DELIMITERS, _LABEL):
        found = pattern.search(reply)
        if found:
            return found.group(0).strip()
    for found in _META.finditer(reply):
        if not re.search(rf"\b{re.escape(found.group(0).lower())}\b", allowed.lower()):
            return found.group(0).strip()
    names = {persona_name.strip(), persona_name.split(" ")[0]} - {""}
    for name in names:
        found = re.search(rf"(?im)^\s*{re.escape(name)}\s*:", reply)
        if found:
            return found.group(0).strip()
    reply_words = " " + " ".join(w.lower() for w in _WORD.findall(reply)) + " "
    for gram in _instruction_grams():
        if f" {gram} " in reply_words:
            return gram
    return None


@lru_cache(maxsize=1)
def _instruction_grams() -> tuple[str, ...]:
    """Every run of four words of the Actor's instructions that is not made of stopwords alone."""
    tokens = [w.lower() for w in _WORD.findall(" ".join((*ACTOR_INSTRUCTIONS, DATA_RULE)))]
    grams = {" ".join(tokens[i:i + 4]) for i in range(len(tokens) - 3)}
    return tuple(sorted(g for g in grams if any(w not in STOPWORDS for w in g.split())))


def inventions(reply: str, permitted: Permitted) -> list[str]:
    """Specifics ``reply`` states that the permitted text does not: numbers, quantities, dates, devices, prices,
    brands and proper names (capitalised words inside a sentence)."""
    out: list[str] = []
    numbers, quantities = _numbers(reply)
    out += [n for n in numbers if n not in permitted.numbers]
    out += [f"{n} {u}" for n, u in quantities if n in permitted.numbers and (n, u) not in permitted.quantities]
    words = _plain_words(reply)
    for word in words:
        if (word in DATE_WORDS or word in BRANDS) and word not in permitted.words:
            out.append(word)
        if word in UNITS and UNITS[word] in ("dollar", "euro", "pound", "cent") and not (
                set(_unit_words(UNITS[word])) & permitted.words) and not any(s in permitted.text for s in "$€£"):
            out.append(word)
    for kind, members in DEVICE_KINDS.items():
        if any(m in words for m in members) and not any(m in permitted.words for m in members):
            out.append(kind)
    for sign in CURRENCY_SIGNS:
        if sign in reply and sign not in permitted.text and not (
                set(_unit_words(CURRENCY_SIGNS[sign])) & permitted.words):
            out.append(sign)
    out += _names(reply, permitted)
    return list(dict.fromkeys(out))


def _unit_words(unit: str) -> list[str]:
    return [w for w, u in UNITS.items() if u == unit]


def _names(reply: str, permitted: Permitted) -> list[str]:
    """Capitalised words inside a sentence that the permitted text never uses (names, places, acronyms)."""
    out = []
    for match in _WORD.finditer(reply):
        word = match.group(0)
        plain = re.sub(r"['’]s$", "", word.lower())
        if not word[0].isupper() or plain in _NAME_EXEMPT or plain in STOPWORDS:
            continue
        rest = reply[match.end():]
        named = re.search(r"['’]s$", word) or re.match(r"\s+[A-Z][a-z]", rest)
        if _SENTENCE_START.search(reply[:match.start()]) and not (named and plain not in permitted.text):
            # A capital at a sentence start says nothing, unless a possessive or another capital follows
            # ("Sarah's", "Sarah Jones"); "Sarah does the till." slips through.
            continue
        if plain not in permitted.words:
            out.append(word)
    return out


def contradictions(reply: str, permitted: Permitted, message: str = "") -> list[str]:
    """Opposites of what the permitted text says, and requirements it never stated."""
    out: list[str] = []
    words = set(_plain_words(reply))
    for word, opposite in OPPOSITES:
        if word in words and opposite in permitted.words and word not in permitted.words:
            out.append(f"{word} (the client says {opposite})")
    asked = set(content_stems(message))
    for sentence in re.split(r"(?<=[.!?…])\s+", reply):
        if not REQUIREMENT.search(sentence):
            continue
        stems = [s for s in content_stems(REQUIREMENT.sub(" ", sentence)) if not s.isdigit()]
        grounded = [s for s in stems if s in permitted.stems or s in asked or synonym_groups(s) & permitted.groups]
        if stems and len(stems) - len(grounded) > REQUIREMENT_UNGROUNDED_WORDS and \
                len(grounded) / len(stems) < REQUIREMENT_GROUNDED_SHARE:
            out.append(f"requirement: {sentence.strip()[:80]}")
    return out


def check_grounding(reply: str, scenario: Scenario, after: dict[str, Any], draft: str,
                    message: str = "") -> tuple[str | None, list[str]]:
    """(None, []) when ``reply`` is grounded; else (reason, evidence) with reason ``scaffolding``,
    ``out_of_character`` (the chat model's assistant voice), ``missing_gist`` (it does not say what the draft
    says), ``invented``, ``contradiction`` or ``unsupported``."""
    permitted = digest(permitted_texts(scenario, after, draft))
    found = scaffolding(reply, scenario.persona.name, permitted.text)
    if found:
        return "scaffolding", [found]
    voice = _ASSISTANT.search(reply)
    if voice:
        return "out_of_character", [voice.group(0)]
    if not keeps_gist(reply, draft):  # a rephrasing says what the draft says, whatever else it may add
        return "missing_gist", []
    made_up = inventions(reply, permitted)
    if made_up:
        return "invented", made_up
    opposed = contradictions(reply, permitted, message)
    if opposed:
        return "contradiction", opposed
    novel = unsupported(reply, permitted, message)
    if novel:
        return "unsupported", novel
    return None, []


def unsupported(reply: str, permitted: Permitted, message: str = "") -> list[str]:
    """The reply's content words the client's permitted text and the student's message never use, when they are
    so many that the reply is about something else (a model that wanders off into a story of its own)."""
    asked = set(content_stems(message))
    stems = [s for s in dict.fromkeys(content_stems(reply)) if not s.isdigit() and s not in _conversational()]
    novel = [s for s in stems if s not in permitted.stems and s not in asked and not
             synonym_groups(s) & permitted.groups]
    if len(novel) >= UNSUPPORTED_MIN_WORDS and len(novel) > UNSUPPORTED_SHARE * len(stems):
        return novel
    for sentence in re.split(r"(?<=[.!?…])\s+", reply):  # one sentence of its own story is enough too
        own = [s for s in dict.fromkeys(content_stems(sentence)) if s in novel]
        size = len([s for s in dict.fromkeys(content_stems(sentence)) if s not in _conversational()])
        if len(own) >= UNSUPPORTED_SENTENCE_WORDS and len(own) > UNSUPPORTED_SHARE * size:
            return own
    return []


@lru_cache(maxsize=1)
def _conversational() -> frozenset[str]:
    return frozenset(content_stems(CONVERSATIONAL))
