"""The grade policy as a student sees it, on every phase's page and the report card: which attempt and which
Submit count, how many attempts are left, what the gradebook holds now, and what another attempt can do to it.

Templates get it through the ``grade_policy_note(attempt)`` global (the shared partial
``workbench/policy_note.html`` calls it), so a phase's page needs only one include line.
Only the student's own grades and attempt counts appear here; never anything of a phase's hidden truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.scoring import format_score
from grader.workbench.grade_policy import (
    ATTEMPT_POLICY_WORDS,
    attempt_policy_of,
    new_attempt_effect,
    submission_effect,
    submission_policy_of,
)
from lti_app.access import kept_attempt_facts, kept_graded
from lti_app.grading import counting_grade, gradebook_passback
from lti_app.models import Attempt, AttemptStatus
from lti_app.phases import get_phase
from lti_app.phases.registry import activity_options
from lti_app.views.status import passback_state
from lti_app.workbench.accommodations import accommodation_for, attempts_allowed
from lti_app.workbench.submissions import submit_limit, submits_left

DELIVERY_WORDS = {"pending": "waiting to be sent", "sending": "being sent", "retrying": "being sent again",
                  "sent": "sent", "failed": "not delivered yet (your instructor can resend it)"}


@dataclass(frozen=True)
class PolicyNote:
    attempt_policy: str
    attempt_sentence: str
    submission_sentence: str  # "" when the phase has no Submits
    submits_allowed: int | None  # None: no limit (or no Submits at all)
    submits_left: int | None
    submits_sentence: str  # "" when the phase has no Submits
    attempt_number: int
    attempts_allowed: int
    attempts_left: int  # attempts the student may still start after this one
    attempts_sentence: str
    gradebook: dict[str, Any] | None  # {"score", "letter", "attempt", "state"} of the newest delivery
    gradebook_sentence: str
    can_retry: bool
    new_attempt_sentence: str


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + "."


def _attempts_sentence(attempt: Attempt, allowed: int, left: int) -> str:
    if allowed == 1:
        return "This activity allows one attempt."
    used = f"attempt {attempt.number} of {allowed}"
    if attempt.status == AttemptStatus.OPEN:
        more = "it is your last" if left == 0 else f"you can start {left} more after it"
        return f"This is {used}; {more}."
    return f"You have used {attempt.number} of {allowed} attempts; " + (
        "none is left." if left == 0 else f"{left} {'is' if left == 1 else 'are'} left.")


def _submits_sentence(attempt: Attempt, allowed: int | None, left: int | None) -> str:
    if allowed is None or left is None:
        return "There is no limit on Submits."
    noun = "Submit" if allowed == 1 else "Submits"
    if attempt.status != AttemptStatus.OPEN:
        return f"This attempt used {allowed - left} of {allowed} {noun}."
    if left == 0:
        return f"You have used all {allowed} {noun} of this attempt." if allowed > 1 else \
            "You have used the one Submit of this attempt."
    return f"You have {left} of {allowed} {noun} left in this attempt."


def submits_note(attempt: Attempt) -> dict[str, Any]:
    """The Submits line of the note alone, for a page to refresh after a Submit: ``{"left", "sentence"}``
    (``left`` None when there is no limit)."""
    allowed = submit_limit(attempt)
    left = submits_left(attempt) if allowed is not None else None
    return {"left": left, "sentence": _submits_sentence(attempt, allowed, left)}


def _submission_sentence(phase: Any, policy: str) -> str:
    """Which Submit counts, in the phase's own words where "best" is not about hidden tests (its adapter's
    ``submission_sentences``), else the workbench's."""
    own = getattr(phase.adapter, "submission_sentences", None) if phase is not None else None
    return own[policy] if isinstance(own, dict) and policy in own else submission_effect(policy)


def policy_note(attempt: Attempt) -> PolicyNote:
    activity = attempt.activity
    phase = get_phase(activity.phase)
    honoured = phase.info.options if phase is not None else frozenset()
    policy = attempt_policy_of(activity.options)
    allowed = attempts_allowed(activity, accommodation_for(activity.id, attempt.user_id))
    left = max(0, allowed - attempt.number)
    # A learner without any grade here (known when it was read with the page's launch) has nothing to look up.
    graded = kept_graded(activity.id, attempt.user_id) is not False
    counted = counting_grade(activity, attempt.user_id) if graded else None
    delivery = gradebook_passback(activity.id, attempt.user_id) if graded else None
    gradebook, gradebook_sentence = None, ""
    if delivery is not None:
        sent = delivery.grade
        state = (passback_state(delivery) or {}).get("state", "")
        gradebook = {"score": sent.score, "letter": sent.letter, "attempt": sent.attempt.number, "state": state}
        gradebook_sentence = (f"Gradebook: {sent.letter} ({format_score(sent.score)}) from attempt "
                              f"{sent.attempt.number}, {DELIVERY_WORDS.get(state, state)}.")
    has_submits = "submission_policy" in honoured or "max_submits" in honoured
    submits_allowed = submit_limit(attempt) if has_submits else None
    submits_remaining = None
    if submits_allowed is not None:  # an attempt without any submission (read with the launch) has used none
        submits_remaining = submits_allowed if kept_attempt_facts(attempt.id)[0] is False else submits_left(attempt)
    return PolicyNote(
        attempt_policy=policy,
        attempt_sentence=_sentence(ATTEMPT_POLICY_WORDS[policy]),
        submission_sentence=_submission_sentence(phase, submission_policy_of(activity_options(activity)))
        if "submission_policy" in honoured else "",
        submits_allowed=submits_allowed,
        submits_left=submits_remaining,
        submits_sentence=_submits_sentence(attempt, submits_allowed, submits_remaining) if has_submits else "",
        attempt_number=attempt.number,
        attempts_allowed=allowed,
        attempts_left=left,
        attempts_sentence=_attempts_sentence(attempt, allowed, left),
        gradebook=gradebook,
        gradebook_sentence=gradebook_sentence,
        can_retry=attempt.status == AttemptStatus.CLOSED and left > 0,
        new_attempt_sentence=new_attempt_effect(policy, counted.score if counted else None,
                                                counted.attempt.number if counted else None),
    )
