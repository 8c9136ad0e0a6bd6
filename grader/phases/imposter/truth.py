"""Truth files: ``scenarios/<id>/scenario.yaml`` plus ``scenarios/<id>/base/`` (the project as "You" first
committed it), and ``chores.yaml`` (housekeeping commits every project gets, written once for all).

A scenario is a small realistic Python project (standard library only, ``unittest`` tests) and the feature its
team built over the history, as **steps**: each a commit's worth of edits with its words (type, scope, subject,
a terse line and why) that the author's style turns into a message (``personas.render_message``). Exactly one
step is the **sabotage** — a plausible change by one of its candidate authors with a subtle bug in ``bug`` —
and some are decoys: ``alarm`` (an alarming message over a harmless change) and ``refactor`` (a refactor
touching the sabotaged file). ``fix`` is a hand fix of the bug on the final code (for verification and the
scripted students) and ``probes`` are the checks run against the shared remote's head when grading: Python
snippets whose last line is an expression, with the expected JSON value (which never enters the sandbox).

Everything here is ground truth: server-side only. ``meta`` and ``team`` are the public parts.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from grader.phases.imposter.personas import COMMIT_TYPES, PERSONA_IDS, TEAMMATES
from grader.phases.options import DIFFICULTIES
from grader.scenarios import ScenarioError, ScenarioMeta, parse_truth_file

PHASE_ID = "imposter"
HERE = Path(__file__).resolve().parent
SCENARIOS_DIR = HERE / "scenarios"
CHORES_FILE = HERE / "chores.yaml"
ROLES = ("feature", "sabotage", "alarm", "refactor")
DECOY_ROLES = ("alarm", "refactor")
# Bumped whenever the generator changes what a seed produces: it is part of every scenario's digest, so the
# bank goes stale (and CI says so) instead of serving seeds verified against other repositories.
GENERATOR_VERSION = 1
NAME = r"[a-z][a-z0-9_]*"
TOPIC = r"[a-z][a-z0-9-]*"


@dataclass(frozen=True)
class Edit:
    file: str
    op: str  # create | replace | append | delete
    text: str = ""  # create/append: the text; replace: the old text (exactly once in the file)
    new: str = ""  # replace: what it becomes


@dataclass(frozen=True)
class Step:
    id: str
    authors: tuple[str, ...]  # candidates; the seed picks one (the sabotage's candidates "fit its style")
    role: str
    level: str  # the lowest difficulty that includes it
    after: tuple[str, ...]
    branch: str  # a topic: the step goes on the author's branch <prefix>/<topic> ("" = main)
    type: str
    scope: str
    subject: str
    terse: str
    why: str
    edits: tuple[Edit, ...]
    bug: tuple[Edit, ...] = ()  # the sabotage's bug, committed together with its edits
    variants: tuple[tuple[str, tuple[Edit, ...]], ...] = ()  # per author: other edits (their naming habits)
    message: str = ""  # a literal message (steps by "You" only)
    last: bool = False  # comes after every other step (the release)

    def edits_for(self, author: str) -> tuple[Edit, ...]:
        return dict(self.variants).get(author, self.edits) + self.bug


@dataclass(frozen=True)
class Probe:
    name: str
    code: str
    expected: Any


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    incident: str  # public: what production saw (the symptom, never the cause)
    package: str
    domain: str
    bug_kind: str
    bug: str
    team: tuple[tuple[str, str], ...]  # (teammate, their area in this project) — public
    steps: tuple[Step, ...]
    fix: tuple[Edit, ...]
    probes: tuple[Probe, ...]
    base_files: tuple[tuple[str, str], ...] = ()
    digest: str = ""
    difficulty: str = "medium"  # as listed in the catalogue

    @property
    def sabotage(self) -> Step:
        return next(s for s in self.steps if s.role == "sabotage")

    @property
    def meta(self) -> ScenarioMeta:
        return ScenarioMeta(phase=PHASE_ID, id=self.id, title=self.title, persona_name="", difficulty=self.difficulty,
                            summary=self.summary, languages=("python",))

    def steps_at(self, difficulty: str) -> tuple[Step, ...]:
        rank = DIFFICULTIES.index(difficulty)
        return tuple(s for s in self.steps if DIFFICULTIES.index(s.level) <= rank)


# -- schema -----------------------------------------------------------------------------------------------------
class EditSchema(Schema):
    class Meta:
        unknown = RAISE

    file = fields.String(required=True, validate=validate.Regexp(r"[A-Za-z0-9_.{][A-Za-z0-9_./{}-]*"))
    create = fields.String()
    replace = fields.String()
    # "with" is a keyword; the YAML says ``with:``
    with_ = fields.String(data_key="with")
    append = fields.String()
    delete = fields.Boolean()

    @validates_schema
    def one_op(self, data: dict[str, Any], **_: Any) -> None:
        ops = [k for k in ("create", "replace", "append", "delete") if k in data]
        if len(ops) != 1:
            raise ValidationError("give exactly one of create, replace, append, delete")
        if ("replace" in data) != ("with_" in data):
            raise ValidationError("replace needs with (and with needs replace)")
        if ".." in data["file"].split("/") or data["file"].startswith((".git/", "/")) or data["file"] == ".git":
            raise ValidationError("a file inside the project")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Edit:
        if "create" in data:
            return Edit(data["file"], "create", data["create"])
        if "replace" in data:
            return Edit(data["file"], "replace", data["replace"], data["with_"])
        if "append" in data:
            return Edit(data["file"], "append", data["append"])
        return Edit(data["file"], "delete")


class StepSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(NAME))
    author = fields.Raw(required=True)
    role = fields.String(load_default="feature", validate=validate.OneOf(ROLES))
    level = fields.String(load_default="easy", validate=validate.OneOf(DIFFICULTIES))
    after = fields.List(fields.String(validate=validate.Regexp(NAME)), load_default=list)
    branch = fields.String(load_default="", validate=validate.Regexp(rf"(?:{TOPIC})?"))
    type = fields.String(load_default="chore", validate=validate.OneOf(COMMIT_TYPES))
    scope = fields.String(load_default="", validate=validate.Regexp(r"(?:[a-z0-9-]+)?"))
    subject = fields.String(load_default="", validate=validate.Length(max=70))
    terse = fields.String(load_default="", validate=validate.Length(max=50))
    why = fields.String(load_default="", validate=validate.Length(max=400))
    message = fields.String(load_default="")
    last = fields.Boolean(load_default=False)
    edits = fields.List(fields.Nested(EditSchema), required=True, validate=validate.Length(min=1))
    bug = fields.List(fields.Nested(EditSchema), load_default=list)
    variants = fields.Dict(keys=fields.String(validate=validate.OneOf(TEAMMATES)),
                           values=fields.List(fields.Nested(EditSchema)), load_default=dict)

    @validates_schema
    def words(self, data: dict[str, Any], **_: Any) -> None:
        authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
        if not authors or any(a not in PERSONA_IDS for a in authors) or len(set(authors)) != len(authors):
            raise ValidationError(f"author: one of {', '.join(PERSONA_IDS)} or a list of them", "author")
        if "you" in authors:
            if len(authors) != 1 or not data["message"]:
                raise ValidationError("a step by you has only you as author and a literal message", "message")
            return
        if data["message"]:
            raise ValidationError("only steps by you have a literal message (teammates' follow their style)",
                                  "message")
        if not (data["scope"] and data["subject"] and data["terse"] and data["why"]):
            raise ValidationError("a teammate's step needs scope, subject, terse and why", "subject")
        if data["subject"] != data["subject"].lower() or data["subject"].endswith("."):
            raise ValidationError("subject: lower case, no final period (the styles add their own)", "subject")
        if data["terse"] != data["terse"].lower() or data["terse"].endswith("."):
            raise ValidationError("terse: lower case, no final period", "terse")
        why = data["why"]
        if "\n" in why or not why[:1].isupper() or not why.endswith((".", "!", "?")):
            raise ValidationError("why: one sentence or two on one line, capitalised, ending in a period", "why")
        if data["bug"] and data["role"] != "sabotage":
            raise ValidationError("only the sabotage has a bug", "bug")
        if data["role"] == "sabotage" and not data["bug"]:
            raise ValidationError("the sabotage needs its bug", "bug")
        stray = set(data["variants"]) - set(authors)
        if stray:
            raise ValidationError(f"variants for non-authors: {', '.join(sorted(stray))}", "variants")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Step:
        authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
        return Step(data["id"], tuple(authors), data["role"], data["level"], tuple(data["after"]), data["branch"],
                    data["type"], data["scope"], data["subject"], data["terse"], data["why"], tuple(data["edits"]),
                    tuple(data["bug"]), tuple((k, tuple(v)) for k, v in sorted(data["variants"].items())),
                    data["message"], data["last"])


def _expression_last(code: str) -> None:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValidationError(f"not valid Python: {exc.msg} (line {exc.lineno})") from None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ValidationError("Python whose last line is an expression (the value compared)")


class ProbeSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    code = fields.String(required=True, validate=_expression_last)
    expected = fields.Raw(required=True, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Probe:
        return Probe(data["name"], data["code"], data["expected"])


class ScenarioSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(NAME))
    title = fields.String(required=True, validate=validate.Length(min=3, max=80))
    summary = fields.String(required=True, validate=validate.Length(min=10, max=300))
    incident = fields.String(required=True, validate=validate.Length(min=10, max=400))
    difficulty = fields.String(load_default="medium", validate=validate.OneOf(DIFFICULTIES))
    package = fields.String(required=True, validate=validate.Regexp(NAME))
    domain = fields.String(required=True, validate=validate.Regexp(r"[a-z0-9-]+(\.[a-z0-9-]+)+"))
    bug_kind = fields.String(required=True, validate=validate.Regexp(NAME))
    bug = fields.String(required=True, validate=validate.Length(min=10))
    team = fields.Dict(keys=fields.String(validate=validate.OneOf(TEAMMATES)), values=fields.String(), required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True, validate=validate.Length(min=8))
    fix = fields.List(fields.Nested(EditSchema), required=True, validate=validate.Length(min=1))
    probes = fields.List(fields.Nested(ProbeSchema), required=True, validate=validate.Length(min=2))

    @validates_schema
    def whole(self, data: dict[str, Any], **_: Any) -> None:
        if set(data["team"]) != set(TEAMMATES):
            raise ValidationError("every teammate has an area", "team")
        check_steps(data["steps"])

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Scenario:
        return Scenario(data["id"], data["title"], data["summary"], data["incident"].strip(), data["package"],
                        data["domain"], data["bug_kind"],
                        data["bug"].strip(), tuple((t, data["team"][t]) for t in TEAMMATES), tuple(data["steps"]),
                        tuple(data["fix"]), tuple(data["probes"]), difficulty=data["difficulty"])


def check_steps(steps: list[Step], chores: tuple[Step, ...] | None = None) -> None:
    """Ids unique, dependencies known (a cycle shows when a history is planned), one sabotage, the decoys."""
    ids = [s.id for s in steps]
    every = ids + [c.id for c in (chores if chores is not None else ())]
    if len(set(every)) != len(every):
        raise ValidationError("step ids must be unique (chores included)", "steps")
    known = set(every)
    for step in steps:
        missing = [a for a in step.after if a not in known]
        if missing:
            raise ValidationError(f"step {step.id} comes after unknown step(s) {', '.join(missing)}", "steps")
    sabotage = [s for s in steps if s.role == "sabotage"]
    if len(sabotage) != 1 or sabotage[0].level != "easy":
        raise ValidationError("exactly one sabotage, at every difficulty (level easy)", "steps")
    if sabotage[0].branch:
        branch_steps = [s for s in steps if s.branch == sabotage[0].branch]
        if any(set(s.authors) != set(sabotage[0].authors) for s in branch_steps):
            raise ValidationError("the steps on the sabotage's branch share its candidate authors", "steps")
    if not any(s.role == "alarm" and s.level == "easy" for s in steps):
        raise ValidationError("an alarming decoy at every difficulty", "steps")
    if not any(s.role == "refactor" and s.level in ("easy", "medium") for s in steps):
        raise ValidationError("a refactor decoy from medium up", "steps")
    for step in steps:
        if step.branch and len({tuple(s.authors) for s in steps if s.branch == step.branch}) != 1:
            raise ValidationError(f"every step on branch {step.branch} has the same author(s)", "steps")


class ChoresSchema(Schema):
    class Meta:
        unknown = RAISE

    chores = fields.List(fields.Nested(StepSchema), required=True)


# -- loading ----------------------------------------------------------------------------------------------------
def scenario_ids() -> list[str]:
    return sorted(p.name for p in SCENARIOS_DIR.iterdir() if (p / "scenario.yaml").is_file())


def _file_texts(folder: Path) -> list[tuple[str, str]]:
    return sorted((p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8"))
                  for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@lru_cache(maxsize=1)
def load_chores() -> tuple[Step, ...]:
    data = parse_truth_file(CHORES_FILE.read_text(encoding="utf-8"), ChoresSchema, file=f"{PHASE_ID}/chores.yaml")
    return tuple(data["chores"])


def fill(text: str, values: dict[str, str]) -> str:
    """``{{name}}`` placeholders (chores are written once for every project)."""
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def _fill_step(step: Step, values: dict[str, str]) -> Step:
    def edit(e: Edit) -> Edit:
        return Edit(fill(e.file, values), e.op, fill(e.text, values), fill(e.new, values))

    return Step(step.id, step.authors, step.role, step.level, step.after, step.branch, step.type, step.scope,
                fill(step.subject, values), fill(step.terse, values), fill(step.why, values),
                tuple(edit(e) for e in step.edits), (), (), step.message, step.last)


@lru_cache(maxsize=32)
def _load(scenario_id: str, stamp: float) -> Scenario:
    folder = SCENARIOS_DIR / scenario_id
    file = f"{PHASE_ID}/{scenario_id}/scenario.yaml"
    scenario: Scenario = parse_truth_file((folder / "scenario.yaml").read_text(encoding="utf-8"), ScenarioSchema,
                                          file=file, expected_id=scenario_id)
    base = _file_texts(folder / "base")
    if not base:
        raise ScenarioError(file, "base", "the project's first commit (base/) is empty")
    values = {"package": scenario.package, "title": scenario.title}
    chores = tuple(_fill_step(c, values) for c in load_chores())
    try:
        check_steps(list(scenario.steps), chores)
    except ValidationError as exc:
        raise ScenarioError(file, "steps", str(exc.messages)) from None
    digest = hashlib.sha256()
    digest.update(f"generator {GENERATOR_VERSION}\n".encode())
    for name, text in [*_file_texts(folder), ("../chores.yaml", CHORES_FILE.read_text(encoding="utf-8"))]:
        digest.update(f"{len(name)}:{name}{len(text.encode())}:".encode() + text.encode())
    return Scenario(scenario.id, scenario.title, scenario.summary, scenario.incident, scenario.package, scenario.domain,
                    scenario.bug_kind, scenario.bug, scenario.team, (*scenario.steps, *chores), scenario.fix,
                    scenario.probes, tuple(base), digest.hexdigest(), scenario.difficulty)


def load_scenario(scenario_id: str) -> Scenario:
    """A scenario with its chores folded in; raises ``ScenarioError`` naming the file, field and reason."""
    if not isinstance(scenario_id, str) or not scenario_id.isidentifier() or scenario_id != scenario_id.lower():
        raise ScenarioError(f"{PHASE_ID}/{scenario_id!s:.40}", "id", "scenario ids are lower-case identifiers")
    folder = SCENARIOS_DIR / scenario_id
    if not (folder / "scenario.yaml").is_file():
        raise ScenarioError(f"{PHASE_ID}/{scenario_id}", "id", f"no scenario {scenario_id!r}")
    stamp = max(p.stat().st_mtime for p in [CHORES_FILE, *folder.rglob("*")])
    return _load(scenario_id, stamp)

