"""The root-cause report (what broke, why, what you changed, how you verified, what would prevent it next
time) and how its cause is matched, offline, against the incident's truth.

Matching reads the cause ("what broke" and "why") sentence by sentence. A concept or key fact of the truth
counts when one of its patterns is found, not negated, in a sentence that states something: at least five
words, a verb, the small words of ordinary prose, not a list. Keyword stuffing therefore earns nothing: a
heap of terms has no verb or no prose around it; and a report that names the causes of several other
incidents as well (a shotgun) gets half. Without a causal link anywhere ("because", "so", "caused"...) the
cause counts half too: the report must say why, not only what.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from grader.phases.war_room.incidents import Incident, incident_ids, load_incident

FIELDS = ("what_broke", "why", "what_changed", "how_verified", "prevention")
FIELD_LABELS = {"what_broke": "What broke", "why": "Why it broke", "what_changed": "What you changed",
                "how_verified": "How you verified the fix", "prevention": "What would prevent it next time"}
REQUIRED = ("what_broke", "why")
MIN_CHARS, MAX_CHARS = 10, 2000
CONCEPT_POINTS, FACT_POINTS = 18.0, 12.0
RAISED_SHARE = 0.5  # an item only an LLM recognised (never the patterns) counts half its share
MIN_WORDS = 5
MIN_SMALL_WORDS = 0.15  # share of function words in a sentence of prose
SHOTGUN_OTHERS = 2  # naming the causes of this many other incidents is a shotgun
NEGATION_WINDOW = 3
SMALL_WORDS = frozenset((
    "a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with", "by", "from", "as", "is",
    "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there", "which",
    "who", "what", "when", "where", "why", "how", "not", "no", "any", "all", "every", "each", "into", "than", "then",
    "because", "since", "after", "before", "while", "our", "we", "i", "you", "they", "he", "she", "them", "us", "my",
    "your", "their", "his", "her", "had", "has", "have", "did", "do", "does", "can", "could", "would", "should",
    "will", "may", "might", "must", "also", "just", "only", "still", "too", "very",
))
VERBS = re.compile(
    r"\b(is|are|was|were|be|been|being|had|has|have|got|gets|get|made|makes|make|caused|causes|cause|broke|breaks|"
    r"pointed|points|point|changed|changes|change|set|returned|returns|return|failed|fails|fail|meant|means|led|"
    r"leads|started|starts|stopped|stops|sent|sends|used|uses|use|matched|matches|match|leaked|leaks|allowed|"
    r"allows|allow|lets|let|killed|kills|grew|grows|grow|ran|runs|run|required|requires|require|rejected|rejects|"
    r"added|adds|removed|removes|did|does|do|could|can|couldn't|can't|didn't|doesn't|won't|wasn't|weren't|"
    r"exists|exist|existed|contains|contained|answered|answers|served|serves|crashed|crashes|died|dies|hit|hits|"
    r"became|becomes|ended|ends|went|goes|came|comes|skipped|skips|bypassed|bypasses|exposed|published|printed|"
    r"dumped|accepted|accepts|introduced|introduces|deployed|pushed|enabled|disabled|left|turned|read|reads|"
    r"opened|opens|open|reached|reaches|found|finds|sees|saw|showed|shows|gave|gives|took|takes)\b|\w{3,}ed\b|"
    r"n't\b", re.I)
CAUSAL = re.compile(r"\b(because|caused|causes|causing|cause|due to|so that|so|therefore|thus|hence|which meant|"
                    r"meaning|meant|led to|leads to|leading to|resulted|resulting|result|since|as a result|after|"
                    r"which|that made|made|makes|broke|breaks|when)\b|->|→", re.I)
HEDGES = re.compile(r"\b(maybe|perhaps|possibly|probably|might|i think|i guess|not sure|could be|may have|"
                    r"i believe|likely|unclear)\b", re.I)
NEGATIONS = frozenset({"not", "no", "never", "isn't", "wasn't", "aren't", "weren't", "didn't", "doesn't", "don't",
                       "nothing", "neither", "nor", "hardly", "ruled", "unrelated", "wasnt", "isnt", "didnt"})
_WORD = re.compile(r"[A-Za-z0-9_'./:=-]+")


class InvalidReport(ValueError):
    """A report that cannot be accepted. ``errors`` maps each field to a sentence for the student."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in errors.items()))
        self.errors = errors


class ReportSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    what_broke = fields.String(load_default="")
    why = fields.String(load_default="")
    what_changed = fields.String(load_default="")
    how_verified = fields.String(load_default="")
    prevention = fields.String(load_default="")


def clean_report(raw: Any) -> dict[str, str]:
    """The report with every field trimmed, or ``InvalidReport`` naming each field that is wrong (all at once,
    so a form can show every error). "What broke" and "why" are required; every field is at most 2,000
    characters; text only."""
    if not isinstance(raw, dict):
        raise InvalidReport({"what_broke": "the report must be a form with its five fields"})
    errors: dict[str, str] = {}
    try:
        data = ReportSchema().load({k: v for k, v in raw.items() if k in FIELDS})
    except ValidationError as exc:
        raise InvalidReport({k: "must be text" for k in exc.messages}) from None
    out = {}
    for name in FIELDS:
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", data[name]).strip()
        if name in REQUIRED and len(text) < MIN_CHARS:
            errors[name] = f"say it in at least a sentence ({MIN_CHARS} characters or more)"
        elif len(text) > MAX_CHARS:
            errors[name] = f"keep it under {MAX_CHARS:,} characters (it has {len(text):,})"
        out[name] = text
    if errors:
        raise InvalidReport(errors)
    return out


# -- matching ---------------------------------------------------------------------------------------------
def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+|;\s+|\s+-\s+", text.strip())
    return [p.strip() for p in parts if p.strip()]


def words(text: str) -> list[str]:
    return [w.strip(".,:;'\"()").lower() for w in _WORD.findall(text) if w.strip(".,:;'\"()")]


def is_statement(sentence: str) -> tuple[bool, str]:
    """(whether a sentence says something, why not): prose with a verb, not a heap of terms."""
    tokens = words(sentence)
    if len(tokens) < MIN_WORDS:
        return False, "too short"
    if not VERBS.search(sentence):
        return False, "no verb"
    small = sum(1 for t in tokens if t in SMALL_WORDS)
    if small / len(tokens) < MIN_SMALL_WORDS:
        return False, "a list of terms, not a sentence"
    separators = len(re.findall(r"[,/|+]", sentence))
    if separators >= 4 and len(tokens) / (separators + 1) < 2.5:
        return False, "a list of terms, not a sentence"
    return True, ""


def _negated(sentence: str, start: int) -> bool:
    before = words(sentence[:start])[-NEGATION_WINDOW:]
    return any(w in NEGATIONS or w.endswith("n't") for w in before)


def find(patterns: list[str], sentence: str) -> str | None:
    """The text a pattern matches in ``sentence`` (not negated), or None."""
    for pattern in patterns:
        for match in re.finditer(pattern, sentence, re.I):
            if not _negated(sentence, match.start()):
                return match.group(0)
    return None


@dataclass
class CauseMatch:
    """How a report's cause was matched: per concept and fact, the sentence and words that carried it."""

    concepts: dict[str, dict[str, str] | None] = field(default_factory=dict)
    facts: dict[str, dict[str, str] | None] = field(default_factory=dict)
    causal: bool = False
    hedged: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # other incidents whose cause the report also names
    rejected: list[dict[str, str]] = field(default_factory=list)  # sentences that did not count, and why
    prevention: list[str] = field(default_factory=list)
    # Items the patterns missed that an LLM recognised, backed by a sentence of the report (``cause_llm``):
    # "concept:<id>" or "fact:<id>" -> {"sentence", "says"}. Each counts RAISED_SHARE of its share.
    raised: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def shotgun(self) -> bool:
        return len(self.others) >= SHOTGUN_OTHERS

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "shotgun": self.shotgun}


def _other_causes() -> dict[str, list[list[str]]]:
    """Every incident's concept patterns, for the shotgun test."""
    out = {}
    for incident_id in incident_ids():
        out[incident_id] = [c["patterns"] for c in load_incident(incident_id).data["concepts"]]
    return out


def match_cause(incident: Incident, report: dict[str, str]) -> CauseMatch:
    text = "\n".join(report.get(k, "") for k in ("what_broke", "why"))
    result = CauseMatch()
    eligible = []
    for sentence in sentences(text):
        ok, why = is_statement(sentence)
        if ok:
            eligible.append(sentence)
        else:
            result.rejected.append({"sentence": sentence[:200], "why": why})
    for items, into in ((incident.data["concepts"], result.concepts), (incident.data["key_facts"], result.facts)):
        for item in items:
            into[item["id"]] = None
            for sentence in eligible:
                found = find(item["patterns"], sentence)
                if found:
                    into[item["id"]] = {"sentence": sentence[:300], "words": found, "says": item["says"]}
                    break
    used = {hit["sentence"] for hit in [*result.concepts.values(), *result.facts.values()] if hit}
    result.causal = any(CAUSAL.search(s) for s in used) or (len(used) > 1 and bool(CAUSAL.search(text)))
    result.hedged = sorted(s for s in used if HEDGES.search(s))
    for other, concepts in _other_causes().items():
        if other == incident.id:
            continue
        named = sum(1 for patterns in concepts if any(find(patterns, s) for s in eligible))
        if named >= 2:
            result.others.append(other)
    whole = "\n".join(report.get(k, "") for k in FIELDS)
    result.prevention = [p["says"] for p in incident.data["prevention"]
                         if any(find(p["patterns"], s) for s in sentences(report.get("prevention", "")) or [whole])]
    return result


def cause_points(incident: Incident, match: CauseMatch) -> tuple[float, str]:
    """(points out of 30, the evidence in words)."""
    concepts, facts = incident.data["concepts"], incident.data["key_facts"]
    hedged = set(match.hedged)

    def share(items: list[dict[str, Any]], found: dict[str, dict[str, str] | None], points: float,
              kind: str) -> float:
        each = points / len(items)
        raised = sum(each * RAISED_SHARE for item in items if not found.get(item["id"])
                     and f"{kind}:{item['id']}" in match.raised)
        return raised + sum(each * (0.5 if hit["sentence"] in hedged else 1.0) for hit in found.values() if hit)

    raw = share(concepts, match.concepts, CONCEPT_POINTS, "concept") + share(facts, match.facts, FACT_POINTS, "fact")
    named = [c["says"] for c in concepts if match.concepts.get(c["id"])]
    named += [f["says"] for f in facts if match.facts.get(f["id"])]
    recognised = [hit["says"] for hit in match.raised.values()]
    missed = [c["says"] for c in concepts if not match.concepts.get(c["id"])]
    missed += [f["says"] for f in facts if not match.facts.get(f["id"])]
    missed = [m for m in missed if m not in recognised]
    notes = []
    if raw and not match.causal:
        raw *= 0.5
        notes.append("it says what but never why (no causal link), so half")
    if match.shotgun:
        raw *= 0.5
        notes.append("it also names the causes of other incidents (a shotgun), so half")
    if match.hedged:
        notes.append("hedged sentences count half")
    if not named and not recognised:
        evidence = "the report's cause matches nothing of the real cause"
    elif named:
        evidence = "the report names " + "; ".join(named)
    else:
        evidence = "the report's cause matches no pattern of the real cause"
    if recognised:
        evidence += ". In its own words (recognised by the LLM, backed by a sentence of the report, so half): "
        evidence += "; ".join(recognised)
    if missed and (named or recognised):
        evidence += ". Missing: " + "; ".join(missed)
    if notes:
        evidence += ". " + "; ".join(notes).capitalize()
    if match.rejected and not named:
        evidence += f". {len(match.rejected)} sentence(s) did not count (not statements: "
        evidence += ", ".join(sorted({r['why'] for r in match.rejected})) + ")"
    return round(raw, 2), evidence
