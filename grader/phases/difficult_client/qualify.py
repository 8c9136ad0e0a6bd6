"""Qualify a model before trusting its judgement of a student's questions.

The Director may blend a model's rating of each question into the offline quality score. A model that rates
an empathetic expert "low" and a prompt-injecting extractor "high" (measured: SmolLM2-135M did) would cost good
students reveals. So before its ratings count, the configured model rates the scripted students' questions
(scripted.py) of one or more scenarios, and its per-student averages must order the students as the offline
rubric does: at least ``QUALIFY_AGREEMENT`` of the student pairs the rubric separates, the expert above every
other student, and at least ``QUALIFY_ANSWERED`` of its ratings valid. Otherwise the model is used for phrasing
only (``stream_turn(..., llm_judge=False)``) and the reason is logged and printed.

Verdicts are cached per model (provider, base URL, model name) in a small JSON file, so a model is played
through once, not on every start. Run by hand (it prints the table and the reason; exit status 1 when the model
is not trusted):

    .venv/bin/python -m grader.phases.difficult_client.qualify [--scenario ID ...] [--base-url URL --model NAME]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from itertools import combinations
from pathlib import Path
from statistics import mean
from typing import Any

from grader.llm.base import Provider
from grader.llm.structured import structured_call
from grader.phases.difficult_client.catalogue import list_scenarios, load_scenario
from grader.phases.difficult_client.llm_roles import QuestionJudgementSchema, director_request, judgement_quality
from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.scripted import ORDER, STUDENTS
from grader.phases.difficult_client.session import start_session, take_turn

log = logging.getLogger(__name__)

QUALIFY_VERSION = 1  # bump when the scripted questions, the rating prompt or the rule change: verdicts re-run
QUALIFY_AGREEMENT = 0.8  # share of rubric-ordered student pairs the model must order the same way
QUALIFY_ANSWERED = 0.8  # share of questions the model must rate with a valid answer
MIN_GAP = 0.05  # students whose offline averages are closer than this are not ordered by the rubric
STARTUP_SCENARIOS = ("angry_bakery_owner",)  # the start-up check plays one scenario: cheap, still five students
STORE_NAME = "llm_qualification.json"


def model_key(provider: Provider) -> str:
    """One verdict per model as served: the same name on another server may be another model."""
    return f"{provider.name}|{getattr(provider, 'base_url', '')}|{provider.model}"


@dataclass
class Verdict:
    model: str
    trusted: bool
    reason: str
    agreement: float
    answered: float
    students: dict[str, dict[str, float | None]]  # name -> {"offline": mean quality, "llm": mean rating or None}
    disagreements: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    version: int = QUALIFY_VERSION
    checked_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def rate_students(provider: Provider, scenarios: list[Scenario]) -> dict[str, list[tuple[float, float | None]]]:
    """student -> [(offline quality, model's rating or None)] for every scripted question of every scenario.
    The offline quality is the Director's heuristic, from the student's session played offline in order."""
    ratings: dict[str, list[tuple[float, float | None]]] = {name: [] for name in ORDER}
    for scenario in scenarios:
        for name in ORDER:
            state = start_session(scenario)
            for message in STUDENTS[name](scenario):
                outcome = take_turn(scenario, state, message)
                state = outcome.state
                result = structured_call(provider, director_request(scenario, message), QuestionJudgementSchema())
                rating = judgement_quality(result.data) if result.data is not None else None
                ratings[name].append((outcome.judgement["heuristic_quality"], rating))
    return ratings


def judge_ratings(model: str, ratings: dict[str, list[tuple[float, float | None]]],
                  scenario_ids: list[str]) -> Verdict:
    """The verdict on a model from its ratings (pure: the rule lives here, apart from the calls)."""
    students: dict[str, dict[str, float | None]] = {}
    for name, pairs in ratings.items():
        given = [r for _, r in pairs if r is not None]
        students[name] = {"offline": round(mean(q for q, _ in pairs), 3) if pairs else None,
                          "llm": round(mean(given), 3) if given else None}
    total = sum(len(p) for p in ratings.values())
    answered = sum(1 for p in ratings.values() for _, r in p if r is not None) / total if total else 0.0
    ordered, agreed, disagreements = 0, 0, []
    for a, b in combinations(ratings, 2):
        oa, ob = students[a]["offline"], students[b]["offline"]
        if oa is None or ob is None or abs(oa - ob) < MIN_GAP:
            continue
        hi, lo = (a, b) if oa > ob else (b, a)
        ordered += 1
        lh, ll = students[hi]["llm"], students[lo]["llm"]
        if lh is not None and ll is not None and lh > ll:
            agreed += 1
        else:
            disagreements.append(f"the rubric rates {hi} ({students[hi]['offline']}) above {lo} "
                                 f"({students[lo]['offline']}), the model rates {hi} {_fmt(lh)} and {lo} {_fmt(ll)}")
    agreement = agreed / ordered if ordered else 0.0
    top = students.get("expert", {}).get("llm")
    expert_first = "expert" not in students or (top is not None and all(
        row["llm"] is None or row["llm"] < top for name, row in students.items() if name != "expert"))
    reasons = []
    if answered < QUALIFY_ANSWERED:
        reasons.append(f"only {answered:.0%} of its ratings were valid (needs {QUALIFY_ANSWERED:.0%})")
    if agreement < QUALIFY_AGREEMENT:
        reasons.append(f"it orders {agreement:.0%} of the student pairs as the rubric does "
                       f"(needs {QUALIFY_AGREEMENT:.0%})")
    if not expert_first:
        reasons.append("it does not rate the expert above every other student")
    trusted = not reasons
    reason = ("its question ratings order the scripted students as the offline rubric does "
              f"({agreement:.0%} of pairs, {answered:.0%} valid)") if trusted else "; ".join(reasons)
    return Verdict(model=model, trusted=trusted, reason=reason, agreement=round(agreement, 3),
                   answered=round(answered, 3), students=students, disagreements=disagreements,
                   scenarios=scenario_ids)


def _fmt(value: float | None) -> str:
    return "(no valid rating)" if value is None else f"({value})"


def qualify(provider: Provider, scenario_ids: tuple[str, ...] | list[str] | None = None) -> Verdict:
    """Play the scripted students of ``scenario_ids`` (default: every scenario) through the model's rating."""
    ids = list(scenario_ids) if scenario_ids else [m.id for m in list_scenarios()]
    if not provider.enabled:
        return Verdict(model=model_key(provider), trusted=False, reason="no LLM is configured", agreement=0.0,
                       answered=0.0, students={}, scenarios=ids)
    ratings = rate_students(provider, [load_scenario(i) for i in ids])
    return judge_ratings(model_key(provider), ratings, ids)


class VerdictStore:
    """Verdicts by model key in one small JSON file; writes are atomic (a reader never sees half a file)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def load(self, key: str) -> Verdict | None:
        """The stored verdict for ``key``; None when there is none or it was made under other rules."""
        entry = self._read().get(key)
        if not isinstance(entry, dict) or entry.get("version") != QUALIFY_VERSION:
            return None
        try:
            return Verdict.from_dict(entry)
        except TypeError:
            return None

    def save(self, verdict: Verdict) -> None:
        with self._lock:
            data = self._read()
            data[verdict.model] = verdict.to_dict()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".qualify-", suffix=".json")
            with os.fdopen(fd, "w") as out:
                json.dump(data, out, indent=1, sort_keys=True)
            os.replace(tmp, self.path)


def ensure_verdict(provider: Provider, store: VerdictStore,
                   scenario_ids: tuple[str, ...] = STARTUP_SCENARIOS) -> Verdict:
    """The cached verdict for this model, or a fresh one (played, stored and logged with its reason)."""
    key = model_key(provider)
    cached = store.load(key)
    if cached is not None:
        return cached
    verdict = qualify(provider, scenario_ids)
    store.save(verdict)
    level = logging.INFO if verdict.trusted else logging.WARNING
    log.log(level, "LLM %s %s for the Difficult Client's question rating: %s", key,
            "qualified" if verdict.trusted else "NOT qualified (phrasing only)", verdict.reason)
    return verdict


def report(verdict: Verdict) -> str:
    """The verdict as the operator reads it."""
    lines = [f"model: {verdict.model}", f"scenarios: {', '.join(verdict.scenarios)}",
             f"{'student':<10} {'rubric':>7} {'model':>7}"]
    for name, row in verdict.students.items():
        offline, llm = row["offline"], row["llm"]
        lines.append(f"{name:<10} {'-' if offline is None else f'{offline:.2f}':>7} "
                     f"{'-' if llm is None else f'{llm:.2f}':>7}")
    lines.append(f"pairs ordered as the rubric: {verdict.agreement:.0%}; valid ratings: {verdict.answered:.0%}")
    lines += [f"  - {d}" for d in verdict.disagreements]
    lines.append(("TRUSTED: the Director may blend its ratings — " if verdict.trusted else
                  "NOT TRUSTED: the model is used for phrasing only — ") + verdict.reason)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", help="scenario id (repeatable; default: all)")
    parser.add_argument("--base-url", help="OpenAI-compatible base URL (default: CR_LLM_BASE_URL)")
    parser.add_argument("--model", help="model name (default: CR_LLM_MODEL)")
    parser.add_argument("--store", type=Path, help=f"verdict file (default: CR_DATA_DIR/{STORE_NAME})")
    parser.add_argument("--no-save", action="store_true", help="print the verdict without storing it")
    args = parser.parse_args(argv)
    from config import load_settings  # the command's only tie to the app's configuration
    from grader.llm.factory import make_provider

    settings = load_settings()
    overrides = {k: v for k, v in (("llm_base_url", args.base_url), ("llm_model", args.model)) if v}
    if overrides:  # naming a server or a model means "that OpenAI-compatible one"
        settings = replace(settings, llm_provider="openai", **overrides)
    provider = make_provider(settings)
    if not provider.enabled:
        print("CR_LLM_PROVIDER is offline: there is no model to qualify (the Director uses the rubric alone).")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    verdict = qualify(provider, args.scenario)
    if not args.no_save:
        store = VerdictStore(args.store or settings.data_dir / STORE_NAME)
        store.save(verdict)
        print(f"stored in {store.path}")
    print(report(verdict))
    return 0 if verdict.trusted else 1


if __name__ == "__main__":
    sys.exit(main())
