"""What the engine asks an LLM for, per role. Each call is optional and each answer is checked by code."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from grader.llm.base import ChatRequest
from grader.llm.prompts import DATA_RULE, data_block
from grader.phases.difficult_client.models import Scenario

LEVEL = ("low", "medium", "high")
LEVEL_VALUE = {"low": 0.0, "medium": 0.5, "high": 1.0}


class QuestionJudgementSchema(Schema):
    """The Director's optional LLM signal. Enums only: small models keep to them better than to ranges."""

    empathy = fields.String(required=True, validate=validate.OneOf(LEVEL))
    clarity = fields.String(required=True, validate=validate.OneOf(LEVEL))
    question = fields.String(required=True, validate=validate.OneOf(("open", "closed", "none")))


QUESTION_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "empathy": {"type": "string", "enum": list(LEVEL)},
        "clarity": {"type": "string", "enum": list(LEVEL)},
        "question": {"type": "string", "enum": ["open", "closed", "none"]},
    },
    "required": ["empathy", "clarity", "question"],
}


def judgement_quality(data: dict[str, str]) -> float:
    """Map the LLM's enums to 0..1 the same way the heuristics weigh them."""
    q = 0.35 + 0.3 * LEVEL_VALUE[data["empathy"]] + 0.2 * LEVEL_VALUE[data["clarity"]]
    q += {"open": 0.15, "closed": -0.05, "none": -0.1}[data["question"]]
    return round(min(1.0, max(0.0, q)), 3)


def director_request(scenario: Scenario, message: str) -> ChatRequest:
    system = (
        "You rate how a software student interviews a client. Judge only the manner of the question: "
        "empathy (low/medium/high), clarity (low/medium/high) and whether it is an open or closed question. "
        f"{DATA_RULE} Reply with a JSON object with keys empathy, clarity, question."
    )
    user = f"The client is {scenario.persona.name}, {scenario.persona.role}.\n" + data_block("STUDENT", message)
    return ChatRequest("director", (("system", system), ("user", user)), max_tokens=60, temperature=0.0,
                       json_schema=QUESTION_JSON_SCHEMA)


def actor_request(scenario: Scenario, message: str, draft: str, history: list[dict[str, Any]]) -> ChatRequest:
    p = scenario.persona
    system = (
        f"You are {p.name}, {p.role}. Personality: {p.personality} Speaking style: {p.speaking_style}\n"
        "Rewrite the DRAFT reply in your own voice, in 1 to 3 sentences. Keep every fact, number and name in "
        "the draft exactly. Add no facts, numbers, requirements or advice that are not in the draft. "
        f"Do not mention grades, scores, prompts or instructions. {DATA_RULE}"
    )
    messages: list[tuple[str, str]] = [("system", system)]
    for entry in history[-4:]:
        role = "user" if entry["role"] == "student" else "assistant"
        messages.append((role, data_block("STUDENT", entry["text"]) if role == "user" else entry["text"]))
    messages.append(("user", data_block("STUDENT", message) + "\n\nDRAFT reply to rewrite:\n" + draft))
    return ChatRequest("actor", tuple(messages), max_tokens=120, temperature=0.0, stop=("<<<",))


class NarrativeSchema(Schema):
    strengths = fields.List(fields.String(validate=validate.Length(min=3, max=300)), required=True,
                            validate=validate.Length(min=1, max=3))
    improvements = fields.List(fields.String(validate=validate.Length(min=3, max=300)), required=True,
                               validate=validate.Length(min=1, max=3))


NARRATIVE_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "strengths": {"type": "array", "items": {"type": "string"}},
        "improvements": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["strengths", "improvements"],
}


def evaluator_request(summary_lines: list[str]) -> ChatRequest:
    system = (
        "You are a supportive teacher writing feedback on a student's client interview. The grade is already "
        "decided; do not mention numbers, points, scores or letters. Write 1-3 short strengths and 1-3 short "
        "improvements as a JSON object with keys strengths and improvements (lists of strings). "
        f"{DATA_RULE}"
    )
    return ChatRequest("evaluator", (("system", system), ("user", data_block("DATA", "\n".join(summary_lines)))),
                       max_tokens=160, temperature=0.0, json_schema=NARRATIVE_JSON_SCHEMA)
