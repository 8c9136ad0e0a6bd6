"""The Code Crucible's phase adapter: a new attempt's exercise, the page, its code task (Run, Run examples, Submit),
grading, the report card's section and the instructor's section of the attempt page."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from grader.phases.code_crucible import (
    KINDS,
    MAX_SOURCE_BYTES,
    Exercise,
    check_source,
    exercise_of,
    grade,
    instructor_view,
)
from grader.sandbox import InvalidRequest
from grader.sandbox.types import LANGUAGES
from grader.workbench.code_task import LANGUAGE_NAMES
from lti_app.errors import Refusal
from lti_app.models import Activity, Attempt
from lti_app.phases.code_crucible.exercise import (
    language_names,
    new_exercise_state,
    offered_languages,
    submission_policy,
    submits_of,
)
from lti_app.phases.code_crucible.linked_report import linked_feedback
from lti_app.phases.code_crucible.review import with_review
from lti_app.phases.code_crucible.variants import queue_requests
from lti_app.phases.code_crucible.views import bp, render_page
from lti_app.phases.registry import NewAttempt


@dataclass(frozen=True)
class CrucibleTask:
    """The attempt's exercise as the workbench runs it: its language, the kinds it runs (the visible examples
    alone too), and the domain's student-safe ``execute``."""

    exercise: Exercise
    kinds: tuple[str, ...] = KINDS

    @property
    def language(self) -> str:
        return self.exercise.language

    def execute(self, backend: Any, kind: str, source: str, stdin: str = "",
                cancel: threading.Event | None = None) -> dict[str, Any]:
        result = self.exercise.execute(backend, kind, source, stdin, cancel=cancel)
        return with_review(self.exercise, source, result)  # a Submit's LLM review, if any (never its points)


class CodeCrucibleAdapter:
    blueprint = bp
    report_template = "code_crucible/report_extra.html"
    instructor_template = "code_crucible/instructor.html"
    scenario_pool = True  # the picker offers the tasks as a pool; each attempt draws one (seeded)
    language_choice = True  # the picker offers several languages; the student picks one before the first Submit
    web_options = frozenset({"after"})  # follows a Difficult Client activity of the course (its resource link id)
    submission_sentences = {
        "best": "Within an attempt, your best Submit counts (the most points from hidden tests, quality and "
                "efficiency), so a worse later Submit does not lower your grade.",
        "latest": "Within an attempt, your latest Submit counts, even if an earlier one scored more.",
    }

    def new_state(self, activity: Activity, learner: NewAttempt) -> dict[str, Any]:
        return new_exercise_state(activity, learner)

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        queue_requests(exercise_of(attempt.state).task_id)  # a generated-variant request the launch wrote (LLM only)
        return render_page(ctx, attempt)

    def code_task(self, attempt: Attempt) -> CrucibleTask:
        return CrucibleTask(exercise_of(attempt.state))

    def accepts_code(self, attempt: Attempt) -> bool:
        return True  # open for the whole attempt: the deadline then submits the last draft

    def check_code(self, attempt: Attempt, data: dict[str, Any], kind: str) -> None:
        """Refuse, before anything is queued, code the sandbox would refuse (binary, over 64 KiB) and a Run or
        Submit in a language the activity does not offer or the attempt is not in."""
        offered = offered_languages(attempt.state)
        current = exercise_of(attempt.state).language
        language = data.get("language")
        if language is not None:
            if not isinstance(language, str) or language not in offered:
                shown = language if isinstance(language, str) and language in LANGUAGES else "that language"
                raise Refusal(400, "language_not_offered",
                              f"this activity does not offer {LANGUAGE_NAMES.get(shown, shown)}: it offers "
                              f"{language_names(offered)}; nothing was run")
            if language != current:
                raise Refusal(409, "language_mismatch",
                              f"your attempt is in {LANGUAGE_NAMES.get(current, current)}; switch to "
                              f"{LANGUAGE_NAMES.get(language, language)} first (possible before your first "
                              f"Submit); nothing was run")
        source = data.get("source")
        try:
            check_source(source)
        except InvalidRequest as exc:
            too_large = isinstance(source, str) and len(source.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES
            raise Refusal(413 if too_large else 400, "source_too_large" if too_large else "invalid_source",
                          f"{exc} Nothing was run; your draft is kept.") from None

    def student_feedback(self, attempt: Attempt, feedback: dict[str, Any]) -> dict[str, Any]:
        """What the linked interview missed is the answer to that interview: while the student may still retake
        it (and its instructor shows answers only after the last attempt), the report names the topic only."""
        return linked_feedback(attempt, feedback)

    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The grade from the recorded Submits; its feedback is the report card's section."""
        return grade(attempt.state, submits_of(attempt.id), policy=submission_policy(attempt.activity))

    def instructor_section(self, attempt: Attempt) -> dict[str, Any]:
        """Every Submit with its code, per-test results with the hidden inputs and expected values, the linter's
        findings and time used; the requirements discovered and missed; the hints."""
        view = instructor_view(attempt.state, submits_of(attempt.id), policy=submission_policy(attempt.activity))
        view["link"] = attempt.state.get("link")
        generated = attempt.state.get("generated")
        view["generated"] = {"id": generated.get("id"), "need": bool(generated.get("need"))} \
            if isinstance(generated, dict) else None
        view["languages"] = offered_languages(attempt.state)
        return view
