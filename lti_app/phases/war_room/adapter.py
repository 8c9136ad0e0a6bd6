"""The War Room's phase adapter: a new attempt's incident, the page, the terminal's workspace and task, grading
(with the final check of the system at the close) and the instructor's section of the attempt page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.phases.war_room import (
    DEFAULT_DIFFICULTY,
    NoIncident,
    WarRoomTask,
    choose_incident,
    command_task,
    grade,
    instructor_view,
    start_state,
    workspace_seed,
)
from grader.workbench.workspace import Workspace
from lti_app.errors import Refusal
from lti_app.launches import scenario_pool
from lti_app.models import Activity, Attempt
from lti_app.phases.registry import NewAttempt, TranscriptLine, activity_options
from lti_app.phases.war_room.cause import cause_judgement, stored_judgement
from lti_app.phases.war_room.records import final_check, grading_inputs, iso, now_aware
from lti_app.phases.war_room.views import bp, render_page
from lti_app.workbench.terminal import command_log

# What the editor may save: the service's configuration and its code (a fix can be either). The logs, the
# deploy history, the service manager and its run/ state stay read-only there (the terminal can still change
# them, and the command log records it).
EDITABLE = ("config/", "app/")


def seed_key(activity: Activity, learner: NewAttempt) -> str:
    """A seeded incident per student and attempt: classmates cannot swap answers, a retake gets another draw."""
    return f"{activity.id}:{learner.user_id}:{learner.number}"


class WarRoomAdapter:
    blueprint = bp
    report_template = "war_room/report_extra.html"
    instructor_template = "war_room/instructor.html"
    scenario_pool = True  # the picker offers the incidents as a pool; each attempt draws one (seeded)
    pool_words = {
        "legend": "Incidents to draw from",
        "help": "Each attempt gets one of the ticked incidents, drawn per student and attempt (none ticked: any "
                "incident). Each shows the difficulty it was written for.",
        "difficulty": "How noisy the logs are and how misleading the first symptoms look, whichever incident is "
                      "drawn.",
    }
    terminal_host = "shop-prod-1"

    # ----- the attempt ------------------------------------------------------------------------------------
    def new_state(self, activity: Activity, learner: NewAttempt) -> dict[str, Any]:
        options = activity_options(activity)
        difficulty = str(options.get("difficulty") or DEFAULT_DIFFICULTY)
        key = seed_key(activity, learner)
        try:
            incident = choose_incident(scenario_pool(activity) or None, difficulty, key)
        except NoIncident as exc:
            raise Refusal(409, "no_incident", f"this War Room cannot start: {exc} Tell your instructor.") from None
        state = start_state(incident, difficulty, key, started_at=now_aware())
        return {**state, "rev": 0}

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        return render_page(ctx, attempt)

    # ----- the terminal (RunsCommands) --------------------------------------------------------------------
    def workspace_seed(self, attempt: Attempt) -> Workspace:
        return workspace_seed(attempt.state)

    def command_task(self, attempt: Attempt) -> WarRoomTask:
        return command_task(attempt.state)  # .run(...) and .check(...): the incident's service and its check

    def editable(self, attempt: Attempt, path: str) -> bool:
        return path.startswith(EDITABLE)

    # ----- grading ----------------------------------------------------------------------------------------
    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The domain's grade from the command log, every check (the last one run here, on the system as it was
        at the close), the report and the attempt's times. The inputs keep the final check's verdict, so the
        grade can be explained after the workspace is deleted, and an LLM's rubric answers on the report (with an
        LLM configured), so a regrade reuses them."""
        final = final_check(attempt, evaluation)
        state, log, checks, report, started, deadline = grading_inputs(attempt)
        judgement = cause_judgement(attempt, report)
        result, inputs, feedback = grade(state, log, checks, report, started, deadline, judgement)
        return result, {**inputs, "final_check_row": final.id, "report": report}, feedback

    # ----- the instructor ---------------------------------------------------------------------------------
    def instructor_section(self, attempt: Attempt) -> dict[str, Any]:
        """The incident's truth, the timeline (commands with times and outputs, edits as diffs), every check,
        the CTO's channel with the Director's judgements, the report and how each score item was decided."""
        state, log, checks, report, started, deadline = grading_inputs(attempt)
        view = instructor_view(state, log, checks, report, started, deadline, stored_judgement(attempt.id))
        finished = {e["id"]: e for e in command_log(attempt.id)}
        view["log"] = [{**e, "at_time": (e.get("at") or "")[11:19]} for e in finished.values()]
        view["closed"] = attempt.status != "open"
        view["final_check"] = next((c for c in reversed(checks) if c["result"].get("final")), None)
        view["report_saved_at"] = (state.get("report") or {}).get("saved_at")
        view["started_iso"] = iso(attempt.started_at)
        return view

    def transcript_lines(self, attempt: Attempt, messages: Sequence[Any]) -> list[TranscriptLine]:
        """The incident channel for the instructor: who said what, and for each student message the Director's
        reading of it (what was asked, which facts the CTO gave, whether the answer was refused)."""
        from grader.phases.war_room import load_incident

        cto = load_incident(attempt.state["incident"]).cto["name"]
        student = attempt.user.name or "Student"
        opening = next((c for c in attempt.state.get("chat", []) if c.get("kind") == "opening"), None)
        lines = [TranscriptLine(f"{cto} (CTO)", opening["text"], note="opening")] if opening else []
        for m in messages:
            notes = m.judgement or {}
            if m.role == "student":
                asked = ", ".join(notes.get("intents") or []) or "nothing the Director recognised"
                said = ", ".join(notes.get("facts") or []) or "no fact"
                note = f"asked: {asked}; the CTO gave {said}" + ("; asking for the answer was refused"
                                                                  if notes.get("refused") else "")
                if notes.get("flags"):
                    note += f"; flags: {', '.join(notes['flags'])}"
                lines.append(TranscriptLine(f"{student} (student)", m.body, note=note, judge="Director",
                                            raw=notes or None))
            else:
                kind = notes.get("kind", "reply")
                note = (f"pressure line at {int(float(notes.get('fraction_left', 0)) * 100)} % of the time left"
                        if kind == "pressure" else f"reply ({notes.get('source', 'offline')})")
                lines.append(TranscriptLine(f"{cto} (CTO)", m.body, note=note, raw=notes or None))
        return lines
