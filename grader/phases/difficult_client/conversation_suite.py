"""Conversation suites: natural student questions for one scenario, each with what the client should do with it,
played against the offline engine to measure "replies that fit the question".

A suite is a YAML file (one per scenario)::

    scenario: angry_bakery_owner
    cases:
      - ask: "What's the biggest problem in the shop right now?"
        kind: open            # one of KINDS
        before: []            # earlier student messages, played first (optional)
        expect:
          intent: world       # the Director's intent for ``ask`` (director.INTENTS)
          about: last_time    # optional: a constraint id or a world key (``extra:<n>``)
          max_level: hint     # optional: the highest level ``ask`` may newly grant (default reveal)
          min_level: nothing  # optional: the level the ``about`` constraint must reach after ``ask``
          new: true           # optional (default true): the reply differs from every earlier client line

Each case is played on a fresh medium-difficulty session after its ``before`` messages. Plain data in, plain data
out: nothing here prints, writes or keeps state between calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.phases.difficult_client.catalogue import load_scenario
from grader.phases.difficult_client.director import INTENTS
from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.session import start_session, take_turn

KINDS = ("open", "closed", "vague", "follow_up", "off_topic", "repeated", "stuffed", "rude", "jargon", "general")
LEVELS = {"nothing": 0, "hint": 1, "reveal": 2}
SUITE_DIFFICULTY = "medium"
_EXPECT_KEYS = {"intent", "about", "max_level", "min_level", "new"}
_CASE_KEYS = {"ask", "kind", "before", "expect"}


class SuiteError(ValueError):
    """A suite file that cannot be played; the message names the case and the problem."""


@dataclass(frozen=True)
class Expectation:
    intent: str
    about: str | None = None
    max_level: str = "reveal"
    min_level: str = "nothing"
    new: bool = True


@dataclass(frozen=True)
class Case:
    ask: str
    kind: str
    expect: Expectation
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suite:
    scenario_id: str
    cases: tuple[Case, ...]
    source: str = ""


@dataclass(frozen=True)
class CaseResult:
    number: int  # 1-based position in the suite
    ask: str
    kind: str
    misses: tuple[str, ...]  # each unmet expectation, in words; empty when the case fits
    intent: str
    about: str | None  # the world key or target the Director chose
    reply: str

    @property
    def fits(self) -> bool:
        return not self.misses

    def describe(self) -> str:
        return (f"#{self.number} [{self.kind}] {self.ask!r}: {'; '.join(self.misses)} "
                f"(got intent {self.intent}, about {self.about}; reply {self.reply!r})")


@dataclass(frozen=True)
class SuiteResult:
    scenario_id: str
    results: tuple[CaseResult, ...]

    @property
    def fitting(self) -> int:
        return sum(1 for r in self.results if r.fits)

    @property
    def fit(self) -> float:
        """Share of the cases whose reply fits the question (0..1)."""
        return self.fitting / len(self.results) if self.results else 0.0

    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not r.fits]


def _problem(where: str, reason: str) -> SuiteError:
    return SuiteError(f"{where}: {reason}")


def _expectation(raw: Any, where: str) -> Expectation:
    if not isinstance(raw, dict) or "intent" not in raw:
        raise _problem(where, "expect must be a mapping with an intent")
    unknown = set(raw) - _EXPECT_KEYS
    if unknown:
        raise _problem(where, f"unknown expect key(s): {', '.join(sorted(unknown))}")
    if raw["intent"] not in INTENTS:
        raise _problem(where, f"intent {raw['intent']!r} is not one of {', '.join(INTENTS)}")
    for key in ("max_level", "min_level"):
        if key in raw and raw[key] not in LEVELS:
            raise _problem(where, f"{key} {raw[key]!r} is not one of {', '.join(LEVELS)}")
    if "new" in raw and not isinstance(raw["new"], bool):
        raise _problem(where, "new must be true or false")
    about = raw.get("about")
    return Expectation(intent=raw["intent"], about=None if about is None else str(about),
                       max_level=raw.get("max_level", "reveal"), min_level=raw.get("min_level", "nothing"),
                       new=raw.get("new", True))


def parse_suite(data: Any, source: str = "") -> Suite:
    """A suite from its YAML data; raises ``SuiteError`` naming the case and the problem."""
    if not isinstance(data, dict) or not isinstance(data.get("scenario"), str) or not isinstance(
            data.get("cases"), list):
        raise _problem(source or "suite", "needs a scenario id and a list of cases")
    cases = []
    for n, raw in enumerate(data["cases"], start=1):
        where = f"{source or data['scenario']} case {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("ask"), str) or not raw["ask"].strip():
            raise _problem(where, "needs an ask")
        unknown = set(raw) - _CASE_KEYS
        if unknown:
            raise _problem(where, f"unknown key(s): {', '.join(sorted(unknown))}")
        if raw.get("kind") not in KINDS:
            raise _problem(where, f"kind {raw.get('kind')!r} is not one of {', '.join(KINDS)}")
        before = raw.get("before") or []
        if not isinstance(before, list) or not all(isinstance(m, str) and m.strip() for m in before):
            raise _problem(where, "before must be a list of messages")
        cases.append(Case(ask=raw["ask"], kind=raw["kind"], expect=_expectation(raw.get("expect"), where),
                          before=tuple(before)))
    return Suite(scenario_id=data["scenario"], cases=tuple(cases), source=source)


def load_suite(path: Path | str) -> Suite:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _problem(path.name, f"not valid YAML ({exc})") from exc
    return parse_suite(data, source=path.name)


def suite_files(folder: Path | str) -> list[Path]:
    return sorted(Path(folder).glob("*.yaml"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _newly_granted(scenario: Scenario, before: dict[str, Any], after: dict[str, Any]) -> int:
    """The highest level any constraint rose to in one turn (a scheduled change of mind is not a grant)."""
    best = 0
    for c in scenario.constraints:
        old, new = before["constraints"][c.id], after["constraints"][c.id]
        if old["version"] == new["version"] and new["level"] > old["level"]:
            best = max(best, new["level"])
    return best


def _about_constraint(scenario: Scenario, about: str | None) -> str | None:
    """The constraint ``min_level`` applies to: ``about`` itself, or the constraint a world key leads to."""
    if about is None:
        return None
    if any(c.id == about for c in scenario.constraints):
        return about
    if scenario.world is None or about not in scenario.world.topic_keys():
        return None
    return scenario.world.lead(about)


def play_case(scenario: Scenario, case: Case, number: int = 1) -> CaseResult:
    """Play one case on a fresh medium session and compare what happened with what it expects."""
    state = start_session(scenario, SUITE_DIFFICULTY)
    for message in case.before:
        state = take_turn(scenario, state, message).state
    outcome = take_turn(scenario, state, case.ask)
    j, expect, misses = outcome.judgement, case.expect, []
    if j["intent"] != expect.intent:
        misses.append(f"intent: expected {expect.intent}, got {j['intent']}")
    if expect.about is not None and expect.about not in (j["target"], j["world"]):
        misses.append(f"about: expected {expect.about}, got {j['world'] or j['target']}")
    granted = _newly_granted(scenario, state, outcome.state)
    if granted > LEVELS[expect.max_level]:
        names = {v: k for k, v in LEVELS.items()}
        misses.append(f"level: at most {expect.max_level} expected, granted {names[granted]}")
    if LEVELS[expect.min_level] > 0:
        cid = _about_constraint(scenario, expect.about)
        reached = outcome.state["constraints"][cid]["level"] if cid else 0
        if reached < LEVELS[expect.min_level]:
            misses.append(f"level: {cid or expect.about} should reach {expect.min_level}, is at {reached}")
    if expect.new and any(_norm(outcome.reply) == _norm(m["text"]) for m in state["transcript"] if m["role"] ==
                          "client"):
        misses.append("reply: not new (the client said exactly this before)")
    return CaseResult(number=number, ask=case.ask, kind=case.kind, misses=tuple(misses), intent=j["intent"],
                      about=j["world"] or j["target"], reply=outcome.reply)


def play_suite(suite: Suite, scenario: Scenario | None = None) -> SuiteResult:
    scenario = scenario or load_scenario(suite.scenario_id)
    if scenario.id != suite.scenario_id:
        raise SuiteError(f"{suite.source or suite.scenario_id}: the suite is for {suite.scenario_id}, "
                         f"not {scenario.id}")
    return SuiteResult(suite.scenario_id, tuple(play_case(scenario, c, n) for n, c in enumerate(suite.cases, start=1)))
