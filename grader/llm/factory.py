"""Build the configured provider from ``config.Settings``."""

from __future__ import annotations

from typing import Any

from grader.llm.base import Provider
from grader.llm.offline import OfflineProvider
from grader.llm.openai_provider import OpenAIProvider


def make_provider(settings: Any) -> Provider:
    """``settings`` needs llm_provider, llm_base_url, llm_model, llm_api_key, llm_timeout, llm_max_retries
    (``config.Settings`` has them). ``offline`` -> OfflineProvider; ``openai`` -> OpenAIProvider."""
    kind = settings.llm_provider
    if kind == "offline":
        return OfflineProvider()
    if kind == "openai":
        return OpenAIProvider(base_url=settings.llm_base_url, model=settings.llm_model,
                              api_key=settings.llm_api_key, timeout=settings.llm_timeout,
                              max_retries=settings.llm_max_retries)
    raise ValueError(f"unknown llm_provider {kind!r}; expected 'offline' or 'openai'")
