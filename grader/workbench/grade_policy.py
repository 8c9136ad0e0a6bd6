"""Which grade counts: the attempt policy (best, latest or first attempt) and, within an attempt, the
submission policy (best or latest Submit). Plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from grader.scoring import format_score

ATTEMPT_POLICIES = ("best", "latest", "first")
SUBMISSION_POLICIES = ("best", "latest")
DEFAULT_ATTEMPT_POLICY = "best"
DEFAULT_SUBMISSION_POLICY = "best"

ATTEMPT_POLICY_WORDS = {
    "best": "your best attempt counts",
    "latest": "your latest attempt counts",
    "first": "only your first attempt counts",
}
SUBMISSION_POLICY_WORDS = {
    "best": "your best Submit in an attempt counts",
    "latest": "your latest Submit in an attempt counts",
}

T = TypeVar("T")


@dataclass(frozen=True)
class Scored(Generic[T]):
    """Something with a score and a place in time (attempt number, submission id): ``order`` grows."""

    item: T
    score: float
    order: int


def pick(candidates: Sequence[Scored[T]], policy: str) -> Scored[T] | None:
    """The candidate the policy counts. Ties under "best" go to the earlier one, so a later equal
    result never replaces what the gradebook already shows."""
    if not candidates:
        return None
    by_time = sorted(candidates, key=lambda c: c.order)
    if policy == "latest":
        return by_time[-1]
    if policy == "first":
        return by_time[0]
    if policy != "best":
        raise ValueError(f"unknown grade policy {policy!r}")
    return max(by_time, key=lambda c: c.score)  # max keeps the first of equal scores


def attempt_policy_of(options: dict[str, object] | None) -> str:
    value = str((options or {}).get("grade_policy", DEFAULT_ATTEMPT_POLICY))
    return value if value in ATTEMPT_POLICIES else DEFAULT_ATTEMPT_POLICY


def submission_policy_of(options: dict[str, object] | None) -> str:
    value = str((options or {}).get("submission_policy", DEFAULT_SUBMISSION_POLICY))
    return value if value in SUBMISSION_POLICIES else DEFAULT_SUBMISSION_POLICY


def _score(score: float) -> str:
    return format_score(score)


def new_attempt_effect(policy: str, counted_score: float | None, counted_attempt: int | None) -> str:
    """What starting another attempt can do to the gradebook, said before the student starts it.

    ``counted_score``/``counted_attempt``: the grade the policy counts now (None when nothing is graded yet).
    """
    if counted_score is None or counted_attempt is None:
        return {
            "best": "Your best attempt counts, so a new attempt can only help your grade.",
            "latest": "Your latest attempt counts: the grade of the new attempt replaces any earlier one.",
            "first": "Only your first attempt counts for your grade; later attempts are practice.",
        }[policy]
    now = f"{_score(counted_score)} from attempt {counted_attempt}"
    if policy == "best":
        return (f"Your best attempt counts: a new attempt can only raise your grade. If it scores lower, the "
                f"gradebook keeps {now}.")
    if policy == "latest":
        return (f"Your latest attempt counts: the new attempt's grade replaces {now} in the gradebook, even if it "
                f"is lower.")
    return (f"Only your first attempt counts: a new attempt is practice and does not change the gradebook "
            f"({now}).")


def submission_effect(policy: str) -> str:
    """Which Submit of an attempt counts, in one sentence for the student."""
    if policy == "latest":
        return "Within an attempt, your latest Submit counts, even if an earlier one passed more tests."
    return ("Within an attempt, your best Submit counts (the one that passed the most hidden tests), so a "
            "worse later Submit does not lower your grade.")
