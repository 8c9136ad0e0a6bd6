"""The grade, the report card and the instructor's view of an attempt, from what was recorded.

Inputs (all plain data the web stores): the attempt ``state``; the ``command_log`` (commands and edits with
their times, see ``moves``); every check run, oldest first, as ``{"at", "result"}`` where the last one is the
check of the system as it was at the close (None: the log's rows of kind "check", in order); the root-cause
``report`` (or None); when the attempt started and its deadline. The same inputs always give the same grade
(a regrade recomputes it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grader.phases.war_room.cause_llm import CauseJudgement, with_judgement
from grader.phases.war_room.checking import student_check_view
from grader.phases.war_room.incidents import Incident
from grader.phases.war_room.moves import (
    Step,
    brute_force_words,
    classify_log,
    destructive_words,
    log_entries,
    parse_time,
)
from grader.phases.war_room.report import (
    FIELD_LABELS,
    FIELDS,
    CauseMatch,
    InvalidReport,
    cause_points,
    clean_report,
    match_cause,
)
from grader.phases.war_room.scoring import ROOT_CAUSE, approach, fix_item, systematic_item, time_item
from grader.phases.war_room.views import incident_of
from grader.scoring import Grade, RubricItem

DEFAULT_LIMIT_SECONDS = 15 * 60.0  # the time item's yardstick when the activity has no limit
MAX_OUTPUT_SHOWN = 4000


def _seconds(moment: Any, start: datetime | None) -> float | None:
    when = parse_time(moment)
    if when is None or start is None:
        return None
    return (when - start).total_seconds()


def _checks(checks: list[dict[str, Any]] | None) -> list[tuple[str | None, dict[str, Any]]]:
    out = []
    for entry in checks or []:
        if isinstance(entry, dict):
            result = entry.get("result") if isinstance(entry.get("result"), dict) else entry
            out.append((entry.get("at"), result))
    return out


def time_to_fix(checks: list[tuple[str | None, dict[str, Any]]], start: datetime | None) -> float | None:
    """Seconds from the start to the first check of the final run of passing checks (None if the last failed)."""
    if not checks or not checks[-1][1].get("passed"):
        return None
    first = len(checks) - 1
    while first > 0 and checks[first - 1][1].get("passed"):
        first -= 1
    return _seconds(checks[first][0], start)


def _limit(start: datetime | None, deadline: datetime | None) -> float:
    if start is not None and deadline is not None and deadline > start:
        return (deadline - start).total_seconds()
    return DEFAULT_LIMIT_SECONDS


def _cause(incident: Incident, report: Any,
           judgement: CauseJudgement | None = None) -> tuple[RubricItem, CauseMatch | None, dict[str, str] | None]:
    if report is None:
        return RubricItem("root_cause", 0.0, ROOT_CAUSE, "no root-cause report was written"), None, None
    try:
        cleaned = clean_report(report)
    except InvalidReport as exc:
        return RubricItem("root_cause", 0.0, ROOT_CAUSE, f"the report could not be read: {exc}"), None, None
    match = with_judgement(incident, match_cause(incident, cleaned), judgement, cleaned)
    points, evidence = cause_points(incident, match)
    return RubricItem("root_cause", points, ROOT_CAUSE, evidence), match, cleaned


def _evaluate(state: dict[str, Any], command_log: list[dict[str, Any]] | None, checks: list[dict[str, Any]] | None,
              report: Any, started_at: Any, deadline_at: Any, judgement: Any = None) -> dict[str, Any]:
    incident = incident_of(state)
    start = parse_time(started_at) or parse_time(state.get("started_at"))
    deadline = parse_time(deadline_at)
    steps = classify_log(command_log or [], incident)
    if checks is None:  # the terminal's log holds the check rows too
        checks = [e for e in command_log or [] if isinstance(e, dict) and e.get("kind") == "check"]
    runs = _checks(checks)
    final = runs[-1][1] if runs else None
    limit = _limit(start, deadline)
    fixed_in = time_to_fix(runs, start)
    brute = [m for s in steps for m in s.brute_force]
    brute_words = [brute_force_words(incident, m) for m in dict.fromkeys(brute)]
    judged = judgement if isinstance(judgement, CauseJudgement) else CauseJudgement.from_dict(judgement)
    cause_item, match, cleaned = _cause(incident, report, judged)
    fix_words = incident.fix_words(final.get("fixed_by")) if final and final.get("passed") else ""
    found = approach(steps, [t for t in (_seconds(at, start) for at, _ in runs) if t is not None],
                     lambda step: _seconds(step.at, start) if step.at else None)
    items = [
        cause_item,
        fix_item(final, fix_words, brute_words),
        time_item(fixed_in if final and final.get("passed") else None, limit),
        systematic_item(found, [destructive_words(d) for d in found.destructive]),
    ]
    return {"incident": incident, "steps": steps, "runs": runs, "final": final, "limit": limit,
            "fixed_in": fixed_in, "brute": list(dict.fromkeys(brute)), "brute_words": brute_words, "match": match,
            "report": cleaned, "approach": found, "items": items, "start": start, "deadline": deadline,
            "judgement": judged}


def grade(state: dict[str, Any], command_log: list[dict[str, Any]] | None, checks: list[dict[str, Any]] | None,
          report: Any, started_at: Any = None, deadline_at: Any = None,
          cause_judgement: CauseJudgement | dict[str, Any] | None = None,
          ) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
    """(Grade, the inputs that reproduce it, report-card feedback). ``cause_judgement``: an LLM's rubric answers
    for this report (``cause_llm.judge_cause``, or as stored in the inputs), which may raise root-cause items."""
    e = _evaluate(state, command_log, checks, report, started_at, deadline_at, cause_judgement)
    incident: Incident = e["incident"]
    result = Grade.from_items(e["items"], summary="The War Room")
    final = e["final"] or {}
    inputs = {
        "incident": incident.id, "digest": incident.digest, "difficulty": state.get("difficulty"),
        "seed": state.get("seed"), "started_at": e["start"].isoformat() if e["start"] else None,
        "deadline_at": e["deadline"].isoformat() if e["deadline"] else None, "limit_seconds": e["limit"],
        "time_to_fix_seconds": e["fixed_in"] if final.get("passed") else None,
        "final_check": {"passed": bool(final.get("passed")), "fixed_by": final.get("fixed_by"),
                        "findings": list(final.get("findings") or [])} if e["final"] else None,
        "checks": len(e["runs"]), "steps": [s.to_dict() for s in e["steps"]],
        "brute_force": e["brute"], "approach": e["approach"].to_dict(),
        "cause": e["match"].to_dict() if e["match"] else None,
        "cause_llm": e["judgement"].to_dict() if e["judgement"] else None,
    }
    return result, inputs, _feedback(e, result)


def _feedback(e: dict[str, Any], result: Grade) -> dict[str, Any]:
    incident: Incident = e["incident"]
    final = e["final"] or {}
    match: CauseMatch | None = e["match"]
    concepts = [*incident.data["concepts"], *incident.data["key_facts"]]
    found = {**(match.concepts if match else {}), **(match.facts if match else {})}
    for key in (match.raised if match else {}):  # recognised by the LLM from a sentence of the report
        found[key.split(":", 1)[1]] = found.get(key.split(":", 1)[1]) or {"raised": key}
    return {
        "incident": incident.title,
        "root_cause": incident.root_cause,
        "fixed": bool(final.get("passed")),
        "fixed_by": incident.fix_words(final.get("fixed_by")) if final.get("passed") else None,
        "accepted_fixes": [f["says"] for f in incident.data["fixes"]],
        "time_to_fix_seconds": e["fixed_in"] if final.get("passed") else None,
        "limit_seconds": e["limit"],
        "cause_named": [c["says"] for c in concepts if found.get(c["id"])],
        "cause_missed": [c["says"] for c in concepts if not found.get(c["id"])],
        "prevention_ideas": list(match.prevention) if match else [],
        "brute_force": e["brute_words"],
        "destructive": [destructive_words(d) for d in e["approach"].destructive],
        "commands": sum(1 for s in e["steps"] if s.kind == "command"),
        "edits": sum(1 for s in e["steps"] if s.kind == "edit"),
        "checks": len(e["runs"]),
        "final_check": student_check_view(final) if e["final"] else None,
        "items": [{"item": i.item, "points": i.points, "max_points": i.max_points, "evidence": i.evidence}
                  for i in result.items],
    }


def report_card(state: dict[str, Any], command_log: list[dict[str, Any]] | None, checks: list[dict[str, Any]] | None,
                report: Any, started_at: Any = None, deadline_at: Any = None,
                cause_judgement: CauseJudgement | dict[str, Any] | None = None) -> dict[str, Any]:
    """What the student sees after the attempt closed: the grade with its evidence, the real root cause, the
    accepted fixes and how their own attempt compares."""
    result, _, feedback = grade(state, command_log, checks, report, started_at, deadline_at, cause_judgement)
    return {**feedback, "grade": result.to_dict()}


def _offset(step_at: Any, start: datetime | None) -> float | None:
    seconds = _seconds(step_at, start)
    return round(seconds, 1) if seconds is not None else None


def instructor_view(state: dict[str, Any], command_log: list[dict[str, Any]] | None,
                    checks: list[dict[str, Any]] | None, report: Any, started_at: Any = None,
                    deadline_at: Any = None, cause_judgement: CauseJudgement | dict[str, Any] | None = None,
                    ) -> dict[str, Any]:
    """Everything the instructor needs to see why the grade is what it is."""
    e = _evaluate(state, command_log, checks, report, started_at, deadline_at, cause_judgement)
    incident: Incident = e["incident"]
    result = Grade.from_items(e["items"], summary="The War Room")
    start = e["start"]
    timeline = []
    for step, entry in zip(e["steps"], log_entries(command_log), strict=True):
        row = {"at": entry.get("at"), "offset_seconds": _offset(entry.get("at"), start), "kind": step.kind,
               "classified": step.to_dict()}
        if step.kind == "edit":
            row.update({"path": entry.get("path") or entry.get("source"), "diff": str(entry.get("diff") or "")})
        else:
            output = str(entry.get("output") or "")
            row.update({"command": entry.get("command") or entry.get("source"), "exit_code": entry.get("exit_code"),
                        "outcome": entry.get("outcome"), "output": output[-MAX_OUTPUT_SHOWN:],
                        "output_cut": len(output) > MAX_OUTPUT_SHOWN})
        timeline.append(row)
    runs = [{"at": at, "offset_seconds": _offset(at, start), "passed": bool(r.get("passed")),
             "fixed_by": r.get("fixed_by"), "findings": list(r.get("findings") or []),
             "failing": [p for p in r.get("probes") or [] if not p.get("ok")], "error": r.get("error"),
             "seconds": r.get("seconds")} for at, r in e["runs"]]
    return {
        "incident": {"id": incident.id, "title": incident.title, "difficulty": state.get("difficulty"),
                     "seed": state.get("seed"), "root_cause": incident.root_cause,
                     "fixes": incident.data["fixes"], "cto": incident.cto["name"]},
        "started_at": start.isoformat() if start else None,
        "deadline_at": e["deadline"].isoformat() if e["deadline"] else None,
        "timeline": timeline,
        "chat": [{"from": c.get("from"), "text": c.get("text"), "at": c.get("at"), "kind": c.get("kind"),
                  "judgement": c.get("judgement")} for c in state.get("chat", [])],
        "checks": runs,
        "report": ({FIELD_LABELS[k]: e["report"][k] for k in FIELDS} if e["report"] else
                   (report if isinstance(report, dict) else None)),
        "cause_match": e["match"].to_dict() if e["match"] else None,
        "cause_llm": e["judgement"].to_dict() if e["judgement"] else None,
        "approach": e["approach"].to_dict(),
        "grade": result.to_dict(),
        "how_decided": {
            "root_cause": "offline: the report's 'what broke' and 'why' sentences against the incident's concepts "
                          "and key facts (statements only; no causal link or a shotgun halves it)"
                          + _llm_words(e["judgement"]),
            "fix_quality": "the last check (the system at the close): passed, which accepted fix, and brute-force "
                           "moves in the command log",
            "time": f"first check of the final passing streak: {e['fixed_in']} s of {e['limit']:.0f} s",
            "systematic": "the command log: looks before the first change, a probe or check after the last, "
                          "restarts with nothing changed, destructive commands",
        },
    }


def _llm_words(judgement: CauseJudgement | None) -> str:
    if judgement is None:
        return ""
    if judgement.answers is None:
        return f"; the LLM's rubric answers were not used ({judgement.outcome}), so the offline result stands"
    said = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in judgement.answers.items())
    return (f"; with the LLM's rubric answers ({said}): an item the patterns missed counts half when the model says "
            "the report states it and a sentence of the report shares its words; the model never lowers an item")


def steps_of(state: dict[str, Any], command_log: list[dict[str, Any]]) -> list[Step]:
    return classify_log(command_log, incident_of(state))
