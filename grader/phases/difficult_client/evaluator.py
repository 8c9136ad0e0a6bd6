"""The Evaluator: the end-of-session grade, computed by code from the recorded state and real test results.

An LLM may write the narrative (strengths, improvements); it never sees or sets a number it could change,
and its text is checked for leaks of constraints the student never discovered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from grader.llm.base import Provider
from grader.llm.structured import structured_call
from grader.phases.difficult_client.actor import forbidden_facts, mentions
from grader.phases.difficult_client.coding import hidden_count
from grader.phases.difficult_client.director import HINT, REVEAL
from grader.phases.difficult_client.llm_roles import NarrativeSchema, evaluator_request
from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.scoring import difficult_client_grade
from grader.scoring.grades import Grade

HINT_CREDIT = 0.3  # a constraint the student only half uncovered
# A narrative must not state a grade or a score: those come from the rubric alone.
GRADE_TALK = re.compile(r"(\b[A-DF][+-](?!\w)|\bgrade\b|\bscore\b|\d+\s*(/\s*\d+|%|points?\b|marks?\b))", re.I)


@dataclass(frozen=True)
class CodeResult:
    """The sandbox's real execution of the hidden tests, passed in as data.

    ``quality`` (0..1) and ``quality_evidence`` come from the Submit's real linter run (coding.code_quality); None
    when the Submit carries no measurement (it then earns no quality points). Never computed from ``source`` here:
    a comment in the code cannot move the grade.
    """

    passed: int
    total: int
    source: str = ""
    language: str = "python"
    quality: float | None = None
    quality_evidence: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CodeResult:
        return cls(passed=int(data["passed"]), total=int(data["total"]), source=str(data.get("source", "")),
                   language=str(data.get("language", "python")),
                   quality=None if data.get("quality") is None else float(data["quality"]),
                   quality_evidence=str(data.get("quality_evidence") or ""))


@dataclass
class Evaluation:
    grade: Grade
    strengths: list[str]
    improvements: list[str]
    narrative_source: str  # "offline", "llm" or "offline_fallback"
    llm_calls: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"grade": self.grade.to_dict(), "strengths": self.strengths, "improvements": self.improvements,
                "narrative_source": self.narrative_source, "llm_calls": self.llm_calls}


def constraint_credit(scenario: Scenario, state: dict[str, Any]) -> tuple[float, int, int]:
    """(weighted credit 0..1, fully discovered count, total) — hints earn HINT_CREDIT of their weight."""
    credit = 0.0
    for c in scenario.constraints:
        level = state["constraints"][c.id]["level"]
        credit += c.weight * (1.0 if level == REVEAL else HINT_CREDIT if level == HINT else 0.0)
    full = sum(1 for c in scenario.constraints if state["constraints"][c.id]["level"] == REVEAL)
    return credit / scenario.total_weight, full, len(scenario.constraints)


def _signal_counts(state: dict[str, Any]) -> dict[str, int]:
    js = state["judgements"]
    return {
        "turns": len(js),
        "empathetic": sum(1 for j in js if j["signals"]["empathetic"]),
        "open": sum(1 for j in js if j["signals"]["question_type"] == "open"),
        "closed": sum(1 for j in js if j["signals"]["question_type"] == "closed"),
        "jargon": sum(1 for j in js if j["signals"]["jargon_heavy"]),
        "rude": sum(1 for j in js if j["signals"]["rude"]),
        "gaming": sum(1 for j in js if j["signals"]["extraction"] or j["signals"]["injection"]),
        # Keyword lists and repeats of an earlier message (judgements from before intents have none).
        "stuffed": sum(1 for j in js if j.get("intent") in ("stuffed", "repeat")),
    }


def _offline_narrative(counts: dict[str, int], found: int, total: int, unlocked: bool,
                       code: CodeResult | None) -> tuple[list[str], list[str]]:
    strengths, improvements = [], []
    turns = max(1, counts["turns"])
    if counts["empathetic"] >= turns / 2:
        strengths.append("You showed empathy for the client's situation in most of your questions.")
    if counts["open"] >= turns / 2:
        strengths.append("You asked mostly open questions, which let the client explain in their own words.")
    if found == total:
        strengths.append("You uncovered every one of the client's constraints.")
    elif found >= total / 2:
        strengths.append(f"You uncovered {found} of the {total} constraints.")
    if code is not None and unlocked and code.total and code.passed == code.total:
        strengths.append("Your code passed every hidden test.")
    if counts["rude"]:
        improvements.append("Some messages came across as rude; a frustrated client shares less.")
    if counts["jargon"]:
        improvements.append("Replace technical jargon with plain words the client uses.")
    if counts["gaming"]:
        improvements.append("Asking for everything at once (or instructing the system) reveals nothing; "
                            "ask about one concern at a time.")
    if counts["stuffed"]:
        improvements.append("Lists of keywords and repeated messages earn nothing; ask one real question at a time, "
                            "in a full sentence.")
    if counts["closed"] > counts["open"]:
        improvements.append("Prefer open questions (what, how, tell me about) over yes/no questions.")
    if found < total:
        improvements.append(f"{total - found} constraint(s) stayed hidden; follow up when the client hints at "
                            "something.")
    if not unlocked:
        improvements.append("Discover enough of the client's needs to unlock the coding task.")
    if not strengths:
        strengths.append("You completed the conversation.")
    if not improvements:
        improvements.append("Keep summarising what you heard back to the client to confirm it.")
    return strengths[:3], improvements[:3]


def evaluate_session(scenario: Scenario, state: dict[str, Any], code_result: CodeResult | dict[str, Any] | None,
                     provider: Provider | None = None) -> Evaluation:
    """Grade a Difficult Client session. Code is only credited if the coding task was unlocked."""
    code = CodeResult.from_dict(code_result) if isinstance(code_result, dict) else code_result
    fraction, found, total = constraint_credit(scenario, state)
    qualities = [j["quality"] for j in state["judgements"]]
    question_quality = mean(qualities) if qualities else 0.0
    if code is None or not state["unlocked"]:
        passed, tests_total, code_q = 0, hidden_count(scenario, state), 0.0
        code_ev = "coding task was not unlocked" if not state["unlocked"] else "no code was submitted"
        quality_ev = code_ev
    else:
        passed, tests_total = code.passed, code.total or hidden_count(scenario, state)
        code_ev = f"{min(max(0, passed), tests_total)}/{tests_total} hidden tests passed (sandbox)"
        if code.quality is not None:
            code_q, quality_ev = code.quality, code.quality_evidence or "measured by the linter on the Submit"
        else:
            code_q, quality_ev = 0.0, "not measured: the Submit carries no linter results"
    counts = _signal_counts(state)
    grade = difficult_client_grade(
        constraint_fraction=fraction, question_quality=question_quality, tests_passed=passed,
        tests_total=tests_total, code_quality=code_q,
        # One line for the gradebook's comment (the AGS passback puts the letter before it).
        summary=f"Difficult Client: {found}/{total} constraints found, "
                f"{min(max(0, passed), tests_total)}/{tests_total} hidden tests passed",
        evidence={
            "constraints": f"{found}/{total} constraints fully discovered ({fraction:.0%} credit by weight)",
            "question_quality": f"mean quality {question_quality:.2f} over {counts['turns']} question(s); "
                                f"{counts['empathetic']} empathetic, {counts['open']} open, {counts['jargon']} "
                                f"jargon-heavy, {counts['rude']} rude, {counts['gaming']} gaming, "
                                f"{counts['stuffed']} keyword lists or repeats",
            "code_correctness": code_ev,
            "code_quality": quality_ev,
        },
    )
    strengths, improvements = _offline_narrative(counts, found, total, state["unlocked"], code)
    source, calls = "offline", []
    if provider is not None and provider.enabled:
        lines = [f"{i.item}: {i.evidence}" for i in grade.items]
        lines += [f"student: {m['text']}" for m in state["transcript"] if m["role"] == "student"][-12:]
        # The schema rejects items that are not real sentences about this session (bare numbers, grade talk,
        # filler); its reasons go back to the model in the one repair request.
        session = lines + [m["text"] for m in state["transcript"]]
        result = structured_call(provider, evaluator_request(lines), NarrativeSchema(session=session))
        calls = [r.to_dict() for r in result.records]
        forbidden = forbidden_facts(scenario, state)
        texts = [] if result.data is None else result.data["strengths"] + result.data["improvements"]
        if result.data is not None and not any(GRADE_TALK.search(t) or any(mentions(t, f) for f in forbidden)
                                               for t in texts):
            strengths, improvements, source = result.data["strengths"], result.data["improvements"], "llm"
        else:
            source = "offline_fallback"
    return Evaluation(grade=grade, strengths=strengths, improvements=improvements, narrative_source=source,
                      llm_calls=calls)
