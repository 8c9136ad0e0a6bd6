"""Prometheus metrics for LLM calls (latency, tokens, outcomes), fed from each CallRecord."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from grader.llm.base import CallRecord

LLM_LATENCY = Histogram("cr_llm_latency_seconds", "LLM call latency", ["provider", "purpose", "outcome"],
                        buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40))
LLM_TOKENS = Counter("cr_llm_tokens", "LLM tokens used", ["provider", "purpose", "kind"])
LLM_CALLS = Counter("cr_llm_calls", "LLM calls by outcome", ["provider", "purpose", "outcome"])


def observe(record: CallRecord) -> None:
    LLM_CALLS.labels(record.provider, record.purpose, record.outcome).inc()
    if record.outcome == "cached":
        return
    LLM_LATENCY.labels(record.provider, record.purpose, record.outcome).observe(record.latency_ms / 1000)
    LLM_TOKENS.labels(record.provider, record.purpose, "prompt").inc(record.prompt_tokens)
    LLM_TOKENS.labels(record.provider, record.purpose, "completion").inc(record.completion_tokens)
