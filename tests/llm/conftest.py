from __future__ import annotations

import pytest

from grader.llm import OpenAIProvider
from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def provider(fake):
    return OpenAIProvider(base_url=fake.base_url, model="fake-model", api_key="", timeout=2.0, max_retries=1)
