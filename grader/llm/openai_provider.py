"""Any OpenAI-compatible chat API through the ``openai`` SDK: OpenAI, Gemini's compatible endpoint, vLLM,
Ollama, llama.cpp's server. The SDK does the retries (``max_retries``, with backoff, on timeouts, 429 and
5xx); whatever still fails becomes an ``LLMError`` so the caller falls back to the offline result.

Structured replies use ``response_format={"type": "json_object", "schema": ...}`` by default: llama.cpp honours
the schema (its ``json_schema`` mode answered HTTP 500 when measured here); other servers at least return
JSON. ``structured_mode="json_schema"`` sends OpenAI's strict form instead, for servers that support it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import openai

from grader.llm.base import CallRecord, ChatRequest, ChatResult, LLMError, Provider, TextStream
from grader.llm.cache import ReplyCache
from grader.llm.metrics import observe

# One process-wide cache, so providers built per request (``make_provider`` in a view) still share it.
SHARED_CACHE = ReplyCache(max_entries=1024)


def _error_kind(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limit"
    if isinstance(exc, openai.InternalServerError) or (
        isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
    ):
        return "server_error"
    if isinstance(exc, openai.APIStatusError):
        return "bad_request"
    return "error"


class OpenAIProvider(Provider):
    name = "openai"
    enabled = True

    def __init__(self, *, base_url: str, model: str, api_key: str = "", timeout: float = 20.0,
                 max_retries: int = 1, cache: ReplyCache | None = None, structured_mode: str = "json_object") -> None:
        if structured_mode not in ("json_object", "json_schema"):
            raise ValueError(f"structured_mode must be json_object or json_schema, not {structured_mode!r}")
        self.structured_mode = structured_mode
        self.model = model
        self.base_url = base_url
        # Local servers need no key, but the SDK insists on one.
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout,
                                     max_retries=max_retries)
        self.cache = cache if cache is not None else SHARED_CACHE

    def _kwargs(self, request: ChatRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": request.openai_messages(),
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.stop:
            kwargs["stop"] = list(request.stop)
        if request.json_schema is not None and self.structured_mode == "json_schema":
            kwargs["response_format"] = {"type": "json_schema",
                                         "json_schema": {"name": request.purpose, "schema": request.json_schema}}
        elif request.json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": request.json_schema}
        return kwargs

    def _record(self, request: ChatRequest, outcome: str = "ok") -> CallRecord:
        return CallRecord(purpose=request.purpose, provider=self.name, model=self.model, outcome=outcome)

    def complete(self, request: ChatRequest) -> ChatResult:
        key = request.cache_key(f"{self.base_url}|{self.model}")
        cached = self.cache.get(key)
        if cached is not None:
            record = self._record(request, "cached")
            observe(record)
            return ChatResult(cached, record)
        record = self._record(request)
        start = time.perf_counter()
        try:
            response = self._client.chat.completions.create(**self._kwargs(request))
            text = (response.choices[0].message.content or "") if response.choices else ""
        except Exception as exc:  # noqa: BLE001 — every SDK failure is a fallback, never a crash
            record.outcome = _error_kind(exc)
            record.latency_ms = round((time.perf_counter() - start) * 1000, 1)
            observe(record)
            raise LLMError(record.outcome, str(exc)[:200]) from exc
        record.latency_ms = round((time.perf_counter() - start) * 1000, 1)
        if response.usage is not None:
            record.prompt_tokens = response.usage.prompt_tokens or 0
            record.completion_tokens = response.usage.completion_tokens or 0
        observe(record)
        self.cache.put(key, text)
        return ChatResult(text, record)

    def stream(self, request: ChatRequest) -> TextStream:
        key = request.cache_key(f"{self.base_url}|{self.model}")
        cached = self.cache.get(key)
        if cached is not None:
            record = self._record(request, "cached")
            observe(record)
            return TextStream(iter([cached]), record)
        record = self._record(request)
        start = time.perf_counter()
        try:
            response = self._client.chat.completions.create(**self._kwargs(request), stream=True)
        except Exception as exc:  # noqa: BLE001
            record.outcome = _error_kind(exc)
            record.latency_ms = round((time.perf_counter() - start) * 1000, 1)
            observe(record)
            raise LLMError(record.outcome, str(exc)[:200]) from exc

        def chunks() -> Iterator[str]:
            parts: list[str] = []
            try:
                for event in response:
                    usage = getattr(event, "usage", None)
                    if usage is not None:
                        record.prompt_tokens = usage.prompt_tokens or 0
                        record.completion_tokens = usage.completion_tokens or 0
                    if event.choices and event.choices[0].delta and event.choices[0].delta.content:
                        parts.append(event.choices[0].delta.content)
                        yield event.choices[0].delta.content
            except Exception as exc:  # noqa: BLE001
                record.outcome = _error_kind(exc)
                raise LLMError(record.outcome, str(exc)[:200]) from exc
            finally:
                record.latency_ms = round((time.perf_counter() - start) * 1000, 1)
                if record.completion_tokens == 0 and parts:
                    record.completion_tokens = len(parts)  # servers without stream usage: one chunk ≈ one token
                observe(record)
            self.cache.put(key, "".join(parts))

        return TextStream(chunks(), record)
