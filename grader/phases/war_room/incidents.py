"""The incidents: ``incidents/<id>/incident.yaml`` (the truth) beside ``system/`` (the service's files that differ
from the shared service in ``service/``), ``check/check.py`` (decides from the system's behaviour whether it is
fixed) and ``fix.sh`` (the reference fix, run as commands in verification).

``load_incident`` validates the truth file with marshmallow and the files against it, and raises
``ScenarioError`` naming the file, the field and the reason. An ``Incident`` is hidden truth: server-side only.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from grader.phases.options import DIFFICULTIES
from grader.scenarios import ScenarioError, ScenarioMeta, parse_truth_file

PHASE_ID = "war_room"
HERE = Path(__file__).resolve().parent
INCIDENTS_DIR = HERE / "incidents"
SERVICE_DIR = HERE / "service"
PRESSURE_FRACTIONS = (0.8, 0.5, 0.1)  # of the time left, when the CTO's pressure lines are due
LOG_FILES = ("app.log", "access.log", "kern.log", "service.out")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"not a valid regular expression: {exc}") from None


class ByDifficulty(fields.Field):
    """A text for every difficulty: one string for all, or a mapping easy/medium/hard (each required)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, str]:
        if isinstance(value, str) and value.strip():
            return dict.fromkeys(DIFFICULTIES, value.strip())
        if isinstance(value, dict) and set(value) == set(DIFFICULTIES) and all(
                isinstance(v, str) and v.strip() for v in value.values()):
            return {k: str(v).strip() for k, v in value.items()}
        raise ValidationError("a non-empty string, or one for each of easy, medium and hard")


class PatternSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(_ID))
    says = fields.String(required=True, validate=validate.Length(min=3, max=200))
    patterns = fields.List(fields.String(validate=_regex), required=True, validate=validate.Length(min=1))


class FixSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(_ID))
    says = fields.String(required=True, validate=validate.Length(min=3, max=300))


class BruteForceSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(_ID))
    says = fields.String(required=True, validate=validate.Length(min=3, max=300))
    # A changing command, or a line an edit adds, matching one of ``patterns`` is the move; so is a line an
    # edit removes matching one of ``removed`` (re.search, case-insensitive).
    patterns = fields.List(fields.String(validate=_regex), required=True, validate=validate.Length(min=1))
    removed = fields.List(fields.String(validate=_regex), load_default=list)
    # Verification runs the reference fix, then this, and requires the check not to pass (and to report
    # ``finding`` when given): a move that works for customers but breaks something else is caught.
    verify = fields.String(load_default="")
    finding = fields.String(load_default="")  # the finding the check must report after ``verify``, if any


class DeploySchema(Schema):
    class Meta:
        unknown = RAISE

    at = fields.AwareDateTime(required=True, format="iso")
    version = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$"))
    by = fields.String(required=True, validate=validate.Length(min=1, max=40))
    kind = fields.String(load_default="deploy", validate=validate.OneOf(("deploy", "config", "rollback", "ci")))
    note = ByDifficulty(required=True)


class LogLineSchema(Schema):
    class Meta:
        unknown = RAISE

    at = fields.List(fields.String(validate=validate.Regexp(r"^\d\d:\d\d:\d\d$")), required=True,
                     validate=validate.Length(min=1))
    file = fields.String(required=True, validate=validate.OneOf(LOG_FILES))
    text = fields.String(required=True, validate=validate.Length(min=1, max=400))
    difficulties = fields.List(fields.String(validate=validate.OneOf(DIFFICULTIES)), load_default=list(DIFFICULTIES))


class SymptomSchema(Schema):
    """Customer traffic from ``start`` on gets ``status`` on the affected routes (and an app.log line each)."""

    class Meta:
        unknown = RAISE

    start = fields.String(required=True, validate=validate.Regexp(r"^\d\d:\d\d:\d\d$"))
    methods = fields.List(fields.String(validate=validate.OneOf(("GET", "POST"))), load_default=["GET", "POST"])
    status = fields.Integer(required=True, validate=validate.Range(min=200, max=599))
    health = fields.Integer(load_default=200, validate=validate.Range(min=200, max=599))  # the LB's /health
    app_line = fields.String(load_default="")
    app_line_in = fields.List(fields.String(validate=validate.OneOf(DIFFICULTIES)), load_default=list(DIFFICULTIES))


class LogsSchema(Schema):
    class Meta:
        unknown = RAISE

    symptom = fields.Nested(SymptomSchema, load_default=None)
    events = fields.List(fields.Nested(LogLineSchema), load_default=list)


class CtoSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=2, max=60))
    opening = ByDifficulty(required=True)
    pressure = fields.Dict(keys=fields.String(validate=validate.OneOf(tuple(str(f) for f in PRESSURE_FRACTIONS))),
                           values=fields.String(validate=validate.Length(min=3, max=300)), required=True)
    knows = fields.Dict(keys=fields.String(validate=validate.OneOf(("recent_changes", "impact", "started", "status",
                                                                     "access", "history"))),
                        values=fields.String(validate=validate.Length(min=3, max=400)), required=True)
    # Never in anything the CTO says (offline or LLM): the root cause and the fix, as regular expressions.
    forbidden = fields.List(fields.String(validate=_regex), required=True, validate=validate.Length(min=1))

    @validates_schema
    def complete(self, data: dict[str, Any], **_: Any) -> None:
        missing = [str(f) for f in PRESSURE_FRACTIONS if str(f) not in data.get("pressure", {})]
        if missing:
            raise ValidationError(f"a pressure line is needed at each of {', '.join(missing)}", "pressure")
        for key in ("recent_changes", "impact", "started", "status"):
            if key not in data.get("knows", {}):
                raise ValidationError(f"the CTO needs to know {key}", "knows")


class EditSchema(Schema):
    """A text replacement in a file of the shared service (exactly one occurrence)."""

    class Meta:
        unknown = RAISE

    file = fields.String(required=True)
    find = fields.String(required=True, validate=validate.Length(min=1))
    replace = fields.String(required=True)


class ReleaseSchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$"))
    edits = fields.List(fields.Nested(EditSchema), load_default=list)


class SystemSchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$"))
    edits = fields.List(fields.Nested(EditSchema), load_default=list)  # the running release's code
    # Earlier releases kept on the box (releases/<version>/app), each the shared app with its own edits.
    releases = fields.List(fields.Nested(ReleaseSchema), load_default=list)
    traffic_per_command = fields.Integer(load_default=0, validate=validate.Range(min=0, max=200))
    # [logging] level of the running service per difficulty (hard hides the INFO lines that give it away).
    log_level = ByDifficulty(load_default=None)
    restarts = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))
    # When the incident's files (system/ and the edits) last changed (default: the last deploy).
    changed_at = fields.AwareDateTime(load_default=None, format="iso")
    cache_entries = fields.Dict(keys=fields.String(validate=validate.OneOf(DIFFICULTIES)),
                                values=fields.Integer(validate=validate.Range(min=0, max=400)), load_default=dict)


class IncidentSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(_ID))
    title = fields.String(required=True, validate=validate.Length(min=3, max=80))
    summary = fields.String(required=True, validate=validate.Length(min=3, max=300))
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    incident_time = fields.AwareDateTime(required=True, format="iso")
    root_cause = fields.String(required=True, validate=validate.Length(min=20, max=500))
    concepts = fields.List(fields.Nested(PatternSchema), required=True, validate=validate.Length(min=2, max=4))
    key_facts = fields.List(fields.Nested(PatternSchema), required=True, validate=validate.Length(min=1, max=4))
    prevention = fields.List(fields.Nested(PatternSchema), load_default=list)
    fixes = fields.List(fields.Nested(FixSchema), required=True, validate=validate.Length(min=1))
    # The incident's own brute-force moves (the common ones, e.g. deleting the config, are in ``moves``).
    brute_force = fields.List(fields.Nested(BruteForceSchema), load_default=list)
    deploys = fields.List(fields.Nested(DeploySchema), required=True, validate=validate.Length(min=1))
    logs = fields.Nested(LogsSchema, required=True)
    red_herrings = fields.List(fields.Nested(LogLineSchema), load_default=list)
    cto = fields.Nested(CtoSchema, required=True)
    system = fields.Nested(SystemSchema, required=True)

    @validates_schema
    def unique_ids(self, data: dict[str, Any], **_: Any) -> None:
        for key in ("concepts", "key_facts", "fixes", "brute_force"):
            ids = [item["id"] for item in data.get(key, [])]
            if len(ids) != len(set(ids)):
                raise ValidationError("ids must be unique", key)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return data


@dataclass(frozen=True)
class Incident:
    """One incident: the truth (``data``, as validated) and its files. Hidden: never sent to a student."""

    id: str
    data: dict[str, Any]
    overlay: tuple[tuple[str, bytes], ...]  # system/ files: (path in the workspace, content)
    executables: tuple[str, ...]  # overlay paths that are executable
    check_source: str
    fix_script: str
    digest: str

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def summary(self) -> str:
        return str(self.data["summary"])

    @property
    def incident_time(self) -> datetime:
        return self.data["incident_time"].astimezone(UTC)

    @property
    def root_cause(self) -> str:
        return str(self.data["root_cause"])

    @property
    def fix_ids(self) -> tuple[str, ...]:
        return tuple(f["id"] for f in self.data["fixes"])

    @property
    def cto(self) -> dict[str, Any]:
        return self.data["cto"]  # type: ignore[no-any-return]

    def fix_words(self, fix_id: str | None) -> str:
        return next((f["says"] for f in self.data["fixes"] if f["id"] == fix_id), "")

    @property
    def meta(self) -> ScenarioMeta:
        return ScenarioMeta(phase=PHASE_ID, id=self.id, title=self.title, persona_name=self.cto["name"],
                            difficulty=self.data["difficulty"], summary=self.summary)


def _edit_problem(text: str, edit: dict[str, Any]) -> str:
    count = text.count(edit["find"])
    return "" if count == 1 else f"{edit['find'][:60]!r} occurs {count} times in {edit['file']}, not once"


def service_files() -> dict[str, bytes]:
    """The shared service: every file under service/, by its path in the workspace."""
    return {str(p.relative_to(SERVICE_DIR)): p.read_bytes() for p in sorted(SERVICE_DIR.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _digest(parts: dict[str, bytes]) -> str:
    material = hashlib.sha256()
    for name in sorted(parts):
        material.update(name.encode() + b"\0" + hashlib.sha256(parts[name]).digest())
    return material.hexdigest()


def parse_incident(text: str, folder: Path, *, name: str, expected_id: str | None = None) -> Incident:
    """Validate ``text`` (the truth file) and the files of ``folder`` against it."""
    file = f"{PHASE_ID}/{name}/incident.yaml"
    data = parse_truth_file(text, IncidentSchema, file=file, expected_id=None)
    if expected_id is not None and data["id"] != expected_id:
        raise ScenarioError(file, "id", f"{data['id']!r} does not match the folder name {expected_id!r}")
    shared = service_files()
    edits = [("system.edits", e) for e in data["system"]["edits"]]
    edits += [(f"system.releases.{r['version']}", e) for r in data["system"]["releases"] for e in r["edits"]]
    for where, edit in edits:
        if edit["file"] not in shared:
            raise ScenarioError(file, where, f"{edit['file']} is not a file of the shared service")
        problem = _edit_problem(shared[edit["file"]].decode(), edit)
        if problem:
            raise ScenarioError(file, where, problem)
    system = folder / "system"
    overlay = tuple((str(p.relative_to(system)), p.read_bytes()) for p in sorted(system.rglob("*"))
                    if p.is_file() and "__pycache__" not in p.parts) if system.is_dir() else ()
    # Tools in bin/ run whatever mode an installed copy of the package kept.
    executables = tuple(path for path, _ in overlay
                        if path.startswith("bin/") or (system / path).stat().st_mode & 0o111)
    check, fix = folder / "check" / "check.py", folder / "fix.sh"
    for required in (check, fix):
        if not required.is_file():
            raise ScenarioError(file, "(files)", f"{required.relative_to(folder)} is missing")
    check_source, fix_script = check.read_text(encoding="utf-8"), fix.read_text(encoding="utf-8")
    try:
        compile(check_source, str(check), "exec")
    except SyntaxError as exc:
        raise ScenarioError(f"{PHASE_ID}/{name}/check/check.py", f"line {exc.lineno}",
                            exc.msg or "syntax error") from None
    parts = {"incident.yaml": text.encode(), "check.py": check_source.encode(), "fix.sh": fix_script.encode(),
             **{f"system/{p}": c for p, c in overlay}, **{f"service/{p}": c for p, c in shared.items()}}
    return Incident(data["id"], data, overlay, executables, check_source, fix_script, _digest(parts))


def incident_ids() -> list[str]:
    return sorted(p.parent.name for p in INCIDENTS_DIR.glob("*/incident.yaml"))


@lru_cache(maxsize=32)
def load_incident(incident_id: str) -> Incident:
    """One incident with its files (cached; they do not change while a process runs)."""
    if not _ID.match(incident_id or ""):
        raise ScenarioError(f"{PHASE_ID}/{incident_id}", "id", "incident ids are lower-case letters, digits and _")
    folder = INCIDENTS_DIR / incident_id
    if not (folder / "incident.yaml").is_file():
        raise ScenarioError(f"{PHASE_ID}/{incident_id}/incident.yaml", "id", f"no incident {incident_id!r}")
    return parse_incident((folder / "incident.yaml").read_text(encoding="utf-8"), folder, name=incident_id,
                          expected_id=incident_id)


def list_incidents() -> list[ScenarioMeta]:
    """Public metadata of every incident (for the picker): never the cause."""
    return [load_incident(i).meta for i in incident_ids()]


def truth_json(incident: Incident) -> str:
    """What the check needs of the truth, as JSON (sandbox side)."""
    return json.dumps({"id": incident.id, "fixes": list(incident.fix_ids)})
