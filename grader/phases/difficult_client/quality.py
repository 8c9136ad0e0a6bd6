"""Question-quality signals computed by code: politeness, empathy, open vs closed, clarity, jargon,
rudeness, and attempts to extract everything at once or to instruct the system (prompt injection)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.phases.difficult_client.text import sentences, words

POLITE = re.compile(
    r"\b(please|thanks|thank you|appreciate|would you mind|if you don'?t mind|grateful|"
    r"sorry to|excuse me|kindly)\b",
    re.I,
)
EMPATHY = re.compile(
    r"\b(i understand|i can imagine|i hear you|sounds (really |so |very )?(stressful|frustrating|hard|difficult|"
    r"tough|exhausting|busy|overwhelming)|that must (be|have)|must be (hard|tough|stressful|difficult|frustrating)|"
    r"sorry (to hear|that happened|about)|makes sense|i know (you're|you are|this is) (busy|stressful|a lot)|"
    r"thanks for (making|taking) (the )?time|that's (fair|understandable)|"
    r"i want to (make sure|get this right|help)|so (that )?i (can|get)|for you and your|matters to you|"
    r"(help|support) you|your (business|bakery|restaurant|pantry|team|customers|volunteers|guests))\b",
    re.I,
)
OPEN_START = re.compile(
    r"^(what|what's|how|why|which|where|when|who|tell me|describe|walk me|explain|help me understand|"
    r"(could|can|would) you (tell|describe|walk|explain|share|talk|say|expand|elaborate|go into|go over|give me|"
    r"clarify|help me understand))\b",
    re.I,
)
CLOSED_START = re.compile(
    r"^(do|does|did|is|are|was|were|will|would|should|can|could|have|has|had|may|shall|isn'?t|don'?t|"
    r"aren'?t|won'?t)\b",
    re.I,
)
LEAD_IN = re.compile(
    r"^(ok(ay)?|so|and|also|great|thanks|thank you|right|alright|well|hi|hello|sorry|one more thing|"
    r"and then|next|last|finally)[,!.:]?\s+",
    re.I,
)
RUDE = re.compile(
    r"\b(stupid|idiot\w*|dumb|moron\w*|shut up|hurry( it)? up|just (tell|answer|give) me|whatever|"
    r"waste of (my )?time|useless|pathetic|ridiculous|incompetent|lazy|damn|crap|wtf|ffs|"
    r"i don'?t care|get to the point|spit it out|are you deaf|for god'?s sake|f+u+c+k\w*|shit\w*|"
    r"stop (wasting|rambling|whining)|nobody cares)\b",
    re.I,
)
EXTRACTION = re.compile(
    r"\b(all (of )?(your|the|these|those) (constraints|requirements|rules|details|needs|conditions|secrets|"
    r"facts|information|limits)|(list|give me|tell me|share|dump|reveal|show me) (all|every|everything)|"
    r"every (single )?(constraint|requirement|rule|detail|condition)|everything (you|about|there is)|"
    r"full list|complete list|the whole list|all at once)\b",
    re.I,
)
INJECTION = re.compile(
    r"(ignore (all |any |the )?(previous|prior|above|earlier) (instructions|rules|prompts?)|system prompt|"
    r"you are now|developer mode|disregard (your|the) (rules|instructions)|truth file|hidden (state|tests?)|"
    r"as the (grader|director|evaluator)|\bgrader\s*:|\bgive (me )?(an? )?a\+|\bgrade\b.*\b(a\+|100)|"
    r"<<<|>>>|\"?(score|grade|quality|reveal)\"?\s*:\s*[\"\d])",
    re.I,
)
FOLLOW_UP = re.compile(
    r"\b(more|elaborate|expand|go on|what do you mean|meaning|explain|why|how so|in what way|"
    r"examples?|details?|specifically)\b",
    re.I,
)

JARGON = frozenset(
    [
        "api",
        "apis",
        "backend",
        "back-end",
        "frontend",
        "front-end",
        "microservice",
        "microservices",
        "kubernetes",
        "k8s",
        "docker",
        "container",
        "containers",
        "serverless",
        "saas",
        "paas",
        "iaas",
        "mvp",
        "sla",
        "slas",
        "kpi",
        "kpis",
        "roi",
        "ci/cd",
        "cicd",
        "devops",
        "orm",
        "sql",
        "nosql",
        "json",
        "rest",
        "restful",
        "graphql",
        "latency",
        "throughput",
        "scalability",
        "scalable",
        "crud",
        "stack",
        "deploy",
        "deployment",
        "cdn",
        "webhook",
        "webhooks",
        "oauth",
        "sso",
        "caching",
        "middleware",
        "schema",
        "endpoint",
        "endpoints",
        "framework",
        "repo",
        "agile",
        "sprint",
        "backlog",
        "stakeholder",
        "stakeholders",
        "synergy",
        "leverage",
        "uptime",
        "sharding",
        "pwa",
        "spa",
        "ux",
        "mvc",
        "html",
        "css",
        "javascript",
        "typescript",
        "react",
        "node.js",
        "nodejs",
        "aws",
        "azure",
        "gcp",
        "vps",
        "dns",
        "ssl",
        "tls",
        "http",
        "https",
        "database",
        "db",
        "lambda",
        "s3",
        "firebase",
        "kafka",
        "redis",
        "sync",
        "asynchronous",
        "async",
        "cache",
        "idempotent",
    ]
)


@dataclass(frozen=True)
class QualitySignals:
    polite: bool
    empathetic: bool
    question_type: str  # "open", "closed" or "none"
    word_count: int
    question_marks: int
    jargon: tuple[str, ...]
    rude: bool
    shouting: bool
    extraction: bool
    injection: bool
    follow_up: bool

    @property
    def jargon_heavy(self) -> bool:
        return len(self.jargon) >= 2 or (self.word_count > 0 and len(self.jargon) / self.word_count >= 0.15)

    @property
    def clear(self) -> bool:
        return 3 <= self.word_count <= 45 and self.question_marks <= 2 and not self.shouting

    def to_dict(self) -> dict:
        return {"polite": self.polite, "empathetic": self.empathetic, "question_type": self.question_type,
                "word_count": self.word_count, "question_marks": self.question_marks, "jargon": list(self.jargon),
                "rude": self.rude, "shouting": self.shouting, "extraction": self.extraction,
                "injection": self.injection, "follow_up": self.follow_up, "jargon_heavy": self.jargon_heavy,
                "clear": self.clear}


def _clauses(sentence: str) -> list[str]:
    """A sentence's clauses, so that "Hi there, what brings you here?" is read from "what"."""
    return [c.strip() for c in re.split(r"\s*[,;:—–]\s*|\s+-\s+", sentence) if c.strip()]


def _question_type(text: str) -> str:
    candidates = [s for s in sentences(text) if s.endswith("?")] or sentences(text)[-1:]
    for sentence in candidates:
        for clause in _clauses(sentence):
            s = clause
            while (stripped := LEAD_IN.sub("", s, count=1)) != s:
                s = stripped
            if OPEN_START.search(s):
                return "open"
            if CLOSED_START.search(s):
                return "closed"
    if any(s.endswith("?") for s in candidates):
        return "closed"  # "Budget?" — a bare question is a closed one
    return "none"


def analyse(text: str) -> QualitySignals:
    tokens = words(text)
    letters = [c for c in text if c.isalpha()]
    shouting = len(tokens) >= 3 and len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    return QualitySignals(
        polite=bool(POLITE.search(text)),
        empathetic=bool(EMPATHY.search(text)),
        question_type=_question_type(text),
        word_count=len(tokens),
        question_marks=text.count("?"),
        jargon=tuple(sorted({t for t in tokens if t in JARGON})),
        rude=bool(RUDE.search(text)) or shouting or "!!!" in text,
        shouting=shouting,
        extraction=bool(EXTRACTION.search(text)),
        injection=bool(INJECTION.search(text)),
        follow_up=bool(FOLLOW_UP.search(text)),
    )


def quality_score(s: QualitySignals) -> float:
    """0..1. Courtesy, empathy, open and clear questions raise it; jargon, rudeness and gaming lower it."""
    score = 0.35
    score += 0.2 if s.polite else 0.0
    score += 0.2 if s.empathetic else 0.0
    score += {"open": 0.15, "closed": -0.05, "none": -0.1}[s.question_type]
    score += 0.1 if s.clear else (-0.1 if s.word_count < 3 or s.word_count > 70 else 0.0)
    score -= 0.1 * min(len(s.jargon), 3)
    score -= 0.6 if s.rude else 0.0
    score -= 0.5 if (s.extraction or s.injection) else 0.0
    return round(min(1.0, max(0.0, score)), 3)


def feedback_line(s: QualitySignals, many_topics: bool = False) -> str:
    """One short, student-visible line about how the question was asked (never about what it found)."""
    if s.injection:
        return "that reads like instructions to the system, not a question to the client"
    if s.rude:
        return "that came across as rude"
    if s.extraction:
        return "asking for everything at once doesn't work — ask about one thing"
    if s.jargon_heavy:
        return "too much jargon"
    if many_topics:
        return "ask about one thing at a time"
    good = [
        w
        for w, ok in (("clear", s.clear), ("empathetic", s.empathetic), ("polite", s.polite and not s.empathetic))
        if ok
    ]
    tips = []
    if s.question_type == "closed":
        tips.append("try an open question")
    elif s.question_type == "none":
        tips.append("ask a question")
    if s.jargon:
        tips.append("avoid jargon")
    if not s.clear and not tips:
        tips.append("keep it short and focused")
    if good and s.question_type == "open" and not tips:
        return " and ".join(good) + (" open question" if len(good) == 1 else "")
    if good:
        return ", ".join(good) + " — " + ", ".join(tips) if tips else " and ".join(good)
    return ", ".join(tips) or "okay"
