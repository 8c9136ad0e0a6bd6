"""The report, the grade, the report card and the instructor's view of an attempt.

- ``parse_report(state, data)`` validates what the student sends (which teammate, which commit — a sha prefix
  of at least 7 characters naming exactly one commit of the team's history —, how they resolved it and why)
  and raises ``InvalidReport`` with a sentence per field.
- ``grade(state, command_log, report, remote, started_at, deadline_at)`` -> (Grade, inputs, feedback), from
  plain data only: ``remote`` is a ``remote.remote_snapshot`` taken when the attempt closed, so a regrade
  from the stored inputs gives the same grade without the workspace or the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from grader.phases.imposter.personas import PERSONAS, TEAMMATES, display_name, persona_of_name
from grader.phases.imposter.remote import RESOLUTION_WORDS, RESOLUTIONS, resolution
from grader.phases.imposter.scoring import DEFAULT_BUDGET_MINUTES, imposter_grade, time_points
from grader.phases.imposter.truth import load_scenario
from grader.phases.imposter.views import check_state
from grader.scoring import Grade

MIN_SHA = 7
WHY_CHARS = (20, 2000)
HEX = re.compile(r"[0-9a-f]+")
COMMAND_WORDS = ("log", "show", "blame", "bisect", "diff", "revert", "reset", "rebase", "commit", "push",
                 "unittest")


class InvalidReport(ValueError):
    """A report that cannot be graded; ``errors`` maps each bad field to a sentence for the student."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _commit_of(state: dict[str, Any], given: str) -> tuple[str | None, str]:
    """(full sha, "") for a prefix naming exactly one of the team's commits, else (None, why not)."""
    name = given.strip().lower()
    if not name:
        return None, "Give the commit's sha (at least 7 characters, as git log --oneline shows it)."
    if not HEX.fullmatch(name) or len(name) > 40:
        return None, "A commit's sha is made of the characters 0-9 and a-f."
    if len(name) < MIN_SHA:
        return None, f"Give at least {MIN_SHA} characters of the commit's sha."
    matches = [c["sha"] for c in state["repo"]["commits"] if c["sha"].startswith(name)]
    if not matches:
        return None, f"No commit of the team's history starts with {name}."
    if len(matches) > 1:
        return None, f"{name} matches {len(matches)} commits; give more characters."
    return matches[0], ""


def parse_report(state: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The report as graded: {"imposter" (teammate id), "commit" (full sha), "commit_given", "resolution",
    "why"}. Raises InvalidReport naming every field that is wrong."""
    state = check_state(state)
    if not isinstance(data, Mapping):
        raise InvalidReport({"report": "The report is a form with four answers."})
    errors: dict[str, str] = {}
    named = str(data.get("imposter") or "").strip()[:100]
    imposter = persona_of_name(named)
    if imposter is None:
        errors["imposter"] = ("Name one teammate: " + ", ".join(display_name(t) for t in TEAMMATES) + "."
                              if named.lower() not in ("you", "me") else "Name a teammate, not yourself.")
    given = str(data.get("commit") or "")[:60]
    commit, why_not = _commit_of(state, given)
    if commit is None:
        errors["commit"] = why_not
    how = str(data.get("resolution") or "").strip()
    if how not in RESOLUTIONS:
        errors["resolution"] = "Say how you resolved it: " + ", ".join(RESOLUTIONS) + "."
    why = " ".join(str(data.get("why") or "").split())
    if len(why) < WHY_CHARS[0]:
        errors["why"] = "Say in a sentence or two why you resolved it this way."
    elif len(why) > WHY_CHARS[1]:
        errors["why"] = f"Keep the explanation under {WHY_CHARS[1]} characters."
    if errors:
        raise InvalidReport(errors)
    return {"imposter": imposter, "commit": commit, "commit_given": given.strip().lower(), "resolution": how,
            "why": why}


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _command_text(entry: Mapping[str, Any]) -> str:
    return str(entry.get("command") or entry.get("source") or "")


def investigation(command_log: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Which git tools the student's commands used (for the report card and the instructor)."""
    texts = [_command_text(e) for e in command_log if e.get("kind", "command") == "command"]
    used = {word: any(re.search(rf"\b{word}\b", t) for t in texts) for word in COMMAND_WORDS}
    used["force_push"] = any(re.search(r"\bpush\b.*(\s-f\b|--force)", t) for t in texts)
    return {"commands": len(texts), "used": used}


def _subject(state: dict[str, Any], sha: str) -> str:
    return next((c["subject"] for c in state["repo"]["commits"] if c["sha"] == sha), "")


def grade(state: dict[str, Any], command_log: Sequence[Mapping[str, Any]], report: Mapping[str, Any] | None,
          remote: Mapping[str, Any] | None, started_at: Any, deadline_at: Any, *,
          reported_at: Any = None) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
    """(Grade, the inputs that reproduce it, report-card feedback). ``report`` is what the student sent (raw or
    parsed; None when they sent none) with an optional "submitted_at"; ``remote`` the snapshot of the remote
    taken at close (``remote_snapshot``); times are ISO strings or datetimes."""
    state = check_state(state)
    truth = state["truth"]
    parsed: dict[str, Any] | None = None
    report_problem = "no report was sent"
    if report:
        try:
            parsed = parse_report(state, report)
        except InvalidReport as exc:
            report_problem = f"the report could not be read ({exc})"
    imposter_right = bool(parsed and parsed["imposter"] == truth["imposter"])
    commit_right = bool(parsed and parsed["commit"] == truth["sabotage"])
    actual = PERSONAS[truth["imposter"]].name
    if parsed:
        imposter_evidence = (f"named {PERSONAS[parsed['imposter']].name}; the imposter was {actual}")
        commit_evidence = (f"named {parsed['commit_given']} ({_subject(state, parsed['commit'])!r}); the sabotage was "
                           f"{truth['sabotage'][:7]} ({_subject(state, truth['sabotage'])!r})")
    else:
        imposter_evidence = commit_evidence = report_problem
    snapshot = dict(remote or {})
    if remote:
        resolved = resolution(state["remote"]["original"], snapshot, truth["sabotage"])
    else:
        resolved = {"kind": "none", "points": 0.0, "evidence": "the shared remote was not checked",
                    "tests_pass": False, "words": RESOLUTION_WORDS["none"]}
    started, deadline = _when(started_at), _when(deadline_at)
    reported = _when((report or {}).get("submitted_at") if isinstance(report, Mapping) else None) or _when(reported_at)
    budget = ((deadline - started).total_seconds() if started and deadline and deadline > started
              else DEFAULT_BUDGET_MINUTES * 60.0)
    used = (reported - started).total_seconds() if parsed and started and reported else None
    timing = time_points(max(0.0, used) if used is not None else None, budget, commit_right)
    result = imposter_grade(imposter_right=imposter_right, imposter_evidence=imposter_evidence,
                            commit_right=commit_right, commit_evidence=commit_evidence,
                            resolution_points=resolved["points"],
                            resolution_evidence=f"{resolved['words']}: {resolved['evidence']}", time=timing)
    inputs = {
        "scenario": state["scenario"], "difficulty": state["difficulty"], "seed": state["seed"],
        "digest": state["digest"], "report": parsed, "report_problem": "" if parsed else report_problem,
        "report_sent": _plain(report),
        "remote": snapshot, "resolution": resolved["kind"], "started_at": started.isoformat() if started else None,
        "deadline_at": deadline.isoformat() if deadline else None,
        "reported_at": reported.isoformat() if reported else None, "commands": len(command_log),
    }
    feedback = _feedback(state, parsed, report_problem, resolved, timing, command_log)
    return result, inputs, feedback


def _plain(report: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the student sent, as stored with the grade (a regrade passes it back as ``report``)."""
    if not isinstance(report, Mapping):
        return None
    return {str(k)[:40]: str(v)[:2100] for k, v in report.items() if k in
            ("imposter", "commit", "resolution", "why", "submitted_at")}


def _decoy_words(role: str) -> str:
    return ("an alarming message over a harmless change" if role == "alarm"
            else "a refactor touching the sabotaged file")


def _feedback(state: dict[str, Any], parsed: dict[str, Any] | None, problem: str, resolved: dict[str, Any],
              timing: tuple[float, str], command_log: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    truth = state["truth"]
    scenario = load_scenario(state["scenario"])
    return {
        "imposter": {"named": PERSONAS[parsed["imposter"]].name if parsed else None,
                     "actual": PERSONAS[truth["imposter"]].name,
                     "right": bool(parsed and parsed["imposter"] == truth["imposter"])},
        "commit": {"named": parsed["commit_given"] if parsed else None, "actual": truth["sabotage"],
                   "subject": _subject(state, truth["sabotage"]),
                   "right": bool(parsed and parsed["commit"] == truth["sabotage"])},
        "resolution": {"claimed": parsed["resolution"] if parsed else None, "performed": resolved["kind"],
                       "words": resolved["words"], "evidence": resolved["evidence"], "points": resolved["points"],
                       "tests_pass": resolved["tests_pass"]},
        "why": parsed["why"] if parsed else "",
        "report_problem": "" if parsed else problem,
        "bug": scenario.bug,
        "decoys": [{"sha": d["sha"], "subject": _subject(state, d["sha"]), "author": PERSONAS[d["author"]].name,
                    "what": _decoy_words(d["role"])} for d in truth["decoys"]],
        "time": {"points": timing[0], "evidence": timing[1]},
        "investigation": investigation(command_log),
    }


def report_card(state: dict[str, Any], grade_: Grade, feedback: Mapping[str, Any]) -> dict[str, Any]:
    """What the student sees once the attempt is closed: the answer and the sabotage's diff, their report
    beside it, how their resolution was read from the remote, and the score items."""
    state = check_state(state)
    sabotage = state["truth"]["sabotage"]
    commit = next(c for c in state["repo"]["commits"] if c["sha"] == sabotage)
    return {
        "score": grade_.score, "letter": grade_.letter, "items": [i.__dict__ for i in grade_.items],
        "verdict": dict(feedback),
        "sabotage": {"sha": sabotage, "author": commit["author"], "date": commit["date"],
                     "message": commit["message"], "patch": state["repo"]["diffs"].get(sabotage, "")},
    }


def _report_view(report: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The report as sent, with the named teammate's full name beside the id the form sent (None: nobody known)."""
    if not report:
        return None
    named = persona_of_name(str(report.get("imposter") or ""))
    return {**report, "imposter_name": PERSONAS[named].name if named else None}


def instructor_view(state: dict[str, Any], *, commands: Sequence[Mapping[str, Any]] = (),
                    report: Mapping[str, Any] | None = None, remote: Mapping[str, Any] | None = None,
                    explored: Mapping[str, Any] | None = None, grade_: Grade | None = None) -> dict[str, Any]:
    """The instructor's section of the attempt view: the answer, what the student explored (commits opened in
    the page, author filters, terminal commands), the resolution as performed (the remote's recorded updates
    and its main history), the report and the score items."""
    state = check_state(state)
    truth = state["truth"]
    roles = {truth["sabotage"]: "sabotage", **{d["sha"]: d["role"] for d in truth["decoys"]}}
    by_sha = {c["sha"]: c for c in state["repo"]["commits"]}
    explored = explored or {}
    opened = []
    for sha in explored.get("opened", []):
        commit = by_sha.get(str(sha))
        opened.append({"sha": str(sha), "subject": commit["subject"] if commit else "(the student's own commit)",
                       "author": commit["author"] if commit else "", "role": roles.get(str(sha), "")})
    snapshot = dict(remote or {})
    return {
        "scenario": state["scenario"], "title": state["title"], "difficulty": state["difficulty"],
        "seed": state["seed"],
        "truth": {"imposter": PERSONAS[truth["imposter"]].name,
                  "sabotage": {"sha": truth["sabotage"], "subject": _subject(state, truth["sabotage"]),
                               "patch": state["repo"]["diffs"].get(truth["sabotage"], "")},
                  "decoys": [{"sha": d["sha"], "subject": _subject(state, d["sha"]), "what": _decoy_words(d["role"]),
                              "author": PERSONAS[d["author"]].name} for d in truth["decoys"]],
                  "bug": load_scenario(state["scenario"]).bug},
        "explored": {"opened": opened, "filters": [str(f) for f in explored.get("filters", [])],
                     "commands": [{"command": _command_text(e), "at": e.get("at"), "exit_code": e.get("exit_code"),
                                   "outcome": e.get("outcome")} for e in commands],
                     "used": investigation(commands)["used"]},
        "remote": {"original": state["remote"]["original"], "head": snapshot.get("head", state["remote"]["head"]),
                   "updates": snapshot.get("updates", state["remote"].get("updates", [])),
                   "history": snapshot.get("history", []), "tests": snapshot.get("tests"),
                   "sabotage_in_history": snapshot.get("sabotage_in_history")},
        "report": _report_view(report),
        "items": [i.__dict__ for i in grade_.items] if grade_ else [],
    }
