"""The Imposter's rubric (the seed's): imposter 35, commit 20, resolution 30 (revert 30, reset --soft 15,
manual fix 5, force push −50; only with the tests passing on the remote, a force push whatever), time 15; the
phase total clamped to 0–100 (``Grade.from_items``)."""

from __future__ import annotations

from grader.scoring import Grade, RubricItem

IMPOSTER_POINTS = 35.0
COMMIT_POINTS = 20.0
RESOLUTION_MAX = 30.0
TIME_POINTS = 15.0
DEFAULT_BUDGET_MINUTES = 20  # the time budget when the activity has no time limit (the phase's default)


def time_points(used_seconds: float | None, budget_seconds: float, commit_right: bool) -> tuple[float, str]:
    """Full marks for a report within the first half of the budget, none at its end, linear between; only
    for a report that names the right commit (a quick guess earns nothing)."""
    if used_seconds is None:
        return 0.0, "no report was sent"
    minutes = used_seconds / 60
    if not commit_right:
        return 0.0, f"reported after {minutes:.0f} min; time counts only when the right commit is named"
    half = budget_seconds / 2
    if used_seconds <= half:
        share = 1.0
    elif used_seconds >= budget_seconds:
        share = 0.0
    else:
        share = (budget_seconds - used_seconds) / half
    points = round(TIME_POINTS * share, 1)
    return points, (f"reported after {minutes:.0f} min of a {budget_seconds / 60:.0f} min budget "
                    f"(full marks within {half / 60:.0f} min)")


def imposter_grade(*, imposter_right: bool, imposter_evidence: str, commit_right: bool, commit_evidence: str,
                   resolution_points: float, resolution_evidence: str, time: tuple[float, str]) -> Grade:
    items = [
        RubricItem("imposter", IMPOSTER_POINTS if imposter_right else 0.0, IMPOSTER_POINTS, imposter_evidence),
        RubricItem("commit", COMMIT_POINTS if commit_right else 0.0, COMMIT_POINTS, commit_evidence),
        RubricItem("resolution", resolution_points, RESOLUTION_MAX, resolution_evidence),
        RubricItem("time", time[0], TIME_POINTS, time[1]),
    ]
    return Grade.from_items(items, summary="The Imposter")
