"""The activity options a phase may honour, and how a value of each is checked. Plain data in, plain data out.

An instructor picks them at deep linking; they travel as LTI custom parameters (strings) and are stored on the
activity at its first launch. A phase declares the ones it honours on its ``PhaseInfo.options``; the picker
offers only those and the launch stores only those.
"""

from __future__ import annotations

from grader.sandbox.types import LANGUAGES
from grader.workbench.grade_policy import ATTEMPT_POLICIES, SUBMISSION_POLICIES

OPTION_NAMES = ("scenario", "difficulty", "language", "time_limit", "max_attempts", "grade_policy",
                "submission_policy", "max_submits", "hints", "seeding", "level", "after", "show_answers")
DIFFICULTIES = ("easy", "medium", "hard")
TIME_LIMIT_RANGE = (0, 480)  # minutes; 0 means no limit
ATTEMPTS_RANGE = (1, 20)
# Submits (hidden tests run) per attempt, for phases with code: each one tells the student how many hidden tests
# pass, so they are bounded to make probing the hidden tests cost something. 0 means no limit; Run is never limited.
SUBMITS_RANGE = (0, 100)
DEFAULT_MAX_SUBMITS = 10
# Hints a student may take in an attempt (each costs points; the phase says how many).
HINTS_RANGE = (0, 10)
# Who gets which exercise: a seeded one per student and attempt (classmates cannot share answers), or one shared
# by the whole activity.
SEEDINGS = ("student", "shared")
# How much of the solution a coding phase gives (edmap's ladder): most of it with TODO markers, function stubs,
# the signature only, or an empty file and the student's own tests.
LEVELS = ("intern", "junior", "mid", "senior")
# The activity this one follows (a phase that builds on another one's attempt, e.g. the Code Crucible after a Difficult
# Client interview): that activity's resource link id in the same course; which course is the web's business.
MAX_AFTER_CHARS = 128
# When a student's report card shows what they missed in full (a Difficult Client's constraints, say): only once no
# attempt is left (the default: a retake does not start with the answers known), or after every attempt.
SHOW_ANSWERS = ("after_last", "after_each")
# What an option is called in a sentence for people (errors, the picker).
OPTION_LABELS = {
    "scenario": "scenario",
    "difficulty": "difficulty",
    "language": "language",
    "time_limit": "time limit",
    "max_attempts": "max attempts",
    "grade_policy": "attempt grade policy",
    "submission_policy": "submission grade policy",
    "max_submits": "Submits per attempt",
    "hints": "hints per attempt",
    "seeding": "exercise per student or shared",
    "level": "level",
    "after": "follows the activity",
    "show_answers": "when answers are shown",
}


class InvalidOption(ValueError):
    """A value an option cannot take; the message is a sentence safe to show to the instructor."""


def _whole_number(name: str, raw: str, bounds: tuple[int, int]) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidOption(f"{OPTION_LABELS[name]} must be a whole number") from None
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidOption(f"{OPTION_LABELS[name]} must be between {bounds[0]} and {bounds[1]}")
    return value


def clean_option(name: str, raw: object) -> str:
    """The option's value as the string stored and sent in custom parameters ("" = not set: the default).

    Raises ``InvalidOption`` for a value the option cannot take. ``scenario`` is only trimmed here: which
    scenarios exist is the phase's business.
    """
    value = str(raw if raw is not None else "").strip()
    if name not in OPTION_NAMES:
        raise InvalidOption(f"there is no option {name[:40]!r}")
    if not value:
        return ""
    if name == "scenario":
        return value[:512]  # one id, or a comma-separated pool where the phase offers one
    if name == "difficulty" and value not in DIFFICULTIES:
        raise InvalidOption(f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    if name == "language":
        return clean_languages(value)
    if name == "time_limit":
        return str(_whole_number(name, value, TIME_LIMIT_RANGE))
    if name == "max_attempts":
        return str(_whole_number(name, value, ATTEMPTS_RANGE))
    if name == "max_submits":
        return str(_whole_number(name, value, SUBMITS_RANGE))
    if name == "hints":
        return str(_whole_number(name, value, HINTS_RANGE))
    if name == "after":
        if len(value) > MAX_AFTER_CHARS or any(not ch.isprintable() for ch in value):
            raise InvalidOption(f"{OPTION_LABELS[name]} must name an activity of this course (a link id of at "
                                f"most {MAX_AFTER_CHARS} characters)")
        return value
    if name == "show_answers" and value not in SHOW_ANSWERS:
        raise InvalidOption(f"{OPTION_LABELS[name]} must be one of {', '.join(SHOW_ANSWERS)}")
    if name == "level" and value not in LEVELS:
        raise InvalidOption(f"level must be one of {', '.join(LEVELS)}")
    if name == "seeding" and value not in SEEDINGS:
        raise InvalidOption(f"exercise per student or shared must be one of {', '.join(SEEDINGS)}")
    if name == "grade_policy" and value not in ATTEMPT_POLICIES:
        raise InvalidOption(f"attempt grade policy must be one of {', '.join(ATTEMPT_POLICIES)}")
    if name == "submission_policy" and value not in SUBMISSION_POLICIES:
        raise InvalidOption(f"submission grade policy must be one of {', '.join(SUBMISSION_POLICIES)}")
    return value


def clean_languages(value: str) -> str:
    """One language, or a comma-separated list of them (a phase that lets the student choose), each once, in
    the order of LANGUAGES."""
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in LANGUAGES]
    if unknown or not wanted:
        raise InvalidOption(f"language must be one of {', '.join(LANGUAGES)} (or several, separated by commas)")
    return ",".join(language for language in LANGUAGES if language in wanted)


def languages_of(options: dict[str, object] | None) -> list[str]:
    """The languages a stored ``language`` option names, in the order of LANGUAGES ([] = not set)."""
    raw = str((options or {}).get("language") or "")
    return [language for language in LANGUAGES if language in {p.strip() for p in raw.split(",")}]


def max_submits_of(options: dict[str, object] | None) -> int | None:
    """Submits an attempt may make under these stored options: None for no limit (0), the default when unset."""
    try:
        value = int(str((options or {}).get("max_submits", DEFAULT_MAX_SUBMITS)))
    except ValueError:
        value = DEFAULT_MAX_SUBMITS
    if not SUBMITS_RANGE[0] <= value <= SUBMITS_RANGE[1]:
        value = DEFAULT_MAX_SUBMITS
    return None if value == 0 else value


def shows_answers_now(options: dict[str, object] | None, attempts_left: int) -> bool:
    """Whether a closed attempt's report may show the answers it missed: after every attempt if the instructor
    chose so, otherwise only once the student has no attempt left."""
    return str((options or {}).get("show_answers") or SHOW_ANSWERS[0]) == "after_each" or attempts_left <= 0
