"""With an LLM: a few sentences of review in a mentor's voice after a Submit, grounded in the real run.

The model is sent only what the student may see: the statement as the student reads it, their own code (as a
data block), the visible examples that failed with expected and actual values, the edge-case tags of the hidden
tests that failed (a missed requirement's tests are only "requirement"), the linter's top findings, the
efficiency band and the offline mentor's lines. It never gets a hidden input or expected value, a requirement
the student did not learn, the reference or the points.

Code checks the reply before it is shown (``check_review``): bounded length, prose (no code blocks, no
delimiters), no talk of grades, scores or points, nothing about JSON or prompts, something of this run (the
function, a tag, a name from the code, the tests or examples) rather than nonsense, no value of a hidden test
that the student has not seen, nothing distinctive of a requirement the student missed, and no claim that
everything passes when it did not. Anything else (a timeout, garbage, a failed check) leaves the offline mentor
feedback alone. The review never changes the score: it is computed after the points and touches nothing but its
own field.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, fields, validate

from grader.llm import ChatRequest, Provider, data_block, structured_call
from grader.llm.prompts import DATA_RULE
from grader.workbench.notation import literal

if TYPE_CHECKING:
    from grader.phases.code_crucible.exercise import Exercise

MIN_CHARS, MAX_CHARS = 20, 700
MAX_SENTENCES = 6
BUDGET_SECONDS = 12.0  # the Submit's result waits at most this long for a review
MAX_FACT_FINDINGS = 3
GRADE_TALK = re.compile(r"\b(scores?|scored|scoring|grades?|graded|grading|points?|marks?|rubric|percentage|"
                        r"pass(?:ing)? rate)\b|\b\d+(?:\.\d+)?\s*/\s*\d+\b|\bout of \d+\b", re.I)
ALL_PASS = re.compile(r"\b(all|every)( of)?( the| your)?( \d+)?( hidden| visible)? (tests?|examples?|cases?) "
                      r"(now )?(pass|passed|are passing|succeed)|\bpass(es|ed)? (all|every)\b|\bno (test|case)s? "
                      r"fail", re.I)
SENTENCE_END = re.compile(r"[.!?](\s|$)")
OFF_TOPIC = re.compile(r"\b(json|prompt|instructions?|system message|assistant|language model|as an ai|"
                       r"data block)\b", re.I)
GROUNDING_WORDS = ("test", "example", "edge case", "linter", "input", "output", "return")
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{3,}\b")
_KEYWORDS = frozenset(("def", "return", "for", "while", "if", "else", "elif", "import", "from", "class", "const", "let",
                       "function", "public", "static", "private", "void", "true", "false", "none", "null", "self",
                       "this", "with", "then", "list", "dict", "string", "int", "len", "range", "print", "new",
                       "module", "exports", "require", "use", "strict", "pass", "raise", "throw", "lambda", "yield"))
_WORD = re.compile(r"[A-Za-z][A-Za-z_'-]{4,}")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_SMALL = frozenset(("which", "there", "their", "these", "those", "would", "could", "should", "about", "every",
                    "after", "before", "first", "where", "while", "other", "always", "never", "still", "under"))


class ReviewSchema(Schema):
    class Meta:
        unknown = RAISE

    review = fields.String(required=True, validate=validate.Length(min=MIN_CHARS, max=MAX_CHARS))


REVIEW_JSON_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"review": {"type": "string"}},
                                      "required": ["review"]}


@dataclass
class Review:
    text: str | None  # shown only when not None
    source: str  # llm, offline (no LLM), offline_fallback
    reason: str | None = None  # why the offline feedback stands: an LLMError kind, invalid, or a check's name
    llm_calls: list[dict[str, Any]] = field(default_factory=list)


# -- what the model is told ------------------------------------------------------------------------------------
def facts(exercise: Exercise, result: dict[str, Any]) -> list[str]:
    """The run as the student saw it, one line each."""
    report = result.get("report") or {}
    lines: list[str] = []
    if report.get("load_error"):
        lines.append("The code did not load: " + str(report["load_error"]).strip().splitlines()[-1][:200])
    cases = report.get("cases") or []
    examples = [c for c in cases if c.get("group") == "example"]
    for case in examples:
        if not case.get("passed"):
            shown = case.get("shown") or {}
            lines.append(f"Visible {case.get('name')}: {shown.get('call', '')} returned {shown.get('actual', '')}, "
                         f"expected {shown.get('expected', '')} ({case.get('status')}).")
    passed = sum(1 for c in examples if c.get("passed"))
    lines.append(f"Visible examples passing: {passed} of {len(examples)}.")
    hidden = result.get("hidden") or {}
    if hidden.get("total"):
        failing = hidden["total"] - hidden.get("passed", 0)
        tags = ", ".join(result.get("tags_failed") or []) or "none"
        lines.append(f"Hidden tests failing: {failing} of {hidden['total']}; their edge-case tags: {tags}.")
    quality = result.get("quality") or {}
    for finding in (quality.get("findings") or [])[:MAX_FACT_FINDINGS]:
        lines.append(f"{quality.get('tool', 'Linter')} line {finding.get('line')}: {finding.get('rule')} "
                     f"{finding.get('message', '')}".strip())
    band = (result.get("efficiency") or {}).get("band_text")
    if band:
        lines.append(f"On a large input the function ran {band}.")
    return lines


def review_request(exercise: Exercise, source: str, result: dict[str, Any], offline: list[str]) -> ChatRequest:
    system = (
        "You are a senior developer mentoring a student after they submitted code for a client's task. Using only "
        "the facts given, write a short review (2 to 4 sentences): what works, the most useful next step, and one "
        "concrete thing to check in their code. Do not write code blocks. Do not mention grades, scores, points or "
        "marks. Do not guess the inputs or expected values of hidden tests, and do not add requirements that are "
        f"not in the statement. {DATA_RULE} Reply with a JSON object with one key, review."
    )
    user = (f"Task statement:\n{exercise.statement}\n\nResults of the run:\n" + "\n".join(facts(exercise, result))
            + "\n\nThe automatic feedback already shown:\n" + "\n".join(offline[:6]) + "\n\n"
            + data_block("CODE", source))
    return ChatRequest("crucible_review", (("system", system), ("user", user)), max_tokens=220, temperature=0.0,
                       json_schema=REVIEW_JSON_SCHEMA)


# -- what the reply may not say --------------------------------------------------------------------------------
def _scalars(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _scalars(item)]
    if isinstance(value, dict):
        return [leaf for item in [*value.keys(), *value.values()] for leaf in _scalars(item)]
    return [value]


def _distinctive(value: Any) -> str | None:
    """A hidden value worth looking for in a reply: a string of 3+ characters or a number that is not small."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text if len(text) >= 3 else None
    if isinstance(value, int | float):
        return None if isinstance(value, int) and -10 < value < 10 else json.dumps(value)
    return None


def _appears(needle: str, text: str) -> bool:
    if _NUMBER.fullmatch(needle):
        return any(float(n) == float(needle) for n in _NUMBER.findall(text))
    return needle.lower() in text.lower()


def hidden_values(exercise: Exercise, seen: str) -> set[str]:
    """Values of hidden tests the student has not seen (inputs and expected values) that ``seen`` (everything
    the student was shown, and their code) does not already contain."""
    out: set[str] = set()
    for index, test in enumerate(exercise.hidden):
        if exercise.hidden_shown(index):
            continue
        expected = test.get("expected")
        whole = literal(expected, exercise.language)
        candidates = [_distinctive(v) for v in [*_scalars(test.get("args")), *_scalars(expected)]]
        candidates.append(whole if len(whole) >= 6 else None)
        out.update(c for c in candidates if c and not _appears(c, seen))
    return out


def missed_terms(exercise: Exercise, seen: str) -> dict[str, set[str]]:
    """Per requirement the student missed: its id, and the numbers and longer words of its sentence that
    nothing the student has seen contains."""
    sentences = dict(exercise.requirements)
    known = seen.lower()
    out: dict[str, set[str]] = {}
    for rid in exercise.missed:
        sentence = sentences.get(rid, "")
        words = {w.lower() for w in _WORD.findall(sentence) if w.lower() not in _SMALL}
        numbers = {n for n in _NUMBER.findall(sentence) if "." in n or abs(float(n)) >= 10}  # not "2 tests"
        out[rid] = {w for w in words if w not in known} | {n for n in numbers if not _appears(n, seen)}
    return out


def visible_text(exercise: Exercise, source: str, told: str = "") -> str:
    """Everything the student has seen or written: a value found here is not a secret."""
    shown = [literal(e.get("args"), exercise.language) + " " + literal(e.get("expected"), exercise.language)
             for e in exercise.examples]
    shown += [literal(t.get("args"), exercise.language) + " " + literal(t.get("expected"), exercise.language)
              for i, t in enumerate(exercise.hidden) if exercise.hidden_shown(i)]
    return "\n".join([exercise.statement, source, told, *shown])


def grounded(exercise: Exercise, source: str, result: dict[str, Any], text: str) -> bool:
    """Whether the review speaks of this run at all: the function, a failing tag, a name from the student's code,
    or the tests, examples, linter, inputs or outputs (a model that answers with nonsense says none of these)."""
    lowered = text.lower()
    code = "\n".join(re.split(r"#|//", line, maxsplit=1)[0] for line in source.splitlines())  # not its comments
    names = {w.lower() for w in _IDENT.findall(code) if w.lower() not in _KEYWORDS}
    anchors = {exercise.function.lower(), *(t.lower() for t in result.get("tags_failed") or []), *GROUNDING_WORDS}
    return any(a in lowered for a in anchors) or any(re.search(rf"\b{re.escape(n)}\b", lowered) for n in names)


def check_review(exercise: Exercise, source: str, result: dict[str, Any], text: str, told: str = "") -> str | None:
    """None when ``text`` may be shown; else which check it failed. ``told``: what the model was given beyond
    the exercise (facts and offline feedback), all of it student-visible."""
    body = text.strip()
    if not MIN_CHARS <= len(body) <= MAX_CHARS or len(SENTENCE_END.findall(body + " ")) > MAX_SENTENCES:
        return "length"
    if "```" in body or "<<<" in body or ">>>" in body or body.startswith(("{", "[")):
        return "format"
    if GRADE_TALK.search(body):
        return "grade_talk"
    if OFF_TOPIC.search(body):
        return "off_topic"
    if not grounded(exercise, source, result, body):
        return "not_grounded"
    hidden = result.get("hidden") or {}
    if (hidden.get("passed", 0) < hidden.get("total", 0) or (result.get("report") or {}).get("load_error")) \
            and ALL_PASS.search(body):
        return "contradicts_results"
    seen = visible_text(exercise, source, told)
    if any(_appears(value, body) for value in hidden_values(exercise, seen)):
        return "hidden_value"
    for rid, terms in missed_terms(exercise, seen).items():
        said = {t for t in terms if _appears(t, body)}
        if rid.lower() in body.lower() or any(_NUMBER.fullmatch(t) for t in said) or len(said) >= 2:
            return "missed_requirement"
    return None


# -- the call --------------------------------------------------------------------------------------------------
def _ask(provider: Provider, exercise: Exercise, source: str, result: dict[str, Any],
         offline: list[str]) -> Review:
    request = review_request(exercise, source, result, offline)
    answer = structured_call(provider, request, ReviewSchema())
    calls = [r.to_dict() for r in answer.records]
    if answer.data is None:
        return Review(None, "offline_fallback", answer.outcome, calls)
    text = " ".join(str(answer.data["review"]).split())
    told = request.messages[1][1]
    problem = check_review(exercise, source, result, text, told=told[:told.rfind("<<<CODE>>>")])
    if problem:
        return Review(None, "offline_fallback", problem, calls)
    return Review(text, "llm", None, calls)


def mentor_review(provider: Provider | None, exercise: Exercise, source: str, result: dict[str, Any],
                  budget_seconds: float = BUDGET_SECONDS) -> Review:
    """The checked review of a Submit's ``result``, or why there is none. Waits at most ``budget_seconds``: a
    slow model costs the student's result that long, never the provider's whole timeout and retries."""
    if provider is None or not provider.enabled:
        return Review(None, "offline")
    if result.get("kind") != "submit" or not isinstance(result.get("report"), dict):
        return Review(None, "offline_fallback", "no_result")
    offline = [str(line) for line in result.get("feedback") or []]
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cr-review")
    future = pool.submit(_ask, provider, exercise, source, result, offline)
    try:
        return future.result(timeout=budget_seconds)
    except FutureTimeout:
        return Review(None, "offline_fallback", "timeout")
    finally:
        pool.shutdown(wait=False)  # a late answer is dropped with its thread


__all__ = ["BUDGET_SECONDS", "Review", "check_review", "facts", "mentor_review", "review_request"]
