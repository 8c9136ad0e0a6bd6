"""The orientation quiz (phase ``acknowledge``): the smallest phase, launch → attempt → grade → gradebook.

The answer key is ground truth: only :data:`QUESTIONS` (without answers) may reach a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from grader.phases import PhaseInfo
from grader.scoring import Grade, RubricItem

# No time limit (its answers are accepted whenever they come) and no Submits, so no submission policy.
PHASE = PhaseInfo("acknowledge", "Orientation (smoke test)", "Read the rotation brief and acknowledge it.",
                  options=frozenset({"max_attempts", "grade_policy"}))


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    options: tuple[tuple[str, str], ...]  # (value, label)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "scores",
        "Who decides your score in a CodeResidency phase?",
        (("llm", "The AI client, in its own words"), ("rubric", "Code, from a published rubric"), ("peer", "Peers")),
    ),
    Question(
        "hidden",
        "What happens to the hidden requirements of a scenario?",
        (("shown", "They are shown at the start"), ("discover", "You discover them by asking good questions")),
    ),
    Question(
        "sandbox",
        "Where does your code run?",
        (("laptop", "On the instructor's laptop"), ("sandbox", "In an isolated sandbox without network")),
    ),
    Question(
        "resolution",
        "A teammate pushed a sabotage commit to main. What is the preferred fix?",
        (("force", "Force-push main to an older commit"), ("revert", "Revert the commit")),
    ),
)

_ANSWER_KEY: Mapping[str, str] = {
    "scores": "rubric",
    "hidden": "discover",
    "sandbox": "sandbox",
    "resolution": "revert",
}
POINTS_PER_QUESTION = 100.0 / len(QUESTIONS)


class InvalidAnswers(ValueError):
    """The submitted answers do not fit the quiz; the message says which field and why."""


def validate_answers(answers: Mapping[str, object]) -> dict[str, str]:
    """Every question answered with one of its own options; nothing else accepted."""
    clean: dict[str, str] = {}
    for question in QUESTIONS:
        value = answers.get(question.id)
        if not isinstance(value, str) or not value:
            raise InvalidAnswers(f"question '{question.id}' is not answered")
        if value not in {v for v, _ in question.options}:
            raise InvalidAnswers(f"question '{question.id}' has no option '{value[:40]}'")
        clean[question.id] = value
    unknown = set(answers) - {q.id for q in QUESTIONS}
    if unknown:
        raise InvalidAnswers(f"unknown question(s): {', '.join(sorted(unknown))[:100]}")
    return clean


def grade_orientation(answers: Mapping[str, str]) -> Grade:
    items = [
        RubricItem(
            item=f"Question: {q.prompt}",
            points=POINTS_PER_QUESTION if answers.get(q.id) == _ANSWER_KEY[q.id] else 0.0,
            max_points=POINTS_PER_QUESTION,
            evidence="correct" if answers.get(q.id) == _ANSWER_KEY[q.id] else "not the expected answer",
        )
        for q in QUESTIONS
    ]
    correct = sum(1 for i in items if i.points)
    return Grade.from_items(items, summary=f"Orientation: {correct} of {len(QUESTIONS)} answered correctly")
