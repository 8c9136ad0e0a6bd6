"""The Imposter's phase adapter: a new attempt's repository, the page, the terminal's workspace and task (which
records pushes to the shared remote after every command), grading from a snapshot of the remote taken when the
attempt closes, and the instructor's section of the attempt page."""

from __future__ import annotations

from typing import Any

from grader.phases.imposter import (
    NoScenario,
    choose_scenario,
    command_task,
    grade,
    instructor_view,
    report_card,
    start_state,
)
from grader.workbench.workspace import Workspace
from lti_app.errors import Refusal
from lti_app.launches import scenario_pool
from lti_app.models import Activity, Attempt
from lti_app.phases.imposter.records import (
    RecordingTask,
    aware,
    close_snapshot,
    command_entries,
    explored_of,
    iso,
    previous_inputs,
    report_for_grading,
)
from lti_app.phases.imposter.views import bp, render_page, seed_workspace
from lti_app.phases.registry import NewAttempt, activity_options
from lti_app.views.status import latest_grade
from lti_app.workbench.terminal import command_log


def seed_key(activity: Activity, learner: NewAttempt, seeding: str) -> str:
    """"student" (the default): a repository per student and attempt, so classmates cannot swap answers and a
    retake gets another; "shared": one for the whole activity."""
    return str(activity.id) if seeding == "shared" else f"{activity.id}:{learner.user_id}:{learner.number}"


class ImposterAdapter:
    blueprint = bp
    report_template = "imposter/report_extra.html"
    instructor_template = "imposter/instructor.html"
    scenario_pool = True  # the picker offers the projects as a pool; each attempt draws one (seeded)
    pool_words = {
        "legend": "Projects to draw from",
        "help": "Each attempt gets one of the ticked projects, with its own generated history (none ticked: any "
                "project). Each shows the difficulty it was written for.",
        "difficulty": "How plausible the sabotage looks and how many decoys surround it, whichever project is "
                      "drawn.",
    }
    terminal_host = "team-repo"

    # ----- the attempt ------------------------------------------------------------------------------------
    def new_state(self, activity: Activity, learner: NewAttempt) -> dict[str, Any]:
        options = activity_options(activity)
        seeding = str(options.get("seeding") or "student")
        difficulty = str(options.get("difficulty") or "") or None
        try:
            state = start_state(choose_scenario(scenario_pool(activity) or None, difficulty,
                                                seed_key(activity, learner, seeding)))
        except NoScenario as exc:
            raise Refusal(409, "no_scenario", f"this Imposter cannot start: {exc} Tell your instructor.") from None
        return {**state, "rev": 0, "explored": {"opened": [], "filters": []}}

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        return render_page(ctx, attempt)

    # ----- the terminal (RunsCommands) --------------------------------------------------------------------
    def workspace_seed(self, attempt: Attempt) -> Workspace:
        return seed_workspace(attempt.state)

    def command_task(self, attempt: Attempt) -> RecordingTask:
        return RecordingTask(attempt.id, command_task(attempt.state))

    def editable(self, attempt: Attempt, path: str) -> bool:
        # The project's files; never git's own, nor the shared remote (changes reach it through git push).
        return path.startswith("repo/") and path != "repo/.git" and not path.startswith("repo/.git/")

    # ----- grading ----------------------------------------------------------------------------------------
    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The domain's grade from the remote as the attempt left it (a snapshot taken here, in the worker; a
        regrade reuses the stored one and the report sent then), the report and the times. The feedback carries
        the report card's answer: the sabotage's commit and patch."""
        state = attempt.state
        previous = previous_inputs(attempt.id) if getattr(evaluation, "reason", "") == "regrade" else None
        if previous is not None:
            remote, report = previous["remote"], previous.get("report_sent")
        else:
            remote, report = close_snapshot(attempt), report_for_grading(state)
        log = command_entries(command_log(attempt.id))
        result, inputs, feedback = grade(state, log, report, remote, aware(attempt.started_at),
                                         aware(attempt.deadline_at))
        card = report_card(state, result, feedback)
        feedback = {**feedback, "sabotage": card["sabotage"]}
        return result, {**inputs, "explored": explored_of(state)}, feedback

    # ----- the instructor ---------------------------------------------------------------------------------
    def instructor_section(self, attempt: Attempt) -> dict[str, Any]:
        """The answer, what the student explored (commits opened, author filters, terminal commands and the git
        tools they used), the resolution as performed (the remote's recorded updates and, once graded, its
        history and tests), the report and the score items."""
        state = attempt.state
        graded = latest_grade(attempt)
        inputs = graded.inputs if graded is not None and isinstance(graded.inputs, dict) else {}
        entries = command_log(attempt.id)
        report = inputs.get("report_sent") or report_for_grading(state)
        view = instructor_view(state, commands=command_entries(entries), report=report,
                               remote=inputs.get("remote") or None, explored=explored_of(state))
        view["score_items"] = list(graded.breakdown) if graded is not None else []
        view["graded"] = graded is not None
        view["parsed_report"] = inputs.get("report")
        view["resolution"] = inputs.get("resolution")
        view["edits"] = [e for e in entries if e.get("kind") == "edit"]
        view["started_iso"] = iso(attempt.started_at)
        return view
