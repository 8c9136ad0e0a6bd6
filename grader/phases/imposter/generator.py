"""Seed -> repository: plan the history (``history``), make it real with git (``gitrepo``), and keep what the
attempt needs: the workspace's files, the page's public data (commits and diffs) and the truth (who, which
commit, the decoys, and a fingerprint of every commit's surviving work for spotting a push that dropped it).

``generated(...)`` caches recent results in the process: the same seed always gives the same repository, so a
page, a command or a grade asking again costs nothing.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from grader.phases.imposter.gitrepo import Built, build, diffs, scratch, workspace_files
from grader.phases.imposter.history import Plan, apply_edits, plan_history
from grader.phases.imposter.personas import PERSONAS
from grader.phases.imposter.truth import Scenario, load_scenario

# A commit's surviving work counts as kept when at least this share of its distinctive lines is still somewhere
# in the tree (a student's fix may touch a line or two of someone's change; a dropped commit keeps none).
KEPT_SHARE = 0.5
MIN_LINE_CHARS = 4  # shorter lines (")", "]", "else:") say nothing about whose work is there


@dataclass(frozen=True)
class Generated:
    scenario_id: str
    difficulty: str
    seed: int
    digest: str
    head: str  # main on the remote
    branches: tuple[tuple[str, str], ...]  # (name, sha) of the remote's branches, main first
    commits: tuple[dict[str, Any], ...]  # public: newest first
    diffs: dict[str, str] = field(repr=False)  # public: sha -> unified diff
    files: dict[str, bytes] = field(repr=False)  # the workspace
    truth: dict[str, Any] = field(repr=False)  # server-side only
    plan: Plan = field(repr=False, compare=False)


def line_key(line: str) -> str | None:
    text = " ".join(line.split())
    if len(text) < MIN_LINE_CHARS:
        return None
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def tree_keys(files: dict[str, str]) -> set[str]:
    """Every distinctive line of a tree, wherever it is (a moved function still counts)."""
    return {k for text in files.values() for line in text.splitlines() if (k := line_key(line))}


def added_lines(before: str, after: str) -> list[str]:
    old, new = before.splitlines(), after.splitlines()
    out: list[str] = []
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out += new[j1:j2]
    return out


def change_lines(before: dict[str, str], after: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Per changed file, the lines (stripped, blank ones left out) a change removed and added."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path, "").splitlines(), after.get(path, "").splitlines()
        if old == new:
            continue
        removed: list[str] = []
        added: list[str] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag != "equal":
                removed += [line.strip() for line in old[i1:i2] if line.strip()]
                added += [line.strip() for line in new[j1:j2] if line.strip()]
        out[path] = {"removed": removed, "added": added}
    return out


def work_fingerprints(plan: Plan, shas: tuple[str, ...]) -> dict[str, list[str]]:
    """Per commit (merges and the sabotage aside): the keys of the lines it added that are still at HEAD."""
    head_files = plan.events[plan.head].files
    head_lines = {path: {k for line in text.splitlines() if (k := line_key(line))} for path, text in head_files.items()}
    out: dict[str, list[str]] = {}
    for event in plan.events:
        if event.kind == "merge" or event.index == plan.sabotage:
            continue
        before = plan.events[event.parents[0]].files if event.parents else {}
        keys: set[str] = set()
        for path, text in event.files.items():
            if before.get(path) == text:
                continue
            keys |= {k for line in added_lines(before.get(path, ""), text)
                     if (k := line_key(line)) and k in head_lines.get(path, ())}
        if keys:
            out[shas[event.index]] = sorted(keys)
    return out


def public_commits(plan: Plan, shas: tuple[str, ...], branches: dict[str, str]) -> tuple[dict[str, Any], ...]:
    """What the page shows of each commit, newest first: never a role, a step or anything of the truth."""
    labels: dict[str, list[str]] = {}
    for name, sha in branches.items():
        labels.setdefault(sha, []).append(name)
    out = []
    for event in reversed(plan.events):
        persona = PERSONAS[event.author]
        sha = shas[event.index]
        out.append({
            "sha": sha,
            "parents": [shas[p] for p in event.parents],
            "author": persona.name,
            "email": persona.email(plan.domain),
            "date": event.when.isoformat(),
            "subject": event.message.split("\n", 1)[0],
            "message": event.message.rstrip("\n") + "\n",
            "branches": sorted(labels.get(sha, [])),
        })
    return tuple(out)


def sabotage_changes(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """The sabotage's whole change and its bug's alone (what a revert, or a fix of the bug, must undo)."""
    event = plan.events[plan.sabotage]
    parent = plan.events[event.parents[0]].files
    step = scenario.sabotage
    without_bug = apply_edits(parent, dict(step.variants).get(event.author, step.edits), "the sabotage")
    return {"sabotage_change": change_lines(parent, event.files), "bug_change": change_lines(without_bug, event.files)}


@contextmanager
def built_repository(scenario: Scenario, difficulty: str, seed: int) -> Iterator[tuple[Generated, Built, Path]]:
    """The generated repository on disk (for verification), with its Generated; removed afterwards."""
    plan = plan_history(scenario, difficulty, seed)
    with scratch() as home:
        built = build(plan, home)
        shas = built.shas
        branches = {"main": shas[plan.head], **{name: shas[index] for name, index in plan.branches}}
        truth = {
            "imposter": plan.imposter,
            "sabotage": shas[plan.sabotage],
            "sabotage_parent": shas[plan.events[plan.sabotage].parents[0]],
            "decoys": [{"sha": shas[i], "role": plan.events[i].role, "author": plan.events[i].author}
                       for i in plan.decoys],
            "work": work_fingerprints(plan, shas),
            **sabotage_changes(scenario, plan),
        }
        generated = Generated(scenario.id, difficulty, seed, scenario.digest, shas[plan.head],
                              tuple(branches.items()), public_commits(plan, shas, branches), diffs(built, home),
                              workspace_files(built, scenario.domain), truth, plan)
        yield generated, built, home


def generate(scenario: Scenario, difficulty: str, seed: int) -> Generated:
    with built_repository(scenario, difficulty, seed) as (generated, _built, _home):
        return generated


@lru_cache(maxsize=24)
def _generated(scenario_id: str, difficulty: str, seed: int, digest: str) -> Generated:
    scenario = load_scenario(scenario_id)
    if scenario.digest != digest:
        raise ValueError("the scenario changed while it was being generated")
    return generate(scenario, difficulty, seed)


def generated(scenario_id: str, difficulty: str, seed: int) -> Generated:
    """The seed's repository for the scenario's current files (cached)."""
    scenario = load_scenario(scenario_id)
    return _generated(scenario_id, difficulty, seed, scenario.digest)
