"""With an LLM configured, the client's reply streams live, and an LLM reply that would state a secret
the Director has not released is cut before that sentence reaches the page (reset, then the offline reply)."""

from __future__ import annotations

from typing import Any

from grader.phases.difficult_client import load_scenario
from lti_app.extensions import db
from lti_app.models import Message
from tests.phases.difficult_client.conftest import parse_sse
from tests.phases.difficult_client.students import EXPERT, SCENARIO
from tests.support.fake_openai import FakeOpenAI

LEAK = "Between us, the inspector fined me 500 dollars, and orders stop at 2 pm. "


def _draft(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"].split("DRAFT reply to rewrite:\n", 1)[1]


def test_streamed_llm_reply_is_cut_before_a_leak_and_replaced_offline(dc_session, make_app):
    scenario = load_scenario(SCENARIO)
    mode = {"leak": True}

    def stream(body: dict[str, Any]) -> list[str]:
        if mode["leak"]:
            return ["Look, I ", "hear you. ", LEAK[:30], LEAK[30:], "Anyway."]
        words = _draft(body).split(" ")
        return [w + " " for w in words[:-1]] + [words[-1]]  # an honest rephrasing, word by word

    with FakeOpenAI() as llm:
        # Streamed calls are the Actor's; the Director's structured calls get garbage and fall back offline.
        llm.behaviour = lambda body: (200, stream(body) if body.get("stream") else "not json", 0.0)
        app = make_app(CR_LLM_PROVIDER="openai", CR_LLM_BASE_URL=llm.base_url, CR_LLM_MODEL="fake",
                       CR_LLM_TIMEOUT="5", CR_LLM_MAX_RETRIES="0")
        s = dc_session(app=app)
        response = s.say("What worries you most about this project?", stream=True)
        events = parse_sse(response.get_data(as_text=True))
        names = [n for n, _ in events]
        assert names[0] == "chunk" and events[0][1]["text"] == "Look, I hear you."
        assert "reset" in names and names[-1] == "done"
        after_reset = "".join(d["text"] for n, d in events[names.index("reset"):] if n == "chunk")
        assert after_reset == events[-1][1]["reply"]
        raw = response.get_data(as_text=True)
        assert "500 dollars" not in raw and "2 pm" not in raw
        assert any(r.get("stream") for r in llm.requests)

        mode["leak"] = False
        honest = parse_sse(s.say(EXPERT[1], stream=True).get_data(as_text=True))
        chunks = [d["text"] for n, d in honest if n == "chunk"]
        # Released sentence by sentence (each checked before it is sent), with no reset.
        assert chunks and "reset" not in [n for n, _ in honest] and "".join(chunks) == honest[-1][1]["reply"]
        assert "2 pm" in honest[-1][1]["reply"]  # now released by the Director, so it may be said
        assert honest[-1][1]["progress"]["discovered"] == 1

    with app.app_context():
        notes = [m.judgement for m in db.session.query(Message).filter_by(role="actor").order_by(Message.id)]
    assert notes[0]["source"] == "offline_fallback" and notes[0]["fallback_reason"] == "leak"
    assert notes[1]["source"] == "llm"
    assert scenario.constraints[1].id == "order_cutoff"
