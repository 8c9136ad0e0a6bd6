"""Structured replies: ask for JSON, validate it with a marshmallow schema, repair once, else give up.

``structured_call`` returns ``StructuredResult(data=None, ...)`` whenever the model's reply cannot be made
valid; the caller then uses its offline result. It never raises for a model failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError

from grader.llm.base import CallRecord, ChatRequest, LLMError, Provider


@dataclass
class StructuredResult:
    data: dict[str, Any] | None
    outcome: str  # ok, repaired, invalid, or an LLMError kind
    records: list[CallRecord] = field(default_factory=list)


def extract_json(text: str) -> Any:
    """The first JSON object in ``text`` (models like to wrap it in prose or code fences)."""
    decoder = json.JSONDecoder()
    for start, ch in enumerate(text):
        if ch == "{":
            try:
                value, _ = decoder.raw_decode(text[start:])
                return value
            except json.JSONDecodeError:
                continue
    raise ValueError("no JSON object found")


def _validate(text: str, schema: Schema) -> tuple[dict[str, Any] | None, str]:
    try:
        raw = extract_json(text)
    except ValueError as exc:
        return None, str(exc)
    if not isinstance(raw, dict):
        return None, "the reply must be a JSON object"
    try:
        return schema.load(raw), ""
    except ValidationError as exc:
        return None, json.dumps(exc.messages)[:400]


def structured_call(provider: Provider, request: ChatRequest, schema: Schema) -> StructuredResult:
    if not provider.enabled:
        return StructuredResult(None, "offline")
    records: list[CallRecord] = []
    try:
        first = provider.complete(request)
    except LLMError as exc:
        return StructuredResult(None, exc.kind, records)
    records.append(first.record)
    data, problem = _validate(first.text, schema)
    if data is not None:
        return StructuredResult(data, "ok", records)
    repair = ChatRequest(
        purpose=request.purpose,
        messages=request.messages + (
            ("assistant", first.text[:1000]),
            ("user", f"That reply was not valid ({problem}). Answer again with only the JSON object."),
        ),
        max_tokens=request.max_tokens,
        temperature=0.0,
        json_schema=request.json_schema,
    )
    try:
        second = provider.complete(repair)
    except LLMError as exc:
        return StructuredResult(None, exc.kind, records)
    records.append(second.record)
    data, _ = _validate(second.text, schema)
    return StructuredResult(data, "repaired" if data is not None else "invalid", records)
