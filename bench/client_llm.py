"""The Difficult Client's LLM path, measured per configured model: one bench line per model.

Plays every scenario (or those named) x the five scripted students (grader/phases/difficult_client/scripted.py)
through the domain engine with the model, as the web does: the model's question rating is first qualified
(qualify.py: it counts in the Director only if it orders the students as the offline rubric does), then each
session is played with the model phrasing the client (``stream_turn``), then the report-card narrative.

Printed:
  * fallback rate: turns whose model reply was refused (and why) over turns that asked the model;
  * withdrawn text: turns whose streamed chunks are not exactly the stored reply, or that sent anything but
    chunks and done (target 0; 0 by construction, counted anyway);
  * invention count: accepted model replies that an independent audit flags (target 0): prompt scaffolding,
    a secret the Director had not released, or a number or capitalised name appearing nowhere in the scenario's
    truth file;
  * rating-vs-rubric agreement: the share of student pairs the model's ratings order as the offline rubric does,
    and the verdict (trusted to judge, or phrasing only);
  * narratives accepted / fallen back; grade letters against the offline engine's for the same messages.

    .venv/bin/python bench/client_llm.py                      # starts the local llama.cpp server (SmolLM2-135M)
    .venv/bin/python bench/client_llm.py --base-url URL --model NAME [--api-key KEY]
    .venv/bin/python bench/client_llm.py --scenario angry_bakery_owner --students expert,rude   # a subset
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.llm import OpenAIProvider, Provider  # noqa: E402
from grader.phases.difficult_client import (  # noqa: E402
    CodeResult,
    evaluate_session,
    list_scenarios,
    load_scenario,
    start_session,
    stream_turn,
    undiscovered_secrets,
)
from grader.phases.difficult_client.grounding import NUMBER_WORDS, scaffolding  # noqa: E402
from grader.phases.difficult_client.models import Scenario  # noqa: E402
from grader.phases.difficult_client.qualify import judge_ratings, model_key, rate_students  # noqa: E402
from grader.phases.difficult_client.scripted import ORDER, STUDENTS  # noqa: E402
from grader.scoring.grades import GRADE_SCALE  # noqa: E402

LETTERS = [letter for _, letter in GRADE_SCALE]
SCENARIOS = ROOT / "grader" / "phases" / "difficult_client" / "scenarios"
# Same code for the online and offline session: the grade difference is the conversation's alone.
CODE = CodeResult(passed=10, total=10, quality=1.0)
_NUMBER = re.compile(r"\b\d+(?:[.:,]\d+)*\b")
_CAPITAL = re.compile(r"(?<=[a-z,;] )[A-Z][a-zA-Z'’-]+")


@contextlib.contextmanager
def local_llama() -> Iterator[str]:
    """The test suite's llama.cpp server (SmolLM2-135M, one thread): the default model of this bench."""
    from tests.support.llama_server import MISSING, llama_server, model_path

    model = model_path()
    if model is None:
        raise SystemExit(MISSING)
    with tempfile.TemporaryDirectory() as folder, llama_server(model, Path(folder) / "server.log") as base:
        yield base


@functools.cache
def truth_text(scenario_id: str) -> str:
    """The whole truth file, lower-cased, with number words also written as digits ("seven" -> "seven 7")."""
    text = (SCENARIOS / f"{scenario_id}.yaml").read_text().lower()
    return re.sub(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", lambda m: f"{m.group(0)} {NUMBER_WORDS[m.group(0)]}", text)


def audit(reply: str, scenario: Scenario, state: dict[str, Any]) -> list[str]:
    """An accepted reply's problems, judged independently of the engine's own checks: scaffolding, a secret not
    yet released, a number or a capitalised name that the whole truth file never uses."""
    problems = []
    truth = truth_text(scenario.id)
    found = scaffolding(reply, scenario.persona.name, truth)
    if found:  # words the client's own truth file uses ("I've rewritten it eleven times") are not scaffolding
        problems.append(f"scaffolding {found!r}")
    lowered = reply.lower()
    problems += [f"secret {s[:40]!r}" for s in undiscovered_secrets(state, scenario) if s.lower() in lowered]
    problems += [f"number {n}" for n in _NUMBER.findall(reply) if not re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])",
                                                                             truth)]
    problems += [f"name {w}" for w in _CAPITAL.findall(reply)
                 if re.sub(r"['’]s$", "", w).lower() not in truth and w not in ("I", "I'm", "I'll", "I've", "I'd")]
    return problems


def play(scenario: Scenario, messages: list[str], provider: Provider | None, llm_judge: bool
         ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The final state and, per turn, what the page was sent and what was stored."""
    state, turns = start_session(scenario), []
    for message in messages:
        events = list(stream_turn(scenario, state, message, provider, llm_judge=llm_judge))
        outcome = events[-1]["outcome"]
        shown = "".join(e["text"] for e in events if e["type"] == "chunk")
        withdrawn = shown != outcome.reply or any(e["type"] not in ("chunk", "done") for e in events)
        asked = any(c.get("purpose") == "actor" for c in outcome.llm_calls)
        turns.append({"source": outcome.source, "reason": outcome.fallback_reason, "asked": asked,
                      "withdrawn": withdrawn, "reply": outcome.reply,
                      "audit": audit(outcome.reply, scenario, outcome.state) if outcome.source == "llm" else []})
        state = outcome.state
    return state, turns


def step(a: str, b: str) -> int:
    return abs(LETTERS.index(a) - LETTERS.index(b))


def bench(provider: Provider, scenario_ids: list[str], students: list[str], log: bool) -> dict[str, Any]:
    started = time.perf_counter()
    scenarios = [load_scenario(i) for i in scenario_ids]
    ratings = rate_students(provider, scenarios)  # the qualification, over the scenarios played here
    verdict = judge_ratings(model_key(provider), {k: v for k, v in ratings.items() if k in students}, scenario_ids)
    turns: list[dict[str, Any]] = []
    narratives: Counter[str] = Counter()
    grades = {"same": 0, "one_step": 0, "sessions": 0, "ordered": 0, "scenarios": 0}
    examples: list[str] = []
    accepted_narratives: list[str] = []
    for scenario in scenarios:
        letters = {}
        for name in students:
            messages = STUDENTS[name](scenario)
            state, played = play(scenario, messages, provider, verdict.trusted)
            offline_state, _ = play(scenario, messages, None, False)
            online = evaluate_session(scenario, state, CODE, provider)
            offline = evaluate_session(scenario, offline_state, CODE)
            narratives[online.narrative_source] += 1
            if online.narrative_source == "llm" and len(accepted_narratives) < 3:
                accepted_narratives.append(f"{scenario.id}/{name}: {online.strengths + online.improvements}")
            grades["sessions"] += 1
            grades["same"] += online.grade.letter == offline.grade.letter
            grades["one_step"] += step(online.grade.letter, offline.grade.letter) <= 1
            letters[name] = (online.grade.score, offline.grade.score)
            turns += played
            for t in played:
                if t["audit"] and len(examples) < 5:
                    examples.append(f"{scenario.id}/{name}: {t['audit']} in {t['reply'][:100]!r}")
            if log:
                sources = Counter(t["reason"] or t["source"] for t in played)
                print(f"  {scenario.id} {name}: {dict(sources)}; grade {online.grade.letter} "
                      f"(offline {offline.grade.letter}); narrative {online.narrative_source}", flush=True)
        # The ordering of the students holds when the online grades sort them as the offline ones do.
        by_online = sorted(letters, key=lambda n: -letters[n][0])
        by_offline = sorted(letters, key=lambda n: -letters[n][1])
        grades["scenarios"] += 1
        grades["ordered"] += by_online == by_offline
    asked = [t for t in turns if t["asked"]]
    fallbacks = [t for t in asked if t["source"] == "offline_fallback"]
    accepted = [t for t in turns if t["source"] == "llm"]
    return {
        "model": model_key(provider),
        "scenarios": len(scenarios), "students": students, "turns": len(turns), "asked": len(asked),
        "fallback_rate": round(len(fallbacks) / len(asked), 3) if asked else None,
        "fallback_reasons": dict(Counter(t["reason"] for t in fallbacks).most_common()),
        "withdrawn": sum(t["withdrawn"] for t in turns),
        "accepted": len(accepted), "inventions": sum(1 for t in accepted if t["audit"]),
        "agreement": verdict.agreement, "ratings_valid": verdict.answered, "trusted": verdict.trusted,
        "verdict": verdict.reason, "narratives": dict(narratives), "grades": grades, "examples": examples,
        "accepted_narratives": accepted_narratives,
        "accepted_samples": [t["reply"][:160] for t in accepted[::max(1, len(accepted) // 5)]][:5],
        "seconds": round(time.perf_counter() - started, 1),
    }


def line(result: dict[str, Any]) -> str:
    g, n = result["grades"], result["narratives"]
    rate = "-" if result["fallback_rate"] is None else f"{result['fallback_rate']:.0%}"
    return (f"{result['model']}: {result['scenarios']} scenarios x {len(result['students'])} students, "
            f"{result['turns']} turns | fallback {rate} of {result['asked']} ({result['fallback_reasons']}) | "
            f"withdrawn text {result['withdrawn']} | accepted replies {result['accepted']}, inventions "
            f"{result['inventions']} | rating-vs-rubric agreement {result['agreement']:.0%} "
            f"({'trusted' if result['trusted'] else 'phrasing only'}) | narratives llm {n.get('llm', 0)}, "
            f"fallback {n.get('offline_fallback', 0)} | grades: same letter {g['same']}/{g['sessions']}, within one "
            f"step {g['one_step']}/{g['sessions']}, student order held in {g['ordered']}/{g['scenarios']} scenarios "
            f"| {result['seconds']} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="an OpenAI-compatible server (default: start the local llama.cpp one)")
    parser.add_argument("--model", action="append", help="model name (repeatable: one bench line per model)")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--scenario", action="append", help="scenario id (repeatable; default: all)")
    parser.add_argument("--students", default=",".join(ORDER), help="comma-separated subset of " + ",".join(ORDER))
    parser.add_argument("--json", action="store_true", help="also print each result as JSON")
    parser.add_argument("--quiet", action="store_true", help="no per-session lines")
    args = parser.parse_args(argv)
    scenario_ids = args.scenario or [m.id for m in list_scenarios()]
    students = [s for s in args.students.split(",") if s]
    unknown = set(students) - set(ORDER)
    if unknown:
        parser.error(f"unknown students {sorted(unknown)}")
    with contextlib.ExitStack() as stack:
        base = args.base_url or stack.enter_context(local_llama())
        for model in args.model or ["smollm2-135m"]:
            provider = OpenAIProvider(base_url=base, model=model, api_key=args.api_key, timeout=args.timeout,
                                      max_retries=0)
            result = bench(provider, scenario_ids, students, log=not args.quiet)
            print(line(result))
            for example in result["examples"]:
                print(f"    audit: {example}")
            for sample in result["accepted_samples"]:
                print(f"    accepted reply: {sample!r}")
            for narrative in result["accepted_narratives"]:
                print(f"    narrative accepted: {narrative}")
            if args.json:
                print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
