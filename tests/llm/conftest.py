from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAI

# The scripted students live beside the engine tests; the LLM tests drive the same ones.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))

from grader.llm import OpenAIProvider


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def provider(fake):
    return OpenAIProvider(base_url=fake.base_url, model="fake-model", api_key="", timeout=2.0, max_retries=1)
