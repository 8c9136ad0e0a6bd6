"""The default provider: no LLM at all. Every caller uses its deterministic result."""

from __future__ import annotations

from grader.llm.base import ChatRequest, ChatResult, LLMError, Provider, TextStream


class OfflineProvider(Provider):
    name = "offline"
    model = "none"
    enabled = False

    def complete(self, request: ChatRequest) -> ChatResult:
        raise LLMError("offline", "no LLM configured")

    def stream(self, request: ChatRequest) -> TextStream:
        raise LLMError("offline", "no LLM configured")
