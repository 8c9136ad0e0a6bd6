"""The LLM layer: providers behind one interface, prompts with injection defence, structured output.

Public API:

- ``make_provider(settings) -> Provider`` — ``offline`` (default; ``provider.enabled`` is False) or
  ``openai`` (any OpenAI-compatible server; settings llm_base_url, llm_model, llm_api_key, llm_timeout,
  llm_max_retries). Share one provider per process: it holds the reply cache.
- ``Provider.complete(ChatRequest) -> ChatResult(text, record)``; ``Provider.stream(ChatRequest) ->
  TextStream`` (iterate for text chunks; ``.record`` when done). Both raise ``LLMError(kind)`` on timeout,
  rate limit, 5xx, connection or bad request after the SDK's retries — callers fall back.
- ``CallRecord`` — purpose, provider, model, outcome, prompt/completion tokens, latency_ms (``.to_dict()``);
  also fed to Prometheus (``cr_llm_latency_seconds``, ``cr_llm_tokens_total``, ``cr_llm_calls_total``).
- ``structured_call(provider, request, schema) -> StructuredResult(data|None, outcome, records)`` — JSON
  validated with marshmallow, repaired once, else None.
- ``neutralise(text)``, ``data_block(label, text)`` — how student text and code enter a prompt.
"""

from grader.llm.base import CallRecord, ChatRequest, ChatResult, LLMError, Provider, TextStream
from grader.llm.cache import ReplyCache
from grader.llm.factory import make_provider
from grader.llm.offline import OfflineProvider
from grader.llm.openai_provider import OpenAIProvider
from grader.llm.prompts import DATA_RULE, data_block, neutralise
from grader.llm.structured import StructuredResult, extract_json, structured_call

__all__ = [
    "DATA_RULE",
    "CallRecord",
    "ChatRequest",
    "ChatResult",
    "LLMError",
    "OfflineProvider",
    "OpenAIProvider",
    "Provider",
    "ReplyCache",
    "StructuredResult",
    "TextStream",
    "data_block",
    "extract_json",
    "make_provider",
    "neutralise",
    "structured_call",
]
