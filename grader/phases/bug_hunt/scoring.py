"""The Bug Hunt's rubric (the seed's): 25 points per bug fixed, -10 per hint, +10 when all four are fixed
within three Submits, clamped to 0-100. Which Submit counts is the activity's submission policy."""

from __future__ import annotations

from collections.abc import Sequence

from grader.scoring import Grade, RubricItem
from grader.workbench.grade_policy import Scored, pick

POINTS_PER_BUG = 25.0
HINT_PENALTY = 10
ALL_FIXED_BONUS = 10.0
BONUS_WITHIN = 3  # Submits


def counting_index(fixed_per_submit: Sequence[Sequence[bool]], policy: str) -> int | None:
    """Which Submit counts: "best" = most bugs fixed (ties to the earlier), "latest" = the last one."""
    scored = [Scored(i, float(sum(fixed)), i) for i, fixed in enumerate(fixed_per_submit)]
    chosen = pick(scored, policy if policy in ("best", "latest") else "best")
    return None if chosen is None else chosen.item


def earns_bonus(fixed_per_submit: Sequence[Sequence[bool]], counting: int | None) -> bool:
    """All four fixed in the Submit that counts, and all four were fixed within the first three Submits."""
    if counting is None or not all(fixed_per_submit[counting]):
        return False
    return any(all(fixed) for fixed in fixed_per_submit[:BONUS_WITHIN])


def bug_hunt_grade(fixed: Sequence[bool], hints: int, bonus: bool, bug_words: Sequence[str]) -> Grade:
    """``bug_words``: how each bug is named in the evidence ("the syntax bug on line 12"), in bug order."""
    found = [w for w, f in zip(bug_words, fixed, strict=True) if f]
    missed = [w for w, f in zip(bug_words, fixed, strict=True) if not f]
    evidence = f"{len(found)} of {len(fixed)} bugs fixed"
    if found:
        evidence += ": " + "; ".join(found)
    if missed:
        evidence += f". Not fixed: {'; '.join(missed)}"
    items = [
        RubricItem("bugs_fixed", POINTS_PER_BUG * len(found), POINTS_PER_BUG * len(fixed), evidence),
        RubricItem("hints", -float(HINT_PENALTY * hints), 0.0,
                   f"{hints} hint{'s' if hints != 1 else ''} taken, {HINT_PENALTY} points each" if hints
                   else "no hints taken"),
        RubricItem("all_fixed_bonus", ALL_FIXED_BONUS if bonus else 0.0, ALL_FIXED_BONUS,
                   f"all bugs fixed within {BONUS_WITHIN} Submits" if bonus
                   else f"not every bug was fixed within {BONUS_WITHIN} Submits"),
    ]
    return Grade.from_items(items, summary="Bug Hunt")
