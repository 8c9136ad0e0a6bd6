"""The War Room's rubric (the seed's weights, "base 1000 - time penalty + diagnosis bonus" scaled to 100):

- root cause 30: the report's cause against the truth's concepts and key facts (``report.cause_points``);
- fix quality 20: the check passes at the close (10), by an accepted fix (5), with no brute-force move in the
  command log (5);
- time 35: from the first check of the final passing streak, relative to the limit: full within the first
  20 % of the time, then down to a fifth of the points at the limit; nothing if the system is not fixed at
  the close;
- systematic approach 15: looked at the logs (3) and at the service's state or the symptom (3) before
  changing anything, verified after the last change (4), did not flail (5: pointless restarts after the
  first and destructive commands cost points).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.phases.war_room.moves import Step
from grader.scoring import RubricItem

ROOT_CAUSE, FIX, TIME, SYSTEMATIC = 30.0, 20.0, 35.0, 15.0
FIX_PASSES, FIX_ACCEPTED, FIX_CLEAN = 10.0, 5.0, 5.0
FULL_TIME_SHARE = 0.2  # fixed within this share of the limit: every time point
LATE_FLOOR = 0.2  # share of the time points still earned at the limit
LOOK_LOGS, LOOK_STATE, VERIFIED, NO_FLAIL = 3.0, 3.0, 4.0, 5.0
FORGIVEN_RESTARTS = 1  # a restart before any change is a fair first try; more are flailing
RESTART_PENALTY, DESTRUCTIVE_PENALTY = 1.0, 2.5


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def fix_item(final: dict[str, Any] | None, accepted_words: str, brute: list[str]) -> RubricItem:
    """``final``: the check run on the system as it was at the close (None if none ran)."""
    if not final:
        return RubricItem("fix_quality", 0.0, FIX, "no check ran on the system at the close")
    if not final.get("passed"):
        failing = sorted({p.get("name", "") for p in final.get("probes") or [] if not p.get("ok")})
        why = f"customers still saw a problem ({'; '.join(failing[:3])})" if failing else "the check did not pass"
        if final.get("findings"):
            why += f"; brute-force moves found: {', '.join(final['findings'])}"
        return RubricItem("fix_quality", 0.0, FIX, f"the system was not fixed at the close: {why}")
    points, parts = FIX_PASSES, ["the check passed at the close"]
    if accepted_words:
        points += FIX_ACCEPTED
        parts.append(f"by an accepted fix ({accepted_words})")
    else:
        parts.append("but not by one of the accepted fixes")
    if brute:
        parts.append(f"but the command log shows brute-force moves: {'; '.join(brute)}")
    else:
        points += FIX_CLEAN
        parts.append("with no brute-force move")
    return RubricItem("fix_quality", points, FIX, ", ".join(parts))


def time_item(time_to_fix: float | None, limit: float) -> RubricItem:
    if time_to_fix is None:
        return RubricItem("time", 0.0, TIME, "the system was not fixed at the close")
    share = max(0.0, time_to_fix) / limit
    if share <= FULL_TIME_SHARE:
        points = TIME
    else:
        late = min(1.0, (share - FULL_TIME_SHARE) / (1 - FULL_TIME_SHARE))
        points = TIME * (1 - (1 - LATE_FLOOR) * late)
    return RubricItem("time", round(points, 2), TIME,
                      f"fixed {_minutes(time_to_fix)} into the {_minutes(limit)} limit ({share:.0%} of it; full "
                      f"points within the first {FULL_TIME_SHARE:.0%})")


@dataclass(frozen=True)
class Approach:
    """What the systematic item found in the log."""

    looked_logs: bool
    looked_state: bool
    changed: bool
    verified: bool
    restarts: int
    pointless_restarts: int
    destructive: tuple[str, ...]
    steps: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "destructive": list(self.destructive)}


def approach(steps: list[Step], check_times: list[float], time_of: Any) -> Approach:
    """``check_times``: seconds into the attempt of each check; ``time_of(step)``: a step's seconds (or None)."""
    first_change = next((n for n, s in enumerate(steps) if s.changes or s.restarts or s.stops), None)
    before = steps if first_change is None else steps[:first_change]
    looked_logs = any(s.looks & {"logs", "history"} for s in before)
    looked_state = any(s.looks & {"status", "probe"} for s in before)
    verified = False
    changed = first_change is not None
    if changed:
        last = max(n for n, s in enumerate(steps) if s.changes or s.restarts or s.stops)
        after = steps[last + 1:]
        verified = any(s.looks & {"status", "probe"} for s in after) or bool(steps[last].looks & {"probe"})
        at = time_of(steps[last])
        if not verified and at is not None:
            verified = any(t >= at for t in check_times)
    dirty, restarts, pointless = False, 0, 0
    destructive: list[str] = []
    for step in steps:
        if step.changes:
            dirty = True
        for _ in range(step.restarts):
            restarts += 1
            if dirty:
                dirty = False
            else:
                pointless += 1
        destructive += [d for d in step.destructive if d not in destructive]
    return Approach(looked_logs, looked_state, changed, verified, restarts, pointless, tuple(destructive), len(steps))


def systematic_item(found: Approach, destructive_words: list[str]) -> RubricItem:
    if not found.steps:
        return RubricItem("systematic", 0.0, SYSTEMATIC, "no command was run")
    points, parts = 0.0, []
    if found.looked_logs:
        points += LOOK_LOGS
        parts.append("read the logs or the deploy history before changing anything")
    else:
        parts.append("did not read the logs before changing things")
    if found.looked_state:
        points += LOOK_STATE
        parts.append("checked the service's state or reproduced the symptom first")
    else:
        parts.append("did not check the service or reproduce the symptom first")
    if not found.changed:
        parts.append("changed nothing, so there was nothing to verify")
        return RubricItem("systematic", points, SYSTEMATIC, "; ".join(parts))
    if found.verified:
        points += VERIFIED
        parts.append("verified after the last change")
    else:
        parts.append("did not verify after the last change")
    penalty = RESTART_PENALTY * max(0, found.pointless_restarts - FORGIVEN_RESTARTS)
    penalty += DESTRUCTIVE_PENALTY * len(found.destructive)
    points += max(0.0, NO_FLAIL - penalty)
    if found.pointless_restarts > FORGIVEN_RESTARTS:
        parts.append(f"{found.pointless_restarts} restarts with nothing changed in between")
    if destructive_words:
        parts.append("destructive commands: " + "; ".join(destructive_words))
    if penalty == 0:
        parts.append("no flailing")
    return RubricItem("systematic", round(points, 2), SYSTEMATIC, "; ".join(parts))
