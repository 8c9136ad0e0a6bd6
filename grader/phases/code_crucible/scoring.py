"""The Crucible's rubric (the seed's weights): hidden tests 50, quality 30, efficiency 20, minus hint penalties.

- Hidden tests: 50 × the share of hidden tests passed.
- Quality (30) from the Submit's measurements (``quality.measure_quality``): the linter's findings, naming,
  function length, complexity and nesting, duplication, size against the reference (a minor item), and at the
  Senior level the student's own tests. Quality is earned on working code: its points count in proportion to
  the hidden tests passed (an empty stub has no lint findings, and earns nothing for it).
- Efficiency (20): 15 from the speed band against the reference, 5 from the share of the run's time limit used;
  also in proportion to the hidden tests passed.
- Hints: 5 points each where hints cost (Mid, Senior).

Everything here is a pure function of the stored Submit result, so a regrade recomputes the same grade.
"""

from __future__ import annotations

from typing import Any

from grader.scoring import Grade, RubricItem
from grader.scoring.grades import SCORE_DECIMALS

HIDDEN_POINTS = 50.0
QUALITY_POINTS = 30.0
SPEED_POINTS = 15.0
TIME_POINTS = 5.0
# Quality items and their maximum points, per level (each table sums to QUALITY_POINTS).
QUALITY_WEIGHTS = {
    "standard": {"linter": 12.0, "naming": 4.0, "function_length": 4.0, "complexity": 4.0, "duplication": 3.0,
                 "brevity": 3.0},
    "senior": {"linter": 10.0, "naming": 3.0, "function_length": 3.0, "complexity": 4.0, "duplication": 3.0,
               "brevity": 2.0, "own_tests": 5.0},
}
LINT_ZERO_AT = 8  # findings at which the linter item reaches 0 (linear from 0 findings = full points)
MAX_FUNCTION_LINES, OK_FUNCTION_LINES = 30, 50
MAX_COMPLEXITY, OK_COMPLEXITY = 10, 15
MAX_DEPTH, OK_DEPTH = 3, 4
OWN_TESTS_FULL = 3
SPEED = {"within_2x": 15.0, "within_5x": 7.0, "over_5x": 2.0, "timed_out": 0.0, "out_of_memory": 0.0,
         "failed": 0.0, "not_run": 0.0, "not_measured": 15.0}
TIME = {"tenth": 5.0, "quarter": 3.0, "half": 1.0, "most": 0.0, "none": 0.0}
TAG_TIPS = {
    "empty input": "try it with nothing at all: an empty list or an empty string",
    "boundary": "look at the edges: the smallest and largest values, and cases exactly on a limit",
    "large input": "try a bigger input than the examples",
    "bad value": "reread what the statement says to do with invalid input",
    "unicode": "try names with accents or other scripts",
    "typical": "even ordinary cases fail: start from the examples and the statement",
    "duplicates": "try the same thing more than once",
    "ordering": "check the order of what you return",
    "rounding": "check the rounding and the decimals",
    "requirement": "one of the client's rules is not handled",
}


def _round(value: float) -> float:
    return round(value * 2) / 2 if value >= 0 else -round(-value * 2) / 2


def hidden_share(result: dict[str, Any] | None) -> tuple[int, int]:
    hidden = (result or {}).get("hidden") or {}
    passed, total = int(hidden.get("passed") or 0), int(hidden.get("total") or 0)
    return passed, total


def _scaled(item: str, raw: float, maximum: float, evidence: str, share: float) -> RubricItem:
    points = round(raw * share, 2)
    if share < 1 and raw > 0:
        evidence += f" ({raw:g} of {maximum:g}, counted at {share:.0%}: the share of hidden tests passed)"
    return RubricItem(item, points, maximum, evidence)


def _lint_item(quality: dict[str, Any], maximum: float) -> tuple[float, str]:
    tool = quality.get("tool", "the linter")
    if not quality.get("available"):
        return maximum, f"{tool} could not run on the server; not held against you"
    count = int(quality.get("finding_count") or 0)
    if count == 0:
        return maximum, f"{tool}: no findings"
    first = (quality.get("findings") or [{}])[0]
    example = (f", e.g. line {first.get('line')}: {first.get('rule')} {first.get('message', '')}".rstrip()
               if first else "")
    points = _round(maximum * max(0.0, 1 - count / LINT_ZERO_AT))
    return points, f"{tool}: {count} finding{'s' if count != 1 else ''}{example}"


def quality_items(level: str, quality: dict[str, Any] | None, own_tests: dict[str, Any] | None,
                  share: float) -> list[RubricItem]:
    weights = QUALITY_WEIGHTS["senior" if level == "senior" else "standard"]
    quality = quality or {}
    metrics = quality.get("metrics") if isinstance(quality.get("metrics"), dict) else None
    broken = bool(quality.get("parse_error")) or metrics is None
    items = []
    raw, evidence = _lint_item(quality, weights["linter"])
    if quality.get("parse_error"):
        raw, evidence = 0.0, f"{quality.get('tool', 'the linter')}: the code does not parse"
    items.append(_scaled("quality_linter", raw, weights["linter"], evidence, share))

    def measured(name: str, compute: Any) -> None:
        if broken:
            items.append(RubricItem(f"quality_{name}", 0.0, weights[name], "not measured: the code does not parse"))
            return
        value, text = compute(metrics, weights[name])
        items.append(_scaled(f"quality_{name}", value, weights[name], text, share))

    measured("naming", _naming)
    measured("function_length", _length)
    measured("complexity", _complexity)
    if broken:
        for name in [n for n in weights if n in ("duplication", "brevity", "own_tests")]:
            items.append(RubricItem(f"quality_{name}", 0.0, weights[name], "not measured: the code does not parse"))
        return items
    duplicates = quality.get("duplicates") or []
    raw = weights["duplication"] if not duplicates else (weights["duplication"] / 2 if len(duplicates) == 1 else 0.0)
    text = "no repeated blocks of lines" if not duplicates else (
        f"{len(duplicates)} repeated block{'s' if len(duplicates) != 1 else ''} of 3+ lines (from line "
        + ", ".join(str(n) for n in duplicates[:5]) + ")")
    items.append(_scaled("quality_duplication", raw, weights["duplication"], text, share))
    mine, reference = int(quality.get("code_lines") or 0), int(quality.get("reference_lines") or 0)
    ratio = mine / reference if reference else 1.0
    raw = weights["brevity"] if ratio <= 1.5 else (weights["brevity"] / 2 if ratio <= 2.5 else 0.0)
    items.append(_scaled("quality_brevity", raw, weights["brevity"],
                         f"{mine} lines of code; the reference solution has {reference}", share))
    if "own_tests" in weights:
        own = own_tests or {}
        good = int(own.get("passed_with_checks") or 0)
        raw = weights["own_tests"] if good >= OWN_TESTS_FULL else (2.0 if good else 0.0)
        text = (f"{own.get('found', 0)} test function{'s' if own.get('found', 0) != 1 else ''} found, {good} with "
                f"checks passing on your code ({OWN_TESTS_FULL} earn full marks)")
        items.append(_scaled("quality_own_tests", raw, weights["own_tests"], text, share))
    return items


def _naming(metrics: dict[str, Any], maximum: float) -> tuple[float, str]:
    bad = metrics.get("bad_names") or []
    count = int(metrics.get("name_count") or 0)
    if not bad:
        return maximum, f"all {count} names are descriptive and follow the language's style"
    raw = maximum / 2 if len(bad) <= 2 else 0.0
    return raw, f"{len(bad)} of {count} names to reconsider: {', '.join(bad[:5])}"


def _length(metrics: dict[str, Any], maximum: float) -> tuple[float, str]:
    lines = int(metrics.get("longest_function") or 0)
    name = metrics.get("longest_name") or ""
    raw = maximum if lines <= MAX_FUNCTION_LINES else (maximum / 2 if lines <= OK_FUNCTION_LINES else 0.0)
    return raw, (f"longest function: {name}, {lines} lines (up to {MAX_FUNCTION_LINES} earns full marks)"
                 if name else "no functions found")


def _complexity(metrics: dict[str, Any], maximum: float) -> tuple[float, str]:
    complexity, depth = int(metrics.get("max_complexity") or 0), int(metrics.get("max_depth") or 0)
    half = maximum / 2
    raw = (half if complexity <= MAX_COMPLEXITY else (half / 2 if complexity <= OK_COMPLEXITY else 0.0)) + \
          (half if depth <= MAX_DEPTH else (half / 2 if depth <= OK_DEPTH else 0.0))
    return raw, (f"highest cyclomatic complexity {complexity} ({metrics.get('complex_name') or '-'}; up to "
                 f"{MAX_COMPLEXITY} is fine), deepest nesting {depth} ({metrics.get('deepest_name') or '-'}; up to "
                 f"{MAX_DEPTH} is fine)")


def efficiency_items(efficiency: dict[str, Any] | None, share: float) -> list[RubricItem]:
    efficiency = efficiency or {"band": "not_run", "time_band": "none"}
    band, time = efficiency.get("band", "not_run"), efficiency.get("time_band", "none")
    from grader.phases.code_crucible.efficiency import BANDS, TIME_BANDS

    return [
        _scaled("efficiency_speed", SPEED.get(band, 0.0), SPEED_POINTS,
                f"on a large input: {BANDS.get(band, band)}", share),
        _scaled("efficiency_time", TIME.get(time, 0.0) if SPEED.get(band, 0.0) > 0 else 0.0, TIME_POINTS,
                f"time used: {TIME_BANDS.get(time, time)}", share),
    ]


def submit_items(level: str, result: dict[str, Any] | None) -> list[RubricItem]:
    """The rubric items of one Submit, before hint penalties."""
    passed, total = hidden_share(result)
    share = passed / total if total else 0.0
    items = [RubricItem("hidden_tests", round(HIDDEN_POINTS * share, 2), HIDDEN_POINTS,
                        f"{passed} of {total} hidden tests passed")]
    result = result or {}
    items += quality_items(level, result.get("quality"), result.get("own_tests"), share)
    items += efficiency_items(result.get("efficiency"), share)
    return items


def submit_points(level: str, result: dict[str, Any] | None) -> dict[str, float]:
    """Points of one Submit by part and in total (before hints): what the Submit shows and what 'best' ranks."""
    items = submit_items(level, result)
    parts = {"hidden": 0.0, "quality": 0.0, "efficiency": 0.0}
    for item in items:
        key = "hidden" if item.item == "hidden_tests" else item.item.split("_")[0]
        parts[key] += item.points
    total = round(min(100.0, max(0.0, sum(item.points for item in items))), SCORE_DECIMALS)  # as Grade rounds
    return {**{k: round(v, SCORE_DECIMALS) for k, v in parts.items()}, "total": total}


def crucible_grade(level: str, result: dict[str, Any] | None, hints: int, hint_cost: int) -> Grade:
    items = submit_items(level, result)
    if result is None:
        items = [RubricItem(i.item, 0.0, i.max_points, "no Submit was made") for i in items]
    plural = "s" if hints != 1 else ""
    if hints and hint_cost:
        evidence = f"{hints} hint{plural} taken, {hint_cost} points each"
    else:
        evidence = f"{hints} free hint{plural} taken" if hints else "no hints taken"
    items.append(RubricItem("hints", -float(hint_cost * hints) if hint_cost * hints else 0.0, 0.0, evidence))
    return Grade.from_items(items, summary="The Code Crucible")
