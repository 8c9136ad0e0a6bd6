"""Versioned marshmallow schema of the Difficult Client truth file (``schema_version: 1``).

``load`` returns typed dataclasses from ``models.py``; any problem raises ``ValidationError`` whose
messages are keyed by the field path, which the loader turns into "file: field: reason".
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from grader.phases.difficult_client.models import (
    WORLD_KEYS,
    Constraint,
    ConstraintChange,
    Persona,
    Scenario,
    World,
    WorldTopic,
)
from grader.scenarios import ScenarioMeta

PHASE_ID = "difficult_client"
SCHEMA_VERSIONS = (1,)
NonEmpty = validate.Length(min=1)
Phrases = fields.List(fields.String(validate=NonEmpty), load_default=list)


def _check_key_facts(data: dict[str, Any], prefix: str = "") -> None:
    """Key facts belong to the full reveal only; a hint that states one would leak it early."""
    hint, reveal = data["partial_hint"].lower(), data["full_reveal"].lower()
    for fact in data.get("key_facts", []):
        if fact.lower() in hint:
            raise ValidationError(f"key fact {fact!r} appears in the partial hint", f"{prefix}partial_hint")
        if fact.lower() not in reveal:
            raise ValidationError(f"key fact {fact!r} is not stated in the full reveal", f"{prefix}key_facts")


class PersonaSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=NonEmpty)
    role = fields.String(required=True, validate=NonEmpty)
    personality = fields.String(required=True, validate=NonEmpty)
    speaking_style = fields.String(required=True, validate=NonEmpty)
    greeting = fields.String(required=True, validate=NonEmpty)
    openers = Phrases
    deflections = Phrases
    rude_reactions = Phrases
    confused_reactions = Phrases
    unknowns = Phrases

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> Persona:
        return Persona(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


class ChangeSchema(Schema):
    class Meta:
        unknown = RAISE

    after_turn = fields.Integer(required=True, validate=validate.Range(min=1, max=30))
    description = fields.String(required=True, validate=NonEmpty)
    announcement = fields.String(required=True, validate=NonEmpty)
    notice_triggers = fields.List(fields.String(validate=NonEmpty), required=True, validate=NonEmpty)
    partial_hint = fields.String(required=True, validate=NonEmpty)
    full_reveal = fields.String(required=True, validate=NonEmpty)
    key_facts = fields.List(fields.String(validate=NonEmpty), required=True, validate=NonEmpty)
    acknowledge = fields.String(load_default="")

    @validates_schema
    def facts(self, data: dict[str, Any], **_: Any) -> None:
        _check_key_facts(data)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> ConstraintChange:
        return ConstraintChange(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


class ConstraintSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$",
                                                               error="must be snake_case letters and digits"))
    topic = fields.String(required=True, validate=NonEmpty)
    description = fields.String(required=True, validate=NonEmpty)
    triggers = fields.List(fields.String(validate=NonEmpty), required=True, validate=NonEmpty)
    partial_hint = fields.String(required=True, validate=NonEmpty)
    full_reveal = fields.String(required=True, validate=NonEmpty)
    weight = fields.Float(required=True, validate=validate.Range(min=0.5, max=10))
    key_facts = fields.List(fields.String(validate=NonEmpty), required=True, validate=NonEmpty)
    change = fields.Nested(ChangeSchema, load_default=None)
    acknowledge = fields.String(load_default="")

    @validates_schema
    def facts(self, data: dict[str, Any], **_: Any) -> None:
        _check_key_facts(data)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> Constraint:
        return Constraint(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


class WorldTopicSchema(Schema):
    class Meta:
        unknown = RAISE

    asks = fields.List(fields.String(validate=NonEmpty), required=True, validate=NonEmpty)
    answer = fields.String(required=True, validate=NonEmpty)
    leads = fields.String(load_default=None)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> WorldTopic:
        return WorldTopic(asks=tuple(data["asks"]), answer=data["answer"], leads=data["leads"])


class WorldSchema(Schema):
    class Meta:
        unknown = RAISE

    business = fields.String(required=True, validate=NonEmpty)
    day = fields.String(required=True, validate=NonEmpty)
    people = fields.String(required=True, validate=NonEmpty)
    last_time = fields.String(required=True, validate=NonEmpty)
    success = fields.String(required=True, validate=NonEmpty)
    dont_care = fields.String(required=True, validate=NonEmpty)
    leads = fields.Dict(keys=fields.String(validate=validate.OneOf(WORLD_KEYS)), values=fields.String(),
                        load_default=dict)
    extra = fields.List(fields.Nested(WorldTopicSchema), load_default=list)

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> World:
        return World(**{**data, "extra": tuple(data["extra"])})


class DifficultClientSchema(Schema):
    class Meta:
        unknown = RAISE

    schema_version = fields.Integer(required=True, validate=validate.OneOf(SCHEMA_VERSIONS))
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    title = fields.String(required=True, validate=NonEmpty)
    summary = fields.String(required=True, validate=NonEmpty)
    difficulty = fields.String(required=True, validate=validate.OneOf(("easy", "medium", "hard")))
    unlock_fraction = fields.Float(load_default=0.8, validate=validate.Range(min=0.1, max=1.0))
    persona = fields.Nested(PersonaSchema, required=True)
    constraints = fields.List(fields.Nested(ConstraintSchema), required=True, validate=validate.Length(min=4, max=6))
    # The Code Crucible task the coding task is built from (whether it is served is the Crucible's bank's business:
    # a test checks every shipped scenario's, and the picker lists the languages it is verified in).
    task = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$",
                                                                 error="must name a Code Crucible task id"))
    world = fields.Nested(WorldSchema, load_default=None)

    @validates_schema
    def unique_ids(self, data: dict[str, Any], **_: Any) -> None:
        ids = [c.id for c in data.get("constraints", [])]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValidationError(f"duplicate constraint id(s): {', '.join(dupes)}", "constraints")
        world = data.get("world")
        if world is not None:
            for key, target in world.leads.items():
                if target not in ids:
                    raise ValidationError(f"world.leads.{key} names an unknown constraint {target!r}", "world")
            for topic in world.extra:
                if topic.leads is not None and topic.leads not in ids:
                    raise ValidationError(f"world.extra leads to an unknown constraint {topic.leads!r}", "world")
            facts = [f for c in data.get("constraints", []) for f in
                     (*c.key_facts, *(c.change.key_facts if c.change else ()))]
            for text in world.texts():
                for fact in facts:
                    if fact.lower() in text.lower():
                        raise ValidationError(f"the world states the key fact {fact!r}", "world")

    @post_load
    def build(self, data: dict[str, Any], **_: Any) -> Scenario:
        meta = ScenarioMeta(phase=PHASE_ID, id=data["id"], title=data["title"],
                            persona_name=data["persona"].name, difficulty=data["difficulty"],
                            summary=data["summary"])  # languages: the task's, filled in by list_scenarios
        return Scenario(schema_version=data["schema_version"], meta=meta, persona=data["persona"],
                        constraints=tuple(data["constraints"]), task=data["task"],
                        unlock_fraction=data["unlock_fraction"], world=data["world"])

