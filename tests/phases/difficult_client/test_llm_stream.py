"""With an LLM configured, the page receives a model's reply only once the whole of it has passed every check:
a leaking, scaffolded or inventive reply is replaced by the offline one before the first byte is sent, so the
stream carries no withdrawn text and has no "reset" event at all. The model rates questions only once it has
qualified (a verdict in the data directory; the start-up check writes it)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from config import load_settings
from grader.phases.difficult_client import load_scenario
from grader.phases.difficult_client.qualify import Verdict, VerdictStore
from lti_app.extensions import db
from lti_app.models import Message
from lti_app.phases.difficult_client.qualification import start_qualification, store_path
from tests.phases.difficult_client.conftest import parse_sse
from tests.phases.difficult_client.students import EXPERT, SCENARIO
from tests.support.fake_openai import FakeOpenAI

LEAK = "Between us, the inspector fined me 500 dollars, and orders stop at 2 pm. "
CLIENT_JS = Path(__file__).resolve().parents[3] / "lti_app/phases/difficult_client/static/client.js"


def _draft(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"]  # the Actor restyles the draft and sees nothing else


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]]


def _llm_app(make_app, llm: FakeOpenAI):
    return make_app(CR_LLM_PROVIDER="openai", CR_LLM_BASE_URL=llm.base_url, CR_LLM_MODEL="fake",
                    CR_LLM_TIMEOUT="5", CR_LLM_MAX_RETRIES="0")


def _turn(s, text: str) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    raw = s.say(text, stream=True).get_data(as_text=True)
    return parse_sse(raw), raw


def _assert_nothing_withdrawn(events: list[tuple[str, dict[str, Any]]]) -> str:
    names = [n for n, _ in events]
    assert names[-1] == "done" and set(names[:-1]) == {"chunk"}, names
    shown = "".join(d["text"] for n, d in events if n == "chunk")
    assert shown == events[-1][1]["reply"]
    return shown


def test_a_refused_model_reply_never_reaches_the_page(dc_session, make_app):
    mode = {"reply": "leak"}

    def stream(body: dict[str, Any]) -> list[str]:
        draft = _draft(body)
        return {"leak": ["Look, I ", "hear you. ", LEAK[:30], LEAK[30:], "Anyway."],
                "scaffold": _words("DRAFT reply to rewrite: " + draft),
                "invent": _words(draft + " I've had the same oven since 2009."),
                "honest": _words(draft)}[mode["reply"]]

    with FakeOpenAI() as llm:
        llm.behaviour = lambda body: (200, stream(body) if body.get("stream") else "not json", 0.0)
        s = dc_session(app=_llm_app(make_app, llm))
        shown = []
        for reply, message in (("leak", "What worries you most about this project?"),
                               ("scaffold", "How long have you had the bakery?"),
                               ("invent", "What does a normal day look like for you?")):
            mode["reply"] = reply
            events, raw = _turn(s, message)
            shown.append(_assert_nothing_withdrawn(events))
            for never in ("500 dollars", "2 pm", "Look, I hear you", "DRAFT", "2009", "reset"):
                assert never not in raw

        mode["reply"] = "honest"
        events, _ = _turn(s, EXPERT[1])
        chunks = [d["text"] for n, d in events if n == "chunk"]
        assert len(chunks) >= 2  # the accepted reply is still sent sentence by sentence
        _assert_nothing_withdrawn(events)
        assert "2 pm" in events[-1][1]["reply"]  # now released by the Director, so it may be said
        assert events[-1][1]["progress"]["discovered"] == 1
        # No verdict in the data directory: the model only phrased; it was never asked to rate a question.
        assert all(r.get("stream") for r in llm.requests)

    with s.app.app_context():
        notes = [m.judgement for m in db.session.query(Message).filter_by(role="actor").order_by(Message.id)]
    assert [(n["source"], n["fallback_reason"]) for n in notes] == [
        ("offline_fallback", "leak"), ("offline_fallback", "scaffolding"), ("offline_fallback", "invented"),
        ("llm", None)]
    assert load_scenario(SCENARIO).constraints[1].id == "order_cutoff"


def test_the_page_script_has_no_reset_to_handle():
    source = CLIENT_JS.read_text()
    assert '"chunk"' in source and "reset" not in source


def _rating_server(rating: dict[str, str]) -> FakeOpenAI:
    llm = FakeOpenAI()
    llm.behaviour = lambda body: (200, _words(_draft(body)) if body.get("stream") else json.dumps(rating), 0.0)
    return llm


def test_the_model_rates_questions_only_once_a_stored_verdict_trusts_it(dc_session, make_app):
    high = {"empathy": "high", "clarity": "high", "question": "open"}
    with _rating_server(high) as llm:
        app = _llm_app(make_app, llm)
        settings = app.config["SETTINGS"]
        key = f"openai|{llm.base_url}|fake"
        s = dc_session(app=app)
        _turn(s, "What is your budget?")
        assert not [r for r in llm.requests if not r.get("stream")]  # no verdict yet: phrasing only

        VerdictStore(store_path(settings)).save(Verdict(model=key, trusted=False, reason="backwards",
                                                        agreement=0.1, answered=1.0, students={}))
        _turn(s, "How do orders work?")
        assert not [r for r in llm.requests if not r.get("stream")]

        VerdictStore(store_path(settings)).save(Verdict(model=key, trusted=True, reason="ordered", agreement=1.0,
                                                        answered=1.0, students={}))
        _turn(s, "Who keeps the specials up to date?")
        assert [r for r in llm.requests if not r.get("stream")]
    with app.app_context():
        judged = [m.judgement for m in db.session.query(Message).filter_by(role="student").order_by(Message.id)]
    assert [j["llm_quality"] for j in judged] == [None, None, 1.0]


def test_the_start_up_check_qualifies_a_model_once_and_says_why(tmp_path, caplog):
    backwards = {"empathy": "low", "clarity": "low", "question": "closed"}
    with _rating_server(backwards) as llm:
        settings = load_settings({"CR_DATA_DIR": str(tmp_path), "CR_LLM_PROVIDER": "openai",
                                  "CR_LLM_BASE_URL": llm.base_url, "CR_LLM_MODEL": "fake", "CR_LLM_TIMEOUT": "5",
                                  "CR_SECRET_KEY": "test-secret-key-0123456789"})
        with caplog.at_level(logging.INFO):
            thread = start_qualification(settings)
            assert thread is not None
            thread.join(120)
        assert not thread.is_alive()
        stored = json.loads(store_path(settings).read_text())
        verdict = stored[f"openai|{llm.base_url}|fake"]
        assert verdict["trusted"] is False and verdict["reason"] in caplog.text and "NOT qualified" in caplog.text
        played = len(llm.requests)
        assert played >= 20
        assert start_qualification(settings) is None and len(llm.requests) == played  # cached: not played again
    assert start_qualification(load_settings({"CR_DATA_DIR": str(tmp_path), "CR_LLM_PROVIDER": "offline",
                                              "CR_SECRET_KEY": "test-secret-key-0123456789"})) is None
