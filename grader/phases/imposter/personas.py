"""The team: Alice, Bob and Carol (the AI teammates) and "You" (the student), each with habits a reader of the
history can learn — how they write commit messages, name branches, where they work and when they commit.

The habits are what makes the sabotage hard to spot: the imposter's commit is written in their normal style, at
their normal hour. Verification checks every commit against its author's habits (``fits_style``), so a seed
whose history would give someone away by style is never served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta, timezone

TEAMMATES = ("alice", "bob", "carol")
YOU = "you"
PERSONA_IDS = (*TEAMMATES, YOU)
COMMIT_TYPES = ("feat", "fix", "refactor", "test", "docs", "chore", "perf", "style", "build", "ci")


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    email_user: str  # the part before "@"; the domain is the scenario's
    utc_offset_minutes: int
    hours: tuple[int, int]  # local hours [start, end) they commit in
    weekdays_only: bool
    habits: str  # in words, for the student's team sheet

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(minutes=self.utc_offset_minutes))

    def email(self, domain: str) -> str:
        return f"{self.email_user}@{domain}"

    def git_offset(self) -> str:
        sign = "+" if self.utc_offset_minutes >= 0 else "-"
        minutes = abs(self.utc_offset_minutes)
        return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


PERSONAS: dict[str, Persona] = {
    "alice": Persona("alice", "Alice Martin", "alice.martin", 60, (8, 12), True,
                     "Conventional commits (type(scope): summary); branches named feat/<topic>; commits in the "
                     "morning, Central European time."),
    "bob": Persona("bob", "Bob Okafor", "bokafor", -300, (19, 24), False,
                   "Short lowercase messages; branches named bob/<topic>; commits late in the evening, US "
                   "Eastern time, weekends included."),
    "carol": Persona("carol", "Carol Jensen", "carol.jensen", 0, (13, 18), True,
                     "Full sentences with a short explanation underneath; branches named feature/<topic>; commits "
                     "in the afternoon, UK time."),
    "you": Persona("you", "You", "you", 0, (10, 17), True, "The team lead: merges branches and cuts releases."),
}


def display_name(persona_id: str) -> str:
    return PERSONAS[persona_id].name.split()[0]


def persona_of_name(text: str) -> str | None:
    """A teammate's id from how a student names them: "Alice", "alice martin", "bokafor@..." (None if unknown)."""
    value = " ".join(str(text or "").strip().lower().split())
    for persona_id in TEAMMATES:
        persona = PERSONAS[persona_id]
        if value in (persona_id, persona.name.lower()) or value.split("@")[0] == persona.email_user:
            return persona_id
    return None


# -- commit messages --------------------------------------------------------------------------------------------
def render_message(persona_id: str, kind: str, scope: str, subject: str, terse: str, why: str) -> str:
    """The commit message ``persona_id`` writes for a change (the step's words in their style)."""
    if persona_id == "alice":
        return f"{kind}({scope}): {subject}"
    if persona_id == "bob":
        return terse
    if persona_id == "carol":
        return f"{subject[:1].upper()}{subject[1:]}.\n\n{why}"
    raise ValueError(f"{persona_id!r} writes no rendered messages")


def branch_name(persona_id: str, topic: str) -> str:
    prefix = {"alice": "feat/", "bob": "bob/", "carol": "feature/"}.get(persona_id, "")
    return prefix + topic


_STYLES = {
    "alice": re.compile(rf"(?:{'|'.join(COMMIT_TYPES)})\([a-z0-9-]+\): [a-z0-9][^\n]{{3,70}}(?<!\.)"),
    "bob": re.compile(r"[a-z0-9][a-z0-9 ,:;/._#'()!?+=-]{2,50}"),
    "carol": re.compile(r"[A-Z][^\n]{6,78}\.\n\n[A-Z][^\n]{10,400}[.!?]"),
    "you": re.compile(r"Initial commit|Merge branch '[a-z0-9/_.-]+'|Merge pull request #\d+ from [a-z0-9/_.-]+"
                      r"(?:\n\n[^\n]+)?|Release \d+\.\d+\.\d+"),
}


def fits_style(persona_id: str, message: str) -> bool:
    """Whether ``message`` (without its trailing newline) is written the way ``persona_id`` writes messages."""
    style = _STYLES.get(persona_id)
    return bool(style and style.fullmatch(message.rstrip("\n")))


def in_hours(persona_id: str, local_hour: int, weekday: int) -> bool:
    persona = PERSONAS[persona_id]
    start, end = persona.hours
    return start <= local_hour < end and not (persona.weekdays_only and weekday >= 5)
