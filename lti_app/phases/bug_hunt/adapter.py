"""The Bug Hunt's phase adapter: a new attempt's exercise, the page, its code task, grading, and the instructor's
section of the attempt page."""

from __future__ import annotations

from typing import Any

from grader.phases.bug_hunt import exercise_of, grade, instructor_view, start_state
from lti_app.models import Activity, Attempt
from lti_app.phases.bug_hunt.exercise import exercise_for, hints_allowed, submission_policy, submits_of
from lti_app.phases.bug_hunt.views import bp, render_page
from lti_app.phases.registry import NewAttempt, activity_options


class BugHuntAdapter:
    blueprint = bp
    report_template = "bug_hunt/report_extra.html"
    instructor_template = "bug_hunt/instructor.html"
    scenario_pool = True  # the picker offers the programs as a pool; each attempt draws one (seeded)
    # Which Submit counts, in this phase's words: "best" is the most bugs fixed (the result's measure).
    submission_sentences = {
        "best": "Within an attempt, your best Submit counts (the one that fixed the most bugs), so a worse later "
                "Submit does not lower your grade.",
        "latest": "Within an attempt, your latest Submit counts, even if an earlier one fixed more bugs.",
    }

    def new_state(self, activity: Activity, learner: NewAttempt) -> dict[str, Any]:
        return start_state(exercise_for(activity, learner), hints_allowed(activity_options(activity)))

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        return render_page(ctx, attempt)

    def code_task(self, attempt: Attempt) -> Any:
        return exercise_of(attempt.state)  # an Exercise: its language, and how its Run and Submit are judged

    def accepts_code(self, attempt: Attempt) -> bool:
        # The code is open for the whole attempt (the routes' open-attempt guard refuses a closed one), so the
        # deadline, which asks after closing the attempt, submits the last draft.
        return True

    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The grade from the recorded Submits; its feedback carries the report card's bug list."""
        return grade(attempt.state, submits_of(attempt.id), policy=submission_policy(attempt.activity))

    def instructor_section(self, attempt: Attempt) -> dict[str, Any]:
        """The manifest, each Submit as a diff against the buggy original with the bugs it fixed, and the hints."""
        submits = submits_of(attempt.id)
        view = instructor_view(attempt.state, submits, policy=submission_policy(attempt.activity))
        when = {s["id"]: s["submitted_at"] for s in submits}
        for item in view["submissions"]:
            item["submitted_at"] = when.get(item["id"], "")
        return view
