"""The provider interface every LLM backend implements, and the per-call record kept for metrics."""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


class LLMError(Exception):
    """An LLM call failed; ``kind`` is timeout, rate_limit, server_error, connection, bad_request, offline or
    error. Callers fall back to the offline result."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind = kind


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion. ``purpose`` labels metrics (actor, director, evaluator)."""

    purpose: str
    messages: tuple[tuple[str, str], ...]  # (role, content)
    max_tokens: int = 200
    temperature: float = 0.0
    json_schema: dict[str, Any] | None = None  # ask for a JSON object following this schema
    stop: tuple[str, ...] = ()  # stop sequences (e.g. a data-block delimiter the model starts to echo)

    def cache_key(self, model: str) -> str:
        body = json.dumps([model, self.messages, self.max_tokens, self.temperature, self.json_schema, self.stop],
                          sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()

    def openai_messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


@dataclass
class CallRecord:
    """Token use and latency of one call (or cache hit), JSON-serialisable for storage and metrics."""

    purpose: str
    provider: str
    model: str
    outcome: str = "ok"  # ok, cached, or the LLMError kind
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    started: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChatResult:
    text: str
    record: CallRecord


class TextStream:
    """An iterator of text chunks; ``record`` is complete once the iteration has ended."""

    def __init__(self, chunks: Iterator[str], record: CallRecord) -> None:
        self._chunks = chunks
        self.record = record

    def __iter__(self) -> Iterator[str]:
        return self._chunks


class Provider(ABC):
    """An LLM backend. ``enabled`` is False for the offline provider: callers skip straight to the
    deterministic result without making a call."""

    name: str = "abstract"
    model: str = ""
    enabled: bool = True

    @abstractmethod
    def complete(self, request: ChatRequest) -> ChatResult:
        """The whole reply; raises LLMError on any failure."""

    @abstractmethod
    def stream(self, request: ChatRequest) -> TextStream:
        """The reply as chunks; raises LLMError (also while iterating) on any failure."""
