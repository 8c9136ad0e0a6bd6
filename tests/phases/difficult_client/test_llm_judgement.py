"""A model's judgement counts only once it has earned it: its question ratings must order the scripted students
as the offline rubric does (qualify.py), and its report-card narrative must be real sentences about the session."""

from __future__ import annotations

import json
import re

import pytest
from marshmallow import ValidationError

from grader.llm.base import CallRecord, ChatRequest, ChatResult, Provider, TextStream
from grader.phases.difficult_client import CodeResult, evaluate_session, load_scenario, start_session, take_turn
from grader.phases.difficult_client.llm_roles import NarrativeSchema, narrative_problem, session_stems
from grader.phases.difficult_client.qualify import (
    QUALIFY_VERSION,
    Verdict,
    VerdictStore,
    ensure_verdict,
    judge_ratings,
    main,
    model_key,
    qualify,
    report,
)
from grader.phases.difficult_client.scripted import ORDER, STUDENTS

LEVELS = ("low", "medium", "high")


def student_text(request: ChatRequest) -> str:
    said = "\n".join(content for role, content in request.messages if role == "user")
    return re.search(r"<<<STUDENT>>>\n(.*?)\n<<<END STUDENT>>>", said, re.S).group(1)


def sensible(message: str) -> dict[str, str]:
    """A rater with judgement: warmth up, demands and jargon down."""
    low = re.search(r"waste|ignore|grader|everything|all of|list|complete", message, re.I)
    warm = re.search(r"thank|understand|appreciate|hear you", message, re.I)
    jargon = re.search(r"api|backend|scalable", message, re.I)
    return {"empathy": "low" if low else "high" if warm else "medium",
            "clarity": "low" if low or jargon else "high" if warm else "medium",
            "question": "open" if re.match(r"(what|how|could you|can you)", message, re.I) or warm else "closed"}


def backwards(message: str) -> dict[str, str]:
    """The measured failure: empathetic questions rated low, the extractor's high."""
    good = sensible(message)
    return {k: LEVELS[2 - LEVELS.index(v)] if k != "question" else v for k, v in good.items()}


class Rater(Provider):
    name = "rater"
    model = "rater-1"

    def __init__(self, rate, narrative: str = "") -> None:
        self.rate, self.narrative, self.calls = rate, narrative, 0

    def complete(self, request: ChatRequest) -> ChatResult:
        self.calls += 1
        record = CallRecord(purpose=request.purpose, provider=self.name, model=self.model)
        if request.purpose == "evaluator":
            return ChatResult(self.narrative, record)
        answer = self.rate(student_text(request))
        return ChatResult(answer if isinstance(answer, str) else json.dumps(answer), record)

    def stream(self, request: ChatRequest) -> TextStream:
        # The same scripted answer, as one chunk: a caller that streams sees what complete() would return.
        result = self.complete(request)
        return TextStream(iter([result.text]), result.record)


@pytest.fixture(scope="module")
def bakery():
    return load_scenario("angry_bakery_owner")


def test_a_model_that_rates_like_the_rubric_is_trusted():
    verdict = qualify(Rater(sensible), ["angry_bakery_owner", "school_tablet_teacher"])
    assert verdict.trusted, report(verdict)
    assert verdict.answered == 1.0 and verdict.agreement >= 0.8
    llm = {name: row["llm"] for name, row in verdict.students.items()}
    assert llm["expert"] > llm["average"] > llm["careless"] and llm["expert"] == max(llm.values())


def test_a_model_with_backwards_ratings_is_used_for_phrasing_only():
    verdict = qualify(Rater(backwards), ["angry_bakery_owner"])
    assert not verdict.trusted
    assert "expert" in verdict.reason and "pairs" in verdict.reason
    assert any(d.startswith("the rubric rates expert") for d in verdict.disagreements)
    assert "NOT TRUSTED" in report(verdict)


def test_a_model_that_rates_everything_the_same_or_answers_garbage_is_not_trusted():
    flat = qualify(Rater(lambda m: {"empathy": "medium", "clarity": "medium", "question": "open"}),
                   ["angry_bakery_owner"])
    assert not flat.trusted and flat.agreement == 0.0  # a tie orders nothing
    garbage = qualify(Rater(lambda m: "I think this question is nice"), ["angry_bakery_owner"])
    assert not garbage.trusted and garbage.answered == 0.0 and "valid" in garbage.reason


def test_the_rule_counts_only_pairs_the_rubric_separates():
    ratings = {"expert": [(0.9, 0.9)], "average": [(0.5, 0.6)], "twin": [(0.52, 0.7)], "rude": [(0.0, 0.1)]}
    verdict = judge_ratings("m", ratings, ["x"])
    assert verdict.agreement == 1.0 and verdict.trusted  # average and twin are 0.02 apart: not ordered
    ratings["rude"] = [(0.0, 0.95)]
    assert not judge_ratings("m", ratings, ["x"]).trusted


def test_the_offline_rubric_orders_the_scripted_students(bakery):
    """The reference the model is held to: the Director's own ordering of the five scripted students."""
    means = {}
    for name in ORDER:
        state, qualities = start_session(bakery), []
        for message in STUDENTS[name](bakery):
            outcome = take_turn(bakery, state, message)
            state, qualities = outcome.state, [*qualities, outcome.judgement["heuristic_quality"]]
        means[name] = sum(qualities) / len(qualities)
    assert means["expert"] > means["average"] > max(means["careless"], means["rude"], means["extractor"])


def test_a_verdict_is_played_once_per_model_and_cached(tmp_path, caplog):
    store = VerdictStore(tmp_path / "verdicts.json")
    model = Rater(backwards)
    with caplog.at_level("WARNING"):
        first = ensure_verdict(model, store)
    played = model.calls
    assert played >= 20 and not first.trusted and "NOT qualified" in caplog.text and first.reason in caplog.text
    again = ensure_verdict(model, store)
    assert model.calls == played and again.to_dict() == first.to_dict()
    stale = json.loads(store.path.read_text())
    stale[model_key(model)]["version"] = QUALIFY_VERSION - 1
    store.path.write_text(json.dumps(stale))
    assert store.load(model_key(model)) is None  # rules changed: the model is played again


def test_verdict_round_trip_and_a_damaged_file(tmp_path):
    store = VerdictStore(tmp_path / "v.json")
    verdict = Verdict(model="openai|u|m", trusted=True, reason="r", agreement=1.0, answered=1.0, students={})
    store.save(verdict)
    assert store.load("openai|u|m") == Verdict.from_dict(verdict.to_dict())
    store.path.write_text("{not json")
    assert store.load("openai|u|m") is None


def test_the_qualify_command_prints_the_verdict_and_stores_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CR_LLM_PROVIDER", "offline")
    assert main([]) == 0 and "offline" in capsys.readouterr().out
    from tests.support.fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        server.behaviour = lambda body: (200, json.dumps(backwards(student_text(
            ChatRequest("director", tuple((m["role"], m["content"]) for m in body["messages"]))))), 0.0)
        status = main(["--base-url", server.base_url, "--model", "fake", "--scenario", "angry_bakery_owner"])
    out = capsys.readouterr().out
    assert status == 1 and "NOT TRUSTED" in out and "expert" in out
    stored = json.loads((tmp_path / "llm_qualification.json").read_text())
    assert [v["trusted"] for v in stored.values()] == [False]


# --- narratives -------------------------------------------------------------------------------------------

SESSION = ["question_quality: mean quality 0.62 over 4 question(s); 3 empathetic, 2 open, 1 jargon-heavy, 0 rude",
           "constraints: 2/5 constraints fully discovered", "student: What can you spend each month on hosting?",
           "student: How do customers order cakes for pickup?"]
GOOD = {"strengths": ["You asked open questions about how customers order cakes for pickup."],
        "improvements": ["Follow up when the owner hints at a problem with pickup, and ask what happened."]}


@pytest.mark.parametrize(("text", "problem"), [
    ("1.0", "numbers"), ("2.5", "numbers"), ("3.9 3.9 3.9 4.0 4.1 4.2", "numbers"), ("Listened well.", "at least"),
    ("Great job!", "at least"), ("Good good good good good good good.", "repeat"),
    ("You deserve an A- for the hosting questions you asked.", "grades"),
    ("Your score on open questions was excellent overall today.", "grades"),
    ("Keep up the great work and try to do even better next time.", "what the student did"),
    ("Empathy 0.75, clarity 0.5, questions 0.25 overall.", "numbers"),
    # Measured with SmolLM2-135M: narratives that passed the first version of these checks.
    ("1. Do not use the code-quality test for a client interview.", "numbering"),
    ("Length must be between 1 and 3.", "format"),
    ("improvements: Length should not exceed 5. The length of the JSON object is always a number.", "format"),
])
def test_a_narrative_item_that_is_not_a_real_sentence_about_the_session_is_refused(text, problem):
    found = narrative_problem(text, session_stems(SESSION))
    assert found is not None and problem in found


def test_narratives_are_loaded_only_when_every_item_passes():
    schema = NarrativeSchema(session=SESSION)
    assert schema.load(GOOD) == GOOD
    with pytest.raises(ValidationError) as bad:
        schema.load({"strengths": ["1.0", "2.5", "3.9"], "improvements": GOOD["improvements"]})
    assert "item 1" in str(bad.value.messages["strengths"]) and "item 3" in str(bad.value.messages["strengths"])
    assert narrative_problem("You showed real empathy for the owner's stress.", session_stems(SESSION)) is None
    # A strength speaks to the student; an improvement may be advice.
    advice = "Ask about hosting costs before you ask about pickup times."
    assert narrative_problem(advice, session_stems(SESSION)) is None
    assert "you" in narrative_problem("The hosting questions were asked in plain words.", session_stems(SESSION),
                                      strength=True)


def test_the_evaluator_falls_back_on_nonsense_and_keeps_a_real_narrative(bakery):
    state = start_session(bakery)
    for message in ("What can you spend each month on hosting?", "How do customers order cakes for pickup?"):
        state = take_turn(bakery, state, message).state
    code = CodeResult(0, 8)
    nonsense = Rater(sensible, json.dumps({"strengths": ["1.0", "2.5", "3.9"], "improvements": ["ok"]}))
    evaluation = evaluate_session(bakery, state, code, nonsense)
    assert evaluation.narrative_source == "offline_fallback" and "1.0" not in evaluation.strengths
    assert nonsense.calls == 2  # asked once, told why (the schema's reasons) and asked to repair once
    real = Rater(sensible, json.dumps(GOOD))
    evaluation = evaluate_session(bakery, state, code, real)
    assert evaluation.narrative_source == "llm" and evaluation.strengths == GOOD["strengths"]
    assert evaluation.grade == evaluate_session(bakery, state, code).grade
