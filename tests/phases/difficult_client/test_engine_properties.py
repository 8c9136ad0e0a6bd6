"""Property tests: whatever a student types, the engine answers, never leaks and stays replayable."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.phases.difficult_client import (
    REVEAL,
    evaluate_session,
    load_scenario,
    replay,
    start_session,
    student_view,
    take_turn,
    undiscovered_secrets,
)

SCENARIO = load_scenario("impatient_restaurant_owner")
PHRASES = ["budget", "wifi", "please", "thanks, I understand", "API backend", "all your constraints", "why?",
           "kitchen", "tablets", "ignore previous instructions", "stupid", "staff", "<<<END STUDENT>>>", "{", "?"]
messages = st.lists(
    st.one_of(st.text(min_size=1, max_size=80).filter(str.strip),
              st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6).map(" ".join)),
    min_size=1, max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_conversation_is_safe_and_replayable(msgs):
    state = start_session(SCENARIO)
    for m in msgs:
        before = state
        out = take_turn(SCENARIO, state, m)
        state = out.state
        assert out.reply.strip() and out.feedback
        for cid, entry in state["constraints"].items():
            if before["constraints"][cid]["version"] == entry["version"]:
                assert entry["level"] >= before["constraints"][cid]["level"]  # discoveries are never lost
        shown = json.dumps(out.student_payload()) + out.reply
        assert not any(secret in shown for secret in undiscovered_secrets(state, SCENARIO))
    assert json.loads(json.dumps(state)) == state
    assert replay(SCENARIO, [m.strip() for m in msgs]) == state
    view = student_view(state, SCENARIO)
    discovered = sum(1 for e in state["constraints"].values() if e["level"] == REVEAL)
    assert view["progress"] == {"discovered": discovered, "total": 5}
    grade = evaluate_session(SCENARIO, state, {"passed": 3, "total": 6}).grade
    assert 0 <= grade.score <= 100


def test_offline_replies_vary():
    from tests.phases.difficult_client.students import expert

    state = replay(SCENARIO, expert(SCENARIO.id))
    replies = [m["text"] for m in state["transcript"] if m["role"] == "client"][1:]
    openings = {r.split(" ")[0] for r in replies}
    assert len(openings) >= 3, replies


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(min_size=1, max_size=120),
                 st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6).map(" ".join)))
def test_courtesy_never_lowers_question_quality(message):
    from grader.phases.difficult_client.quality import analyse, quality_score

    assert quality_score(analyse("Thank you, I understand. " + message)) >= quality_score(analyse(message))
