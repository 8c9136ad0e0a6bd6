"""Per-phase rubric formulas from the seed. Pure functions over plain numbers; each returns a ``Grade``.

Every function clamps its inputs to their meaningful range, so a caller that passes an odd value
(more tests passed than exist, a negative time) gets a well-defined grade instead of an exception,
and every item carries evidence a person can read.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.scoring.grades import Grade, RubricItem

# Maximum points per rubric item, phase by phase (the seed's weights).
DIFFICULT_CLIENT_WEIGHTS = {"constraints": 40.0, "question_quality": 20.0, "code_correctness": 25.0,
                            "code_quality": 15.0}
CODE_CRUCIBLE_WEIGHTS = {"tests": 50.0, "quality": 30.0, "efficiency": 20.0}
WAR_ROOM_WEIGHTS = {"root_cause": 30.0, "fix_quality": 20.0, "time": 35.0, "systematic_approach": 15.0}
IMPOSTER_WEIGHTS = {"imposter": 35.0, "commit": 20.0, "resolution": 30.0, "time": 15.0}

BUG_POINTS = 25.0
HINT_PENALTY = 10.0
QUICK_FIX_BONUS = 10.0
QUICK_FIX_SUBMISSIONS = 3

# Imposter resolution methods and their points (force push is a penalty).
RESOLUTION_POINTS: Mapping[str, float] = {
    "revert": 30.0,
    "reset_soft": 15.0,
    "manual": 5.0,
    "force_push": -50.0,
    "none": 0.0,
}


def _fraction(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def _ratio(part: float, whole: float) -> float:
    return 0.0 if whole <= 0 else _fraction(part / whole)


def _pts(value: float) -> float:
    return round(value, 2)


def time_fraction(elapsed_seconds: float, target_seconds: float, limit_seconds: float) -> float:
    """1.0 up to ``target``, falling linearly to 0.0 at ``limit`` (and 0 after)."""
    elapsed = max(0.0, float(elapsed_seconds))
    target = max(0.0, float(target_seconds))
    limit = max(target, float(limit_seconds))
    if elapsed <= target:
        return 1.0
    if elapsed >= limit or limit == target:
        return 0.0
    return 1.0 - (elapsed - target) / (limit - target)


def difficult_client_grade(
    *,
    constraint_fraction: float,
    question_quality: float,
    tests_passed: int,
    tests_total: int,
    code_quality: float,
    evidence: Mapping[str, str] | None = None,
) -> Grade:
    """Constraints 40 (weighted fraction discovered), question quality 20 (0–1), code correctness 25
    (hidden tests passed, from real execution), code quality 15 (0–1)."""
    ev = dict(evidence or {})
    w = DIFFICULT_CLIENT_WEIGHTS
    tests = _ratio(max(0, tests_passed), tests_total)
    items = [
        RubricItem("constraints", _pts(w["constraints"] * _fraction(constraint_fraction)), w["constraints"],
                   ev.get("constraints", f"{_fraction(constraint_fraction):.0%} of the constraints by weight")),
        RubricItem("question_quality", _pts(w["question_quality"] * _fraction(question_quality)),
                   w["question_quality"],
                   ev.get("question_quality", f"average question quality {_fraction(question_quality):.2f}")),
        RubricItem("code_correctness", _pts(w["code_correctness"] * tests), w["code_correctness"],
                   ev.get("code_correctness", f"{min(max(0, tests_passed), max(0, tests_total))}"
                                              f"/{max(0, tests_total)} hidden tests passed")),
        RubricItem("code_quality", _pts(w["code_quality"] * _fraction(code_quality)), w["code_quality"],
                   ev.get("code_quality", f"code quality {_fraction(code_quality):.2f}")),
    ]
    return Grade.from_items(items, summary="Difficult Client")


def code_crucible_grade(
    *,
    tests_passed: int,
    tests_total: int,
    quality: float,
    runtime_seconds: float,
    reference_seconds: float,
) -> Grade:
    """Tests 50 (fraction passed), quality 30 (0–1), efficiency 20.

    Efficiency is reference/runtime capped at 1 (as fast as the reference or faster earns all 20),
    and is only earned in proportion to the tests passed, so fast wrong code gets nothing for speed.
    """
    w = CODE_CRUCIBLE_WEIGHTS
    tests = _ratio(max(0, tests_passed), tests_total)
    runtime = max(0.0, float(runtime_seconds))
    speed = 1.0 if runtime == 0 else _ratio(max(0.0, float(reference_seconds)), runtime)
    items = [
        RubricItem("tests", _pts(w["tests"] * tests), w["tests"],
                   f"{min(max(0, tests_passed), max(0, tests_total))}/{max(0, tests_total)} tests passed"),
        RubricItem("quality", _pts(w["quality"] * _fraction(quality)), w["quality"],
                   f"quality {_fraction(quality):.2f}"),
        RubricItem("efficiency", _pts(w["efficiency"] * speed * tests), w["efficiency"],
                   f"runtime {runtime:.3f}s against reference {max(0.0, float(reference_seconds)):.3f}s"),
    ]
    return Grade.from_items(items, summary="Code Crucible")


def bug_hunt_grade(*, bugs_fixed: int, bugs_total: int, hints_used: int, submissions: int) -> Grade:
    """25 per bug fixed, −10 per hint, +10 if every bug is fixed within 3 submissions; total 0–100."""
    total = max(0, bugs_total)
    fixed = min(max(0, bugs_fixed), total)
    hints = max(0, hints_used)
    subs = max(0, submissions)
    quick = total > 0 and fixed == total and 0 < subs <= QUICK_FIX_SUBMISSIONS
    items = [
        RubricItem("bugs_fixed", BUG_POINTS * fixed, BUG_POINTS * total, f"{fixed}/{total} bugs fixed"),
        RubricItem("hints", -HINT_PENALTY * hints, 0.0, f"{hints} hint(s) used"),
        RubricItem("quick_fix_bonus", QUICK_FIX_BONUS if quick else 0.0, QUICK_FIX_BONUS,
                   f"all fixed in {subs} submission(s)" if quick
                   else f"needs every bug fixed within {QUICK_FIX_SUBMISSIONS} submissions"),
    ]
    return Grade.from_items(items, summary="Bug Hunt")


def war_room_grade(
    *,
    root_cause: float,
    fix_quality: float,
    elapsed_seconds: float,
    target_seconds: float,
    limit_seconds: float,
    systematic_steps: int,
    expected_steps: int,
) -> Grade:
    """Root cause 30 (0–1 credit), fix quality 20 (0–1), time 35 (full until target, none at limit),
    systematic approach 15 (distinct investigative steps taken out of those expected)."""
    w = WAR_ROOM_WEIGHTS
    t = time_fraction(elapsed_seconds, target_seconds, limit_seconds)
    steps = _ratio(max(0, systematic_steps), expected_steps)
    items = [
        RubricItem("root_cause", _pts(w["root_cause"] * _fraction(root_cause)), w["root_cause"],
                   f"root cause credit {_fraction(root_cause):.2f}"),
        RubricItem("fix_quality", _pts(w["fix_quality"] * _fraction(fix_quality)), w["fix_quality"],
                   f"fix quality {_fraction(fix_quality):.2f}"),
        RubricItem("time", _pts(w["time"] * t), w["time"],
                   f"resolved in {max(0.0, float(elapsed_seconds)):.0f}s (target {float(target_seconds):.0f}s)"),
        RubricItem("systematic_approach", _pts(w["systematic_approach"] * steps), w["systematic_approach"],
                   f"{min(max(0, systematic_steps), max(0, expected_steps))}/{max(0, expected_steps)} "
                   "investigation steps"),
    ]
    return Grade.from_items(items, summary="War Room")


def imposter_grade(
    *,
    imposter_identified: bool,
    commit_identified: bool,
    resolution: str,
    elapsed_seconds: float,
    target_seconds: float,
    limit_seconds: float,
) -> Grade:
    """Imposter 35, sabotage commit 20, resolution 30 (revert 30 / reset --soft 15 / manual 5 /
    force push −50), time 15 (full until target, none at limit)."""
    if resolution not in RESOLUTION_POINTS:
        raise ValueError(f"unknown resolution {resolution!r}; expected one of {', '.join(RESOLUTION_POINTS)}")
    w = IMPOSTER_WEIGHTS
    t = time_fraction(elapsed_seconds, target_seconds, limit_seconds)
    items = [
        RubricItem("imposter", w["imposter"] if imposter_identified else 0.0, w["imposter"],
                   "imposter identified" if imposter_identified else "wrong or no imposter named"),
        RubricItem("commit", w["commit"] if commit_identified else 0.0, w["commit"],
                   "sabotage commit identified" if commit_identified else "sabotage commit not identified"),
        RubricItem("resolution", RESOLUTION_POINTS[resolution], w["resolution"], f"resolved by {resolution}"),
        RubricItem("time", _pts(w["time"] * t), w["time"],
                   f"finished in {max(0.0, float(elapsed_seconds)):.0f}s (target {float(target_seconds):.0f}s)"),
    ]
    return Grade.from_items(items, summary="Imposter")
