"""A seed's history, planned in Python before any git runs: who wrote which step (the imposter among the
sabotage's candidates), the order of the steps, the branches and their merges, every commit's time in its
author's habits, and each commit's full tree. ``gitrepo`` turns the plan into a real repository.

Deterministic: the same scenario, difficulty and seed give the same plan (``random.Random`` seeded with a
string is stable across runs and platforms), so the same commits, byte for byte, and the same shas.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from grader.phases.imposter.personas import PERSONAS, YOU, branch_name, in_hours, render_message
from grader.phases.imposter.truth import Edit, Scenario, Step


class PlanError(Exception):
    """A seed (or a scenario) gives no consistent history: an edit does not apply, an order is impossible."""


@dataclass(frozen=True)
class Event:
    """One commit of the history, in the order they are made (and dated)."""

    index: int
    kind: str  # "commit" | "merge"
    step: str  # the step id ("" for the first commit and merges)
    role: str  # the step's role ("base", "merge", feature, sabotage, alarm, refactor)
    author: str  # persona id
    ref: str  # the branch it is made on ("main" or a branch name)
    parents: tuple[int, ...]  # event indices
    message: str
    when: datetime  # aware, in the author's offset
    files: dict[str, str] = field(compare=False, repr=False)  # the whole tree after it


@dataclass(frozen=True)
class Plan:
    scenario_id: str
    difficulty: str
    seed: int
    domain: str
    events: tuple[Event, ...]
    authors: tuple[tuple[str, str], ...]  # (step id, persona) for every step
    branches: tuple[tuple[str, int], ...]  # (branch name, its tip event) besides main
    imposter: str
    sabotage: int  # event index
    decoys: tuple[int, ...]  # event indices (alarm and refactor steps)

    @property
    def head(self) -> int:
        return max(e.index for e in self.events if e.ref == "main")


def apply_edits(files: dict[str, str], edits: tuple[Edit, ...], where: str) -> dict[str, str]:
    """A new tree with ``edits`` applied; raises PlanError naming the step when one does not fit."""
    out = dict(files)
    for edit in edits:
        current = out.get(edit.file)
        if edit.op == "create":
            if current is not None:
                raise PlanError(f"{where}: creates {edit.file}, which exists")
            out[edit.file] = edit.text
        elif edit.op == "delete":
            if current is None:
                raise PlanError(f"{where}: deletes {edit.file}, which does not exist")
            del out[edit.file]
        elif current is None:
            raise PlanError(f"{where}: edits {edit.file}, which does not exist")
        elif edit.op == "append":
            out[edit.file] = current + ("" if current.endswith("\n") or not current else "\n") + edit.text
        else:
            out[edit.file] = replace_once(current, edit.text, edit.new, f"{where}: {edit.file}")
    return out


def _indented(block: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in block.splitlines(keepends=True))


def replace_once(text: str, old: str, new: str, where: str) -> str:
    """``old`` -> ``new`` where ``old`` occurs exactly once. Whole lines (``old`` ends with a newline) match at
    any indentation and ``new`` takes the indentation found, so a truth file writes a method's lines without
    the class's indentation; otherwise (or when that finds nothing) the text is matched as it is."""
    if old.endswith("\n"):
        bare_old, bare_new = old, new  # as the truth file writes them: relative to the block
        found = []
        for width in range(0, 33):
            candidate = _indented(bare_old, " " * width)
            start = text.find(candidate)
            while start != -1:
                if start == 0 or text[start - 1] == "\n":
                    found.append((start, candidate, width))
                start = text.find(candidate, start + 1)
        if len(found) == 1:
            start, candidate, width = found[0]
            return text[:start] + _indented(bare_new, " " * width) + text[start + len(candidate):]
    count = text.count(old)
    if count != 1:
        raise PlanError(f"{where}: the text to replace occurs {count} times, not once: {old.strip()[:60]!r}")
    return text.replace(old, new)


# -- who ------------------------------------------------------------------------------------------------------
def assign_authors(steps: tuple[Step, ...], rng: random.Random) -> dict[str, str]:
    """The sabotage's author (the imposter) first; decoys go to someone else when they can, so a decoy is never
    a second clue against the imposter; everyone else's steps to one of their candidates."""
    sabotage = next(s for s in steps if s.role == "sabotage")
    imposter = rng.choice(sabotage.authors)
    chosen = {sabotage.id: imposter}
    by_branch: dict[str, str] = {}
    if sabotage.branch:
        by_branch[sabotage.branch] = imposter
    for step in steps:
        if step.id in chosen:
            continue
        if step.branch and step.branch in by_branch:
            chosen[step.id] = by_branch[step.branch]
            continue
        options = list(step.authors)
        if step.role in ("alarm", "refactor") and len(options) > 1:
            options = [a for a in options if a != imposter] or options
        chosen[step.id] = rng.choice(options)
        if step.branch:
            by_branch[step.branch] = chosen[step.id]
    return chosen


# -- in which order -------------------------------------------------------------------------------------------
def order_steps(steps: tuple[Step, ...], rng: random.Random) -> list[Step]:
    """A random order that respects ``after`` (a step depending on a branch's step waits for the branch's merge;
    a branch forks only once everything its steps depend on is in), ``last`` steps at the end."""
    by_id = {s.id: s for s in steps}
    included = set(by_id)
    branch_of = {s.id: s.branch for s in steps}
    members: dict[str, list[str]] = {}
    for s in steps:
        if s.branch:
            members.setdefault(s.branch, []).append(s.id)
    placed: list[Step] = []
    done: set[str] = set()
    opened: set[str] = set()

    def deps(step: Step) -> set[str]:
        return {d for d in step.after if d in included}

    def ready(step: Step) -> bool:
        if step.last:
            return all(o.id in done for o in steps if not o.last and o.id != step.id)
        for dep in deps(step):
            if dep not in done:
                return False
            dep_branch = branch_of[dep]
            if dep_branch and dep_branch != step.branch and not all(m in done for m in members[dep_branch]):
                return False  # wait for that branch's merge
        if step.branch and step.branch not in opened:
            outside = {d for m in members[step.branch] for d in deps(by_id[m]) if branch_of[d] != step.branch}
            if not outside <= done:
                return False
            # the branch's own order: its first unplaced member (in file order) goes first
        if step.branch:
            first_pending = next(m for m in members[step.branch] if m not in done)
            if first_pending != step.id:
                return False
        return True

    while len(placed) < len(steps):
        candidates = [s for s in steps if s.id not in done and ready(s)]
        if not candidates:
            stuck = sorted(s.id for s in steps if s.id not in done)
            raise PlanError(f"no order satisfies the steps' dependencies (stuck: {', '.join(stuck[:5])})")
        step = rng.choice(candidates)
        placed.append(step)
        done.add(step.id)
        if step.branch:
            opened.add(step.branch)
    return placed


# -- when -----------------------------------------------------------------------------------------------------
FIRST_MONDAY = date(2024, 2, 5)


def next_time(after: datetime, persona_id: str, rng: random.Random) -> datetime:
    """The first moment after ``after`` (plus a gap) inside the persona's habits, to the minute."""
    persona = PERSONAS[persona_id]
    moment = (after + timedelta(minutes=rng.randint(25, 190))).astimezone(persona.tz)
    for _ in range(30):
        local = moment
        start, end = persona.hours
        if in_hours(persona_id, local.hour, local.weekday()):
            return local.replace(second=rng.randint(0, 59))
        if local.hour < start and not (persona.weekdays_only and local.weekday() >= 5):
            moment = datetime.combine(local.date(), time(start), persona.tz)
        else:
            moment = datetime.combine(local.date() + timedelta(days=1), time(start), persona.tz)
        moment += timedelta(minutes=rng.randint(0, 50))
    raise PlanError(f"no time found for {persona_id}")  # unreachable with the personas' hours


# -- the whole plan --------------------------------------------------------------------------------------------
def plan_history(scenario: Scenario, difficulty: str, seed: int) -> Plan:
    rng = random.Random(f"imposter:{scenario.id}:{difficulty}:{seed}")
    steps = scenario.steps_at(difficulty)
    authors = assign_authors(steps, rng)
    order = order_steps(steps, rng)
    members: dict[str, list[str]] = {}
    for s in steps:
        if s.branch:
            members.setdefault(s.branch, []).append(s.id)

    start = datetime.combine(FIRST_MONDAY + timedelta(weeks=rng.randint(0, 36)), time(9), UTC)
    events: list[Event] = []
    clock = start

    def add(kind: str, step: str, role: str, author: str, ref: str, parents: tuple[int, ...], message: str,
            files: dict[str, str]) -> int:
        nonlocal clock
        clock = next_time(clock, author, rng) if events else start.astimezone(PERSONAS[author].tz)
        events.append(Event(len(events), kind, step, role, author, ref, parents, message, clock, files))
        return len(events) - 1

    main = add("commit", "", "base", YOU, "main", (), "Initial commit", dict(scenario.base_files))
    tips: dict[str, int] = {"main": main}
    branch_steps: dict[str, list[Step]] = {}
    names: dict[str, str] = {}
    pull_request = rng.randint(11, 40)
    for step in order:
        author = authors[step.id]
        message = step.message or render_message(author, step.type, step.scope, step.subject, step.terse, step.why)
        ref = "main"
        if step.branch:
            ref = names.setdefault(step.branch, branch_name(author, step.branch))
            if ref not in tips:
                tips[ref] = tips["main"]  # forks here
            branch_steps.setdefault(step.branch, []).append(step)
        parent = tips[ref]
        files = apply_edits(events[parent].files, step.edits_for(author), f"step {step.id}")
        tips[ref] = add("commit", step.id, step.role, author, ref, (parent,), message, files)
        if step.branch and len(branch_steps[step.branch]) == len(members[step.branch]):
            merged = events[tips["main"]].files
            for done in branch_steps[step.branch]:
                merged = apply_edits(merged, done.edits_for(authors[done.id]), f"merging step {done.id}")
            pull_request += rng.randint(1, 6)
            tips["main"] = add("merge", "", "merge", YOU, "main", (tips["main"], tips[ref]),
                               f"Merge pull request #{pull_request} from {scenario.package}-team/{ref}", merged)
    sabotage = next(e.index for e in events if e.role == "sabotage")
    decoys = tuple(e.index for e in events if e.role in ("alarm", "refactor"))
    return Plan(scenario.id, difficulty, seed, scenario.domain, tuple(events),
                tuple(sorted(authors.items())), tuple(sorted((n, tips[n]) for n in tips if n != "main")),
                events[sabotage].author, sabotage, decoys)
