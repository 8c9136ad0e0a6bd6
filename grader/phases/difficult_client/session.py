"""A Difficult Client session as pure functions over a JSON-serialisable state dict.

``start_session`` -> state; ``take_turn`` / ``stream_turn`` -> new state plus the client's reply;
``student_view`` is the only shape a student may see; ``instructor_view`` shows the hidden truth.
The state holds everything needed to grade and to replay: an offline replay of the same messages
gives the same state, byte for byte.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.llm.base import LLMError, Provider
from grader.llm.offline import OfflineProvider
from grader.llm.structured import structured_call
from grader.phases.difficult_client.actor import (
    ReplyPlan,
    check_reply,
    forbidden_facts,
    known_versions,
    plan_reply,
)
from grader.phases.difficult_client.catalogue import load_scenario
from grader.phases.difficult_client.coding import coding_view
from grader.phases.difficult_client.director import HINT, LEVEL_NAMES, REVEAL, STRICTNESS, asked_entry, judge
from grader.phases.difficult_client.grounding import check_grounding
from grader.phases.difficult_client.llm_roles import (
    QuestionJudgementSchema,
    actor_request,
    director_request,
    judgement_quality,
)
from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.schema import PHASE_ID

STATE_VERSION = 1
PHASE = PHASE_ID
MAX_MESSAGE_CHARS = 2000
MAX_TURNS = 60
MAX_REPLY_CHARS = 1200
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
# Never changed in place, so a turn shares them with the state it started from: the transcript, judgements and
# questions asked grow by new lists (stream_turn, _advance); the coding task is replaced whole (coding.with_exercise).
_SHARED = frozenset({"transcript", "judgements", "asked", "coding"})
_SCALARS = (str, int, float, bool, type(None))


class InvalidTurn(ValueError):
    """The message or state cannot take a turn; nothing was changed. The message is safe to show."""


@dataclass
class TurnOutcome:
    reply: str
    feedback: str
    state: dict[str, Any]
    judgement: dict[str, Any]  # instructor-only
    source: str  # "offline", "llm" or "offline_fallback"
    fallback_reason: str | None = None
    llm_calls: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def student_payload(self) -> dict[str, Any]:
        """What the page may show for this turn."""
        view = student_view(self.state)
        return {"reply": self.reply, "feedback": self.feedback, "progress": view["progress"],
                "coding_task_unlocked": view["coding_task_unlocked"]}


def start_session(scenario: Scenario, difficulty: str | None = None) -> dict[str, Any]:
    """A new session at ``difficulty`` (easy, medium or hard; None: the scenario's own difficulty)."""
    if difficulty is not None and difficulty not in STRICTNESS:
        raise ValueError(f"unknown difficulty {difficulty!r}: one of {', '.join(STRICTNESS)}")
    return {
        "version": STATE_VERSION,
        "phase": PHASE,
        "scenario_id": scenario.id,
        "difficulty": difficulty or scenario.meta.difficulty,
        "turn": 0,
        "constraints": {c.id: {"level": 0, "version": "original", "stale_level": 0, "first_turn": None}
                        for c in scenario.constraints},
        # What "that" refers to in a follow-up: the last constraint or world topic talked about.
        "last_constraint": None,
        "last_world": None,
        "asked": [],  # each student message, normalised, with what it pointed at (repeat detection)
        "transcript": [{"role": "client", "text": scenario.persona.greeting, "turn": 0}],
        "judgements": [],
        "unlocked": False,
        "unlocked_turn": None,
        "finished": False,
    }


def discovered_fraction(scenario: Scenario, state: dict[str, Any]) -> float:
    """Weight of fully revealed constraints (current version) over the total weight."""
    got = sum(c.weight for c in scenario.constraints if state["constraints"][c.id]["level"] == REVEAL)
    return got / scenario.total_weight


def check_turn(scenario: Scenario, state: dict[str, Any], message: Any) -> str:
    """Validate a turn before streaming it; returns the stripped message or raises ``InvalidTurn``."""
    return _check(scenario, state, message)


def undiscovered_secrets(state: dict[str, Any], scenario: Scenario | None = None) -> list[str]:
    """Strings no student-facing output may contain in ``state``: every constraint description, and the
    full reveal and key facts of every constraint version not yet revealed (for leak-scanning tests)."""
    sc = _scenario_for(state, scenario)
    out = [c.description for c in sc.constraints]
    out += [c.change.description for c in sc.constraints if c.change]
    for c in sc.constraints:
        original_known, changed_known = known_versions(state["constraints"][c.id])
        if not original_known:
            out.append(c.full_reveal)
        if c.change and not changed_known:
            out.append(c.change.full_reveal)
    return out + forbidden_facts(sc, state)


def _check(scenario: Scenario, state: dict[str, Any], message: Any) -> str:
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION or state.get("phase") != PHASE:
        raise InvalidTurn("this session state is not a Difficult Client session")
    if state.get("scenario_id") != scenario.id:
        raise InvalidTurn("this session belongs to another scenario")
    if state.get("finished"):
        raise InvalidTurn("this conversation has ended")
    if state["turn"] >= MAX_TURNS:
        raise InvalidTurn(f"the conversation is limited to {MAX_TURNS} questions")
    if not isinstance(message, str) or not message.strip():
        raise InvalidTurn("type a message for the client first")
    if len(message) > MAX_MESSAGE_CHARS:
        raise InvalidTurn(f"keep messages under {MAX_MESSAGE_CHARS} characters")
    return message.strip()


def _copy(key: str, value: Any) -> Any:
    if key == "constraints":  # each entry holds scalars only: two levels are a deep copy, at a tenth of the cost
        return {cid: dict(entry) for cid, entry in value.items()}
    return copy.deepcopy(value)


def _advance(scenario: Scenario, state: dict[str, Any], j: Any, message: str
             ) -> tuple[dict[str, Any], tuple[str, ...], bool]:
    """The state after judgement ``j`` of ``message``: levels raised, scheduled changes applied, unlock checked,
    the message remembered and what a follow-up would refer to."""
    # A copy of what a turn changes (the input stays untouched); what it never changes in place is shared.
    after = {k: v if k in _SHARED or isinstance(v, _SCALARS) else _copy(k, v) for k, v in state.items()}
    after["turn"] = j.turn
    if j.target is not None:
        entry = after["constraints"][j.target]
        if j.granted > entry["level"]:
            entry["level"] = j.granted
            entry["first_turn"] = entry["first_turn"] or j.turn
    after["asked"] = [*state.get("asked", []), asked_entry(state, message)]
    if j.intent in ("constraint", "acknowledge", "rude", "general", "world") and (j.target or j.world):
        after["last_constraint"], after["last_world"] = j.target, j.world
    elif j.intent in ("stuffed", "gaming", "off_world"):
        after["last_constraint"], after["last_world"] = None, None
    announcements: list[str] = []
    for c in scenario.constraints:
        entry = after["constraints"][c.id]
        if c.change and entry["version"] == "original" and j.turn == c.change.after_turn:
            # The client changes their mind: what the student knew is now stale; the announcement is a hint.
            entry.update(version="changed", stale_level=entry["level"], level=HINT, first_turn=None)
            announcements.append(c.change.announcement)
    unlocked_now = not after["unlocked"] and discovered_fraction(scenario, after) >= scenario.unlock_fraction - 1e-9
    if unlocked_now:
        after["unlocked"], after["unlocked_turn"] = True, j.turn
    return after, tuple(announcements), unlocked_now


def _llm_reply(scenario: Scenario, after: dict[str, Any], message: str, plan: ReplyPlan,
               provider: Provider) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """The model's rephrasing of ``plan.core`` plus the verbatim ``plan.suffix``, or None and the reason it was
    refused; with the call records.

    Validate before showing: the model's whole reply is buffered and checked (leaks, dropped facts and hints,
    prompt scaffolding, invented or contradicted specifics) before a word of it can reach the page, so a
    student never reads text that is then withdrawn. Chosen over "show the offline reply, swap in the model's
    when it passes" because a swap withdraws text the student has already read too, and the checks that matter
    most (a dropped fact, an invented requirement) can only be judged on the whole reply. The cost is latency:
    the reply appears once the model has finished (``max_tokens`` and the provider's timeout bound that)."""
    forbidden = forbidden_facts(scenario, after)
    buffer, stream, evidence = "", None, []
    try:
        stream = provider.stream(actor_request(scenario, plan.core))  # the model never sees the student's text
        for chunk in stream:
            buffer += chunk
            if len(buffer) > MAX_REPLY_CHARS:
                raise LLMError("too_long")
            if "<<<" in buffer or ">>>" in buffer:
                raise LLMError("format")  # an echoed prompt: stop paying for the rest of it
        reply = buffer.strip()
        problem = check_reply(reply, forbidden, plan.required_facts, plan.required_gist)
        if problem is None:
            problem, evidence = check_grounding(reply, scenario, after, plan.core, message)
        if problem:
            raise LLMError(problem)
    except LLMError as exc:
        if stream is None:
            return None, exc.kind, [{"purpose": "actor", "provider": provider.name, "model": provider.model,
                                     "outcome": exc.kind}]
        outcome = stream.record.outcome if stream.record.outcome != "ok" else f"rejected:{exc.kind}"
        return None, exc.kind, [{**stream.record.to_dict(), "outcome": outcome, "detail": evidence[:5]}]
    return " ".join(x for x in (reply, plan.suffix) if x), None, [stream.record.to_dict()]


def _pieces(reply: str) -> list[str]:
    """``reply`` cut after each sentence, so the page can show it sentence by sentence; the pieces join back
    to exactly ``reply``."""
    cuts = [m.end() for m in _SENTENCE_END.finditer(reply)]
    bounds = [0, *cuts, len(reply)]
    return [reply[i:j] for i, j in zip(bounds, bounds[1:], strict=False) if j > i]


def stream_turn(scenario: Scenario, state: dict[str, Any], message: str,
                provider: Provider | None = None, *, llm_judge: bool = True) -> Iterator[dict[str, Any]]:
    """Take one turn, yielding events for a live page: ``{"type": "chunk", "text"}`` (pieces of the final reply,
    which is decided before the first one: they join to exactly ``outcome.reply``, and nothing shown is ever
    withdrawn) and finally ``{"type": "done", "outcome"}``. ``llm_judge=False`` (a model that failed
    qualification, see qualify.py) keeps the model to phrasing: the Director does not ask it to rate the question.
    Raises ``InvalidTurn`` before yielding anything if the message or state is unusable."""
    text = _check(scenario, state, message)
    provider = provider or OfflineProvider()
    calls: list[dict[str, Any]] = []

    llm_quality = None
    if provider.enabled and llm_judge:
        result = structured_call(provider, director_request(scenario, text), QuestionJudgementSchema())
        calls += [r.to_dict() for r in result.records]
        if result.data is not None:
            llm_quality = judgement_quality(result.data)

    j = judge(scenario, state, text, llm_quality)
    after, announcements, unlocked_now = _advance(scenario, state, j, text)
    plan = plan_reply(scenario, state, after, j, announcements, unlocked_now)
    reply, source, reason = plan.text, "offline", None
    if provider.enabled and plan.core.strip():
        llm_reply, reason, records = _llm_reply(scenario, after, text, plan, provider)
        calls += records
        if llm_reply is not None:
            reply, source = llm_reply, "llm"
        else:
            source = "offline_fallback"
    for piece in _pieces(reply):
        yield {"type": "chunk", "text": piece}

    after["transcript"] = [*state["transcript"],
                           {"role": "student", "text": text, "turn": j.turn},
                           {"role": "client", "text": reply, "turn": j.turn, "source": source}]
    judgement = j.to_dict()
    after["judgements"] = [*state["judgements"], judgement]
    outcome = TurnOutcome(reply=reply, feedback=j.feedback, state=after, judgement=j.to_dict(),
                          source=source, fallback_reason=reason, llm_calls=calls)
    yield {"type": "done", "outcome": outcome}


def take_turn(scenario: Scenario, state: dict[str, Any], message: str, provider: Provider | None = None,
              *, llm_judge: bool = True) -> TurnOutcome:
    """One student message -> the client's reply, per-turn feedback and the new state (input untouched)."""
    outcome = None
    for event in stream_turn(scenario, state, message, provider, llm_judge=llm_judge):
        if event["type"] == "done":
            outcome = event["outcome"]
    assert outcome is not None
    return outcome


def replay(scenario: Scenario, messages: list[str], difficulty: str | None = None) -> dict[str, Any]:
    """Rebuild a session's state offline from the student's messages (regrades, audits)."""
    state = start_session(scenario, difficulty)
    for message in messages:
        state = take_turn(scenario, state, message).state
    return state


def finish_session(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "finished": True}


def _scenario_for(state: dict[str, Any], scenario: Scenario | None) -> Scenario:
    return scenario if scenario is not None else load_scenario(state["scenario_id"])


def student_view(state: dict[str, Any], scenario: Scenario | None = None) -> dict[str, Any]:
    """Everything a student may see: the conversation, per-turn feedback, progress as a count (never which
    constraints), and the coding task's public part once unlocked. Built field by field from an allow-list."""
    sc = _scenario_for(state, scenario)
    discovered = sum(1 for c in sc.constraints if state["constraints"][c.id]["level"] == REVEAL)
    return {
        "phase": PHASE,
        "scenario_id": sc.id,
        "title": sc.meta.title,
        "persona": {"name": sc.persona.name, "role": sc.persona.role},
        "turn": state["turn"],
        "progress": {"discovered": discovered, "total": len(sc.constraints)},
        "messages": [{"role": m["role"], "text": m["text"]} for m in state["transcript"]],
        "feedback": [{"turn": j["turn"], "line": j["feedback"]} for j in state["judgements"]],
        "coding_task_unlocked": bool(state["unlocked"]),
        "coding_task": coding_view(sc, state),  # the Code Crucible exercise once unlocked (coding.py)
        "finished": bool(state["finished"]),
    }


def instructor_view(state: dict[str, Any], scenario: Scenario | None = None) -> dict[str, Any]:
    """The hidden picture for instructors: each constraint's level and every turn's judgement."""
    sc = _scenario_for(state, scenario)
    return {
        **student_view(state, sc),
        "discovered_fraction": round(discovered_fraction(sc, state), 3),
        "constraints": [
            {"id": c.id, "topic": c.topic, "description": c.description, "weight": c.weight,
             "level": LEVEL_NAMES[state["constraints"][c.id]["level"]],
             "version": state["constraints"][c.id]["version"],
             "changed_to": c.change.description if c.change else None}
            for c in sc.constraints
        ],
        "judgements": state["judgements"],
    }
