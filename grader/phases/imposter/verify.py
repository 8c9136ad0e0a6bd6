"""Verified before served: a seed's repository is accepted only if it shows what the phase promises.

- Shape: 15–40 commits, at least one merge, every commit by the team; each teammate's messages in their style
  and at their hours (the imposter's commit included), every merge exactly what ``git merge`` itself gives.
- Nothing gives the answer away: no commit message, author, branch or file name, nor any added line, says
  "sabotage", "bug", "hack", "break"... except the alarming decoy's message, which is meant to.
- Bisectable: the project's tests pass at every commit that does not contain the sabotage and fail at every
  commit that does (so at the sabotage's parent they pass, at the sabotage and at HEAD they fail), and the tests
  failing at the sabotage already existed at its parent (the sabotage did not bring the test that catches it).
- Resolvable: ``git revert --no-edit <sabotage>`` applies to HEAD without conflict and the tests pass again;
  so does the scenario's hand fix; the grading probes fail at HEAD and pass on both.
- The decoys are what they claim: the refactor touches the sabotaged file; the sabotage mixes its bug with a
  real change.
The first check that fails rejects the seed with a sentence saying why (for whoever writes scenarios).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.phases.imposter.checks import check_tree, run_suites
from grader.phases.imposter.generator import Generated, built_repository
from grader.phases.imposter.gitrepo import GitError, git, merge_tree, tree_of
from grader.phases.imposter.history import Plan, PlanError, apply_edits
from grader.phases.imposter.personas import PERSONAS, TEAMMATES, YOU, fits_style, in_hours
from grader.phases.imposter.truth import Scenario
from grader.sandbox import SandboxBackend

COMMITS_RANGE = (15, 40)
# Words that would point at the answer. Messages, names and branches: all of them (only the alarming decoy's
# message may use them); added lines of code and text: the ones no honest project contains.
GIVEAWAYS = re.compile(r"\b(sabotag\w*|saboteur|impost[eo]r\w*|decoy\w*|backdoor\w*|malicious\w*|sneak\w*|"
                       r"evil|bugs?|buggy|hack\w*|break\w*|broke|broken|oops|secretly)\b", re.I)
CODE_GIVEAWAYS = re.compile(r"\b(sabotag\w*|saboteur|impost[eo]r\w*|decoy\w*|backdoor\w*|malicious\w*|"
                            r"sneak\w*|evil|bugs?|buggy|hack\w*|xxx|fixme|secretly)\b", re.I)


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str = ""
    head: str = ""
    sabotage: str = ""
    imposter: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # how long each part took


def descendants(plan: Plan, index: int) -> set[int]:
    """Events containing event ``index`` (itself included)."""
    out = {index}
    for event in plan.events:  # events are in creation order: parents come first
        if any(p in out for p in event.parents):
            out.add(event.index)
    return out


def _shape(plan: Plan) -> str:
    count = len(plan.events)
    if not COMMITS_RANGE[0] <= count <= COMMITS_RANGE[1]:
        return f"{count} commits, not {COMMITS_RANGE[0]}–{COMMITS_RANGE[1]}"
    if not any(e.kind == "merge" for e in plan.events):
        return "no merge in the history"
    for event in plan.events:
        if event.author not in (*TEAMMATES, YOU):
            return f"a commit by {event.author!r}"
        if not fits_style(event.author, event.message):
            return f"{event.author}'s message {event.message.splitlines()[0]!r} is not in their style"
        local: datetime = event.when
        if event.author != YOU and not in_hours(event.author, local.hour, local.weekday()):
            return f"{event.author} committed at {local.isoformat()}, outside their hours"
        if event.index and event.when <= plan.events[event.index - 1].when:
            return "commit times do not increase"
    return ""


def _giveaways(plan: Plan, generated: Generated) -> str:
    for event in plan.events:
        if event.role != "alarm" and GIVEAWAYS.search(event.message):
            return f"the message {event.message.splitlines()[0]!r} gives it away"
    for event in plan.events:
        persona = PERSONAS[event.author]
        if GIVEAWAYS.search(f"{persona.name} {persona.email(plan.domain)}"):
            return f"the author {persona.name} gives it away"
    for name, _sha in generated.branches:
        if GIVEAWAYS.search(name.replace("-", " ").replace("/", " ")):
            return f"the branch name {name!r} gives it away"
    paths = {path for event in plan.events for path in event.files}
    for path in paths:
        if GIVEAWAYS.search(re.sub(r"[_./-]", " ", path)):
            return f"the file name {path!r} gives it away"
    for sha, patch in generated.diffs.items():
        for line in patch.splitlines():
            if line.startswith("+") and not line.startswith("+++") and CODE_GIVEAWAYS.search(line):
                return f"commit {sha[:8]} adds a line that gives it away: {line[:80]!r}"
    return ""


def _hunks(patch: str) -> int:
    return sum(1 for line in patch.splitlines() if line.startswith("@@"))


def _changed_files(patch: str) -> set[str]:
    return {line[6:] for line in patch.splitlines() if line.startswith("+++ b/")} | \
           {line[6:] for line in patch.splitlines() if line.startswith("--- a/")}


def _read_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(folder).parts}


def verify(backend: SandboxBackend, scenario: Scenario, difficulty: str, seed: int) -> Verdict:
    """Every check, in order; the first that fails rejects the seed."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        with built_repository(scenario, difficulty, seed) as (generated, built, home):
            timings["generate"] = time.perf_counter() - started
            return _verify(backend, scenario, generated, built.remote, home, timings)
    except PlanError as exc:
        return Verdict(False, f"no history: {exc}", seconds=timings)
    except GitError as exc:
        return Verdict(False, f"git: {exc}", seconds=timings)


def _verify(backend: SandboxBackend, scenario: Scenario, generated: Generated, remote: Path, home: Path,
            timings: dict[str, float]) -> Verdict:
    plan = generated.plan
    shas = [c["sha"] for c in reversed(generated.commits)]  # by event index
    truth = generated.truth

    def reject(reason: str) -> Verdict:
        return Verdict(False, reason, generated.head, truth["sabotage"], truth["imposter"], timings)

    started = time.perf_counter()
    problem = _shape(plan) or _giveaways(plan, generated)
    if problem:
        return reject(problem)
    for event in plan.events:
        if event.kind == "merge":
            first, second = (shas[p] for p in event.parents)
            if merge_tree(home, remote, first, second) != tree_of(home, remote, shas[event.index]):
                return reject(f"the merge {event.message.splitlines()[0]!r} is not what git merge gives")
    sabotage_patch = generated.diffs.get(truth["sabotage"], "")
    bug_lines = sum(len(e.new.splitlines()) for e in scenario.sabotage.bug)
    added = sum(1 for line in sabotage_patch.splitlines() if line.startswith("+") and not line.startswith("+++"))
    if _hunks(sabotage_patch) < 2 or added <= bug_lines:
        return reject("the sabotage is its bug alone, with no real change around it")
    sabotaged_files = _changed_files(sabotage_patch)
    for decoy in truth["decoys"]:
        if decoy["role"] == "refactor" and not _changed_files(generated.diffs.get(decoy["sha"], "")) & sabotaged_files:
            return reject("the refactor decoy does not touch the sabotaged file")

    # git revert on a clone of HEAD
    clone = home / "revert"
    git(home, ["clone", "-q", str(remote), str(clone)], home)
    try:
        git(home, ["revert", "--no-edit", truth["sabotage"]], clone)
    except GitError as exc:
        return reject(f"git revert of the sabotage does not apply cleanly to HEAD: {exc}")
    reverted = _read_tree(clone)
    head_files = plan.events[plan.head].files
    try:
        fixed = apply_edits(head_files, scenario.fix, "the hand fix")
    except PlanError as exc:
        return reject(str(exc))
    timings["git"] = time.perf_counter() - started

    started = time.perf_counter()
    trees = [(shas[e.index], e.files) for e in plan.events] + [("reverted", reverted), ("fixed", fixed)]
    results = run_suites(backend, trees)
    timings["suites"] = time.perf_counter() - started
    broken = descendants(plan, plan.sabotage)
    for event in plan.events:
        record = results[shas[event.index]]
        should_fail = event.index in broken
        if not record["ran"]:
            return reject(f"no tests ran at commit {event.index} ({shas[event.index][:8]})")
        if bool(record["failed"]) != should_fail:
            what = "fail" if record["failed"] else "pass"
            return reject(f"the tests {what} at commit {event.index} {event.message.splitlines()[0]!r}, which "
                          f"{'contains' if should_fail else 'does not contain'} the sabotage"
                          + (f": {', '.join(record['failed'][:3])}" if record["failed"] else ""))
    parent_tests = _test_ids(plan.events[plan.events[plan.sabotage].parents[0]].files)
    caught = results[truth["sabotage"]]["failed"]
    if not all(name.rsplit(".", 1)[-1] in parent_tests for name in caught):
        return reject(f"the sabotage brings the test that catches it ({', '.join(caught[:2])})")
    for name in ("reverted", "fixed"):
        if results[name]["failed"]:
            return reject(f"the tests still fail after the {'revert' if name == 'reverted' else 'hand fix'}: "
                          f"{', '.join(results[name]['failed'][:3])}")

    started = time.perf_counter()
    at_head = check_tree(backend, head_files, scenario.probes)
    if at_head.passed:
        return reject("every grading probe passes at HEAD: they do not catch the sabotage")
    for name, files in (("the revert", reverted), ("the hand fix", fixed)):
        check = check_tree(backend, files, scenario.probes)
        if not check.passed:
            return reject(f"grading probes fail after {name}: {', '.join(check.failed[:3])} {check.problem}")
    timings["probes"] = time.perf_counter() - started
    return Verdict(True, "", generated.head, truth["sabotage"], truth["imposter"], timings)


_TEST_DEF = re.compile(r"^\s*def (test\w*)\(", re.M)


def _test_ids(files: dict[str, str]) -> set[str]:
    return {m for path, text in files.items() if path.startswith("tests/") for m in _TEST_DEF.findall(text)}


def verdict_summary(verdict: Verdict) -> dict[str, Any]:
    return {"accepted": verdict.accepted, "reason": verdict.reason, "seconds": verdict.seconds}
