"""An in-process provider that answers what a test scripts: a fixed text, a function of the request, or an
``LLMError`` (timeout, connection...). It records every request, so a test can read the prompt it was sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from grader.llm import CallRecord, ChatRequest, ChatResult, LLMError, Provider, TextStream

Answer = str | Callable[[ChatRequest], str]


class ScriptedProvider(Provider):
    name, model, enabled = "scripted", "test", True

    def __init__(self, answer: Answer = "", error: str | None = None) -> None:
        self.answer, self.error = answer, error
        self.requests: list[ChatRequest] = []

    def complete(self, request: ChatRequest) -> ChatResult:
        self.requests.append(request)
        if self.error:
            raise LLMError(self.error, "scripted failure")
        text = self.answer(request) if callable(self.answer) else self.answer
        return ChatResult(text, CallRecord(request.purpose, self.name, self.model, prompt_tokens=10,
                                           completion_tokens=5))

    def stream(self, request: ChatRequest) -> TextStream:
        raise LLMError("error", "not scripted")

    def prompt(self, index: int = -1) -> str:
        """Everything the model was sent in request ``index``, joined."""
        return "\n".join(content for _, content in self.requests[index].messages)


def every_key(value: Any) -> Callable[[ChatRequest], str]:
    """An answer giving ``value`` to every key the request's JSON schema requires (a credulous model)."""

    def answer(request: ChatRequest) -> str:
        keys = (request.json_schema or {}).get("required", [])
        return json.dumps({key: value for key in keys})

    return answer
