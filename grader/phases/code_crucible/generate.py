"""With an LLM: new variants of a task (new numbers, optionally the client's story reworded), served only once
the three references agree on them in the sandbox.

What the model may change is inferred from the task's own stored variants (``param_specs``):

- a param whose stored values are all a fixed multiple of another's (``seat_price_cents`` = 100 x
  ``seat_price``), the 12-hour label of another (``cutoff_label`` = "2 pm" for 14) or its text is *derived*: code
  computes it, the model never proposes it (a proposal could not contradict itself);
- every other param is *free*: an int or a float within a range around the stored values (their spread on each
  side, keeping their sign), a boolean, or a short plain string.

The model answers JSON (``values``, optionally ``story``) validated by a marshmallow schema built from those
specs (types strict, ranges enforced, no unknown key). The values must differ from every variant already
served. A reworded ``story`` (the client's words before "Write a function", which stay verbatim) is kept only if
it keeps every ``{placeholder}``, number, quoted, backticked or bracketed text and identifier, adds no number, and
keeps the guard words (never, at most, only...): otherwise the stored wording is used with the new values.

Verification is the bank's (``verify.reference_values``): each language's reference with the new values on every
example, hidden test and the large input; the three must agree, and their values become the variant's expected
values. A variant that fails is refused with the reason; the caller serves a stored variant instead.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from grader.llm import ChatRequest, Provider, structured_call
from grader.phases.code_crucible.catalogue import build_exercise
from grader.phases.code_crucible.exercise import Exercise
from grader.phases.code_crucible.tasks import LANGUAGES, PLACEHOLDER, REFERENCE_FILES, Task
from grader.sandbox import SandboxBackend

SPEC_MARK = "Write a function"  # the need's precise part starts here; the story before it may be reworded
MAX_STRING = 40
STORY_LENGTH = (0.6, 1.5)  # a reworded story's length against the stored one
GUARD_WORDS = ("never", "not", "no", "only", "more", "less", "most", "least", "every", "each", "free", "first",
               "last", "before", "after", "within", "until", "above", "below", "over", "under", "per", "cannot")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_LITERALS = re.compile(r"`[^`]+`|\"[^\"]+\"|\[[^\]]+\]")
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_PLAIN_STRING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .,'&-]*$")


class NotGeneratable(ValueError):
    """The task has no param the model may change."""


# -- what may change -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # int, float, bool, str
    stored: tuple[Any, ...]  # the stored variants' values, default first
    low: float | None = None
    high: float | None = None
    source: str | None = None  # derived params: the free param they follow
    rule: str = ""  # derived params: times:<k>, clock, text

    @property
    def free(self) -> bool:
        return self.source is None


def clock_label(hour: int) -> str:
    """14 -> "2 pm", 0 -> "12 am": how the tasks write an hour."""
    hour %= 24
    return f"{hour % 12 or 12} {'am' if hour < 12 else 'pm'}"


def _kind(values: tuple[Any, ...]) -> str:
    value = values[0]
    return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else \
        "float" if isinstance(value, float) else "str"


def _rule(values: tuple[Any, ...], source: tuple[Any, ...], source_kind: str) -> str:
    """How ``values`` follow ``source`` in every stored variant, or ''."""
    kind = _kind(values)
    if kind in ("int", "float") and source_kind == "int" and source[0]:
        factor = values[0] / source[0]
        if factor == int(factor) and factor >= 1 and all(v == factor * s for v, s in zip(values, source, strict=True)):
            return f"times:{int(factor)}"
    if kind == "str" and source_kind == "int" and all(v == clock_label(s) for v, s in zip(values, source, strict=True)):
        return "clock"
    if kind == "str" and all(v == str(s) for v, s in zip(values, source, strict=True)):
        return "text"
    return ""


def param_specs(task: Task) -> list[ParamSpec]:
    """Every param of the task, free or derived, with its type and (free numbers) its range."""
    order = [name for name, _ in task.params]
    params = dict(task.params)
    specs: dict[str, ParamSpec] = {}
    for i, name in enumerate(order):
        values, kind = params[name], _kind(params[name])
        for j, other in enumerate(order):
            rule = "" if other == name else _rule(values, params[other], _kind(params[other]))
            if rule and not (j > i and _rule(params[other], values, kind)):  # equal params: the later follows
                specs[name] = ParamSpec(name, kind, values, source=other, rule=rule)
                break
        else:
            specs[name] = ParamSpec(name, kind, values)
    clocked = {s.source for s in specs.values() if s.rule == "clock"}
    out = []
    for name in params:
        spec = specs[name]
        if spec.free and spec.kind in ("int", "float"):
            low, high = min(spec.stored), max(spec.stored)
            spread = max(high - low, 1 if spec.kind == "int" else abs(high) * 0.1 or 1.0)
            low, high = low - spread, high + spread
            if min(spec.stored) >= 0:
                low = max(low, 0)
            if min(spec.stored) > 0 and spec.kind == "int":
                low = max(low, 1)
            if name in clocked:
                low, high = max(low, 0), min(high, 23)
            spec = replace(spec, low=low, high=high)
        out.append(spec)
    return out


def generatable(task: Task) -> bool:
    return any(spec.free for spec in param_specs(task))


def _follow(spec: ParamSpec, base: Any) -> Any:
    if spec.rule.startswith("times:"):
        value = base * int(spec.rule.split(":")[1])
        return float(value) if spec.kind == "float" else int(value)
    return clock_label(int(base)) if spec.rule == "clock" else str(base)


def derive_values(specs: list[ParamSpec], free: dict[str, Any]) -> dict[str, Any]:
    """Every param's value: the free ones as given, the derived ones computed from them (a chain too)."""
    values = {s.name: free[s.name] for s in specs if s.free}
    waiting = [s for s in specs if not s.free]
    while waiting:
        ready = [s for s in waiting if s.source in values]
        if not ready:
            raise NotGeneratable("params derive from one another in a circle")
        for spec in ready:
            values[spec.name] = _follow(spec, values[spec.source])  # type: ignore[index]
        waiting = [s for s in waiting if s.name not in values]
    return {s.name: values[s.name] for s in specs}


# -- the proposal ----------------------------------------------------------------------------------------------
def _field(spec: ParamSpec) -> fields.Field:
    if spec.kind == "int":
        return fields.Integer(required=True, strict=True, validate=validate.Range(spec.low, spec.high))
    if spec.kind == "float":
        return fields.Float(required=True, allow_nan=False, validate=validate.Range(spec.low, spec.high))
    if spec.kind == "bool":
        return fields.Boolean(required=True, truthy={True}, falsy={False})
    return fields.String(required=True, validate=[validate.Length(min=1, max=MAX_STRING),
                                                  validate.Regexp(_PLAIN_STRING)])


def proposal_schema(specs: list[ParamSpec]) -> Schema:
    values = Schema.from_dict({s.name: _field(s) for s in specs if s.free}, name="VariantValues")
    proposal = Schema.from_dict({"values": fields.Nested(values(unknown=RAISE), required=True),
                                 "story": fields.String(load_default=None, allow_none=True,
                                                        validate=validate.Length(max=2000))},
                                name="VariantProposal")
    return proposal(unknown=RAISE)


def _json_type(spec: ParamSpec) -> dict[str, Any]:
    if spec.kind in ("int", "float"):
        return {"type": "integer" if spec.kind == "int" else "number", "minimum": spec.low, "maximum": spec.high}
    return {"type": "boolean" if spec.kind == "bool" else "string"}


def proposal_json_schema(specs: list[ParamSpec]) -> dict[str, Any]:
    free = [s for s in specs if s.free]
    return {"type": "object", "properties": {
        "values": {"type": "object", "properties": {s.name: _json_type(s) for s in free},
                   "required": [s.name for s in free]},
        "story": {"type": "string"}}, "required": ["values"]}


def split_need(need: str) -> tuple[str, str]:
    """(the client's story, the precise part from "Write a function" on); no story when there is no mark."""
    at = need.find(SPEC_MARK)
    return (need[:at].strip(), need[at:]) if at > 0 else ("", need)


def _describe(spec: ParamSpec) -> str:
    used = ", ".join(json.dumps(v) for v in spec.stored)
    if spec.kind in ("int", "float"):
        kind = "a whole number" if spec.kind == "int" else "a number"
        return f"- {spec.name}: {kind} from {spec.low:g} to {spec.high:g} (already used: {used})"
    if spec.kind == "bool":
        return f"- {spec.name}: true or false (already used: {used})"
    return f"- {spec.name}: a short plain name or word (already used: {used})"


def variant_request(task: Task, specs: list[ParamSpec]) -> ChatRequest:
    story, _ = split_need(task.need)
    system = (
        "You make a new variant of a programming exercise so that classmates get different numbers. Choose new "
        "values for the parameters, each of its type and within its range, not a combination already used. "
        "Optionally reword STORY (a client describing their need) in the same tone: keep every {placeholder}, "
        "number, quoted, backticked or bracketed text and identifier exactly, add no facts and no numbers. "
        'Reply with only a JSON object: {"values": {...}, "story": "..."} (omit story to keep the wording).'
    )
    user = (f"Exercise: {task.title}\nParameters:\n" + "\n".join(_describe(s) for s in specs if s.free)
            + (f"\n\nSTORY:\n{story}" if story else ""))
    return ChatRequest("crucible_variant", (("system", system), ("user", user)), max_tokens=500, temperature=0.7,
                       json_schema=proposal_json_schema(specs))


def check_story(original: str, proposed: str) -> str | None:
    """None when ``proposed`` may replace the story ``original``; else why not."""
    text = " ".join(proposed.split())
    if not original or text == original:
        return "unchanged"
    low, high = STORY_LENGTH
    if not low * len(original) <= len(text) <= high * len(original):
        return "length"
    if "<<<" in text or "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        return "format"
    if Counter(PLACEHOLDER.findall(original)) != Counter(PLACEHOLDER.findall(text)):
        return "placeholders"
    bare_old, bare_new = PLACEHOLDER.sub("", original), PLACEHOLDER.sub("", text)
    if Counter(_NUMBER.findall(bare_old)) != Counter(_NUMBER.findall(bare_new)):
        return "numbers"
    if any(span not in text for span in _LITERALS.findall(original)):
        return "quoted_text"
    if any(name not in text for name in _IDENTIFIER.findall(original)):
        return "identifiers"
    for word in GUARD_WORDS:
        if re.search(rf"\b{word}\b", original, re.I) and not re.search(rf"\b{word}\b", text, re.I):
            return f"guard_word:{word}"
    return None


def variant_key(task: Task, values: dict[str, Any]) -> str:
    """A variant's identity: the task's files and the values (a reworded story alone is not a new variant)."""
    return hashlib.sha256(json.dumps([task.digest, sorted(values.items())], ensure_ascii=False).encode()).hexdigest()


def stored_keys(task: Task) -> set[str]:
    return {variant_key(task, task.values(v)) for v in range(task.variant_count)}


@dataclass
class Proposal:
    values: dict[str, Any] | None  # every param, derived ones computed
    need: str | None  # the reworded need, or None for the stored wording
    outcome: str  # ok, repaired, invalid, an LLMError kind, or why the values were refused
    notes: list[str] = field(default_factory=list)
    llm_calls: list[dict[str, Any]] = field(default_factory=list)


def propose(provider: Provider, task: Task, taken: set[str] | frozenset[str] = frozenset()) -> Proposal:
    """The model's proposal, validated; ``taken``: keys of variants already generated."""
    specs = param_specs(task)
    if not any(s.free for s in specs):
        raise NotGeneratable(f"task {task.id!r} has no param a variant may change")
    answer = structured_call(provider, variant_request(task, specs), proposal_schema(specs))
    calls = [r.to_dict() for r in answer.records]
    if answer.data is None:
        return Proposal(None, None, answer.outcome, llm_calls=calls)
    values = derive_values(specs, answer.data["values"])
    notes: list[str] = []
    need = None
    if answer.data.get("story"):
        story, rest = split_need(task.need)
        problem = check_story(story, answer.data["story"])
        if problem is None:
            need = " ".join(answer.data["story"].split()) + " " + rest
        elif problem != "unchanged":
            notes.append(f"the reworded story was not used ({problem})")
    if variant_key(task, values) in stored_keys(task) | set(taken):
        return Proposal(None, None, "not_new", notes, calls)
    return Proposal(values, need, answer.outcome, notes, calls)


# -- verification and serving --------------------------------------------------------------------------------
def with_variant(task: Task, values: dict[str, Any], need: str | None = None) -> Task:
    """The task with one more variant (number 1, after the default): ``values``, and the reworded need if any."""
    params = tuple((name, (stored[0], values[name])) for name, stored in task.params)
    return replace(task, params=params, need=need or task.need)


@dataclass
class VariantVerdict:
    accepted: bool
    reason: str = ""
    variant: dict[str, Any] | None = None  # {"values", "examples", "hidden"}: the expected values agreed on
    seconds: float = 0.0


def verify_variant(backend: SandboxBackend, task: Task, values: dict[str, Any], need: str | None = None,
                   workers: int = 3) -> VariantVerdict:
    """The three references with ``values`` on every example, hidden test and the large input, in the sandbox."""
    from grader.phases.code_crucible.verify import _compare, reference_values

    started = time.perf_counter()
    candidate = with_variant(task, values, need)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        runs = dict(zip(LANGUAGES, pool.map(lambda lang: reference_values(backend, candidate, lang, 1), LANGUAGES),
                        strict=True))
    verdict = VariantVerdict(False, seconds=round(time.perf_counter() - started, 3))
    base: list[Any] | None = None
    for language in LANGUAGES:
        got, _, problem = runs[language]
        if not problem and base is not None:
            problem = _compare(candidate, base, got, f"{REFERENCE_FILES[language]} (generated variant)",
                               "reference.py's value")
        if problem:
            verdict.reason = problem
            return verdict
        base = base if base is not None else got
    assert base is not None
    split = len(task.examples)
    verdict.accepted = True
    verdict.variant = {"values": values, "examples": base[:split], "hidden": base[split:-1]}
    return verdict


@dataclass
class Generation:
    accepted: bool
    reason: str  # why not (or notes when accepted)
    values: dict[str, Any] | None = None
    need: str | None = None
    variant: dict[str, Any] | None = None
    key: str | None = None
    llm_calls: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def generate_variant(provider: Provider, backend: SandboxBackend, task: Task,
                     taken: set[str] | frozenset[str] = frozenset()) -> Generation:
    """Ask for a variant, check it, verify it: accepted with its expected values, or refused with the reason."""
    started = time.perf_counter()
    proposal = propose(provider, task, taken)
    if proposal.values is None:
        return Generation(False, f"no usable proposal ({proposal.outcome})", llm_calls=proposal.llm_calls,
                          seconds=round(time.perf_counter() - started, 3))
    verdict = verify_variant(backend, task, proposal.values, proposal.need)
    seconds = round(time.perf_counter() - started, 3)
    if not verdict.accepted:
        return Generation(False, f"refused in the sandbox: {verdict.reason}", proposal.values, proposal.need,
                          llm_calls=proposal.llm_calls, seconds=seconds)
    return Generation(True, "; ".join(proposal.notes), proposal.values, proposal.need, verdict.variant,
                      variant_key(task, proposal.values), proposal.llm_calls, seconds)


def generated_exercise(task: Task, entry: dict[str, Any], generated: dict[str, Any], language: str,
                       level: str) -> Exercise:
    """The exercise of an accepted generated variant (``{"values", "need", "variant"}``) for ``task`` (standalone:
    a variant is never served to a student whose task is derived from their interview)."""
    candidate = with_variant(task, generated["values"], generated.get("need"))
    two = {**entry, "variants": [entry["variants"][0], generated["variant"]]}
    return build_exercise(candidate, two, language, level, 1, None)
