"""The Difficult Client's phase adapter: attempt state, the page, grading and its coding task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import render_template, url_for

from grader.phases.difficult_client import MAX_MESSAGE_CHARS, grade_attempt, start_session, student_view
from grader.phases.difficult_client.narration import narrate, reply_note
from grader.phases.difficult_client.report import student_feedback
from grader.phases.options import shows_answers_now
from lti_app.models import Attempt
from lti_app.phases.code_crucible import CrucibleTask
from lti_app.phases.difficult_client.coding import check_language, crucible_task, has_task, with_language
from lti_app.phases.difficult_client.scenario import provider, scenario_for_attempt, scenario_of
from lti_app.phases.difficult_client.views import bp
from lti_app.phases.registry import NewAttempt, TranscriptLine, activity_options
from lti_app.security import csrf_token
from lti_app.workbench.accommodations import accommodation_for, attempts_allowed
from lti_app.workbench.clock import clock_view
from lti_app.workbench.drafts import draft_of
from lti_app.workbench.submissions import counting_submit, latest_submission, submission_view


def turn_feedback(view: dict[str, Any]) -> list[dict[str, str]]:
    """The transcript for the page, each student message followed by the Director's line for that turn."""
    lines = {f["turn"]: f["line"] for f in view["feedback"]}
    out, turn = [], 0
    for m in view["messages"]:
        item = {"role": m["role"], "text": m["text"], "feedback": ""}
        if m["role"] == "student":
            turn += 1
            item["feedback"] = lines.get(turn, "")
        out.append(item)
    return out


class DifficultClientAdapter:
    blueprint = bp
    report_template = "difficult_client/report_extra.html"
    # What the workbench's Run/Submit answer before the task unlocks (accepts_code is False).
    locked_refusal = ("task_locked", "the coding task unlocks once you have uncovered most of the client's needs")
    scenario_pool = True  # the picker offers the clients as a pool; each attempt draws one (seeded, unplayed first)
    pool_words = {
        "legend": "Clients to draw from",
        "unknown": "choose clients from the list",
        "help": "Each attempt meets one of the ticked clients, one the student has not met yet in this activity "
                "where there is one (none ticked: any client). Each shows its own difficulty.",
        "difficulty": "How guarded the client is: an easy client volunteers more, a hard one tells only good "
                      "questions. Among the ticked clients, those of this difficulty are met first.",
    }

    def new_state(self, activity: Any, learner: NewAttempt) -> dict[str, Any]:
        scenario, difficulty = scenario_for_attempt(activity, learner)
        return with_language(activity, scenario, start_session(scenario, difficulty=difficulty))

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        scenario = scenario_of(attempt.state)
        view = student_view(attempt.state, scenario)
        latest = latest_submission(attempt.id)
        draft = draft_of(attempt.id)
        task = view["coding_task"]  # the Crucible exercise's student view, once unlocked
        starter = task["starter"] if task else ""
        return render_template(
            "difficult_client/page.html",
            ctx=ctx,
            attempt=attempt,
            view=view,
            transcript=turn_feedback(view),
            task=task,
            # The saved draft wins over the last run: what the student typed survives a reload.
            source=draft.source if draft is not None else latest.source if latest is not None else starter,
            stdin=draft.stdin if draft is not None else latest.stdin if latest is not None else "",
            draft_revision=draft.revision if draft is not None else 0,
            latest=submission_view(ctx.launch_id, latest) if latest is not None else None,
            csrf=csrf_token(ctx.launch_id),
            report_url=url_for("student.report", launch_id=ctx.launch_id),
            clock=clock_view(ctx.launch_id, attempt, submits_draft=True),
            max_message_chars=MAX_MESSAGE_CHARS,
            # What the client plays at (the activity's difficulty, else the scenario's own): not a secret.
            difficulty=str(attempt.state.get("difficulty") or scenario.meta.difficulty),
        )

    def student_feedback(self, attempt: Attempt, feedback: dict[str, Any]) -> dict[str, Any]:
        """The report card's constraints: what was missed is named by topic only while the student may retake
        the activity (unless the instructor shows answers after each attempt); in full once none is left."""
        activity = attempt.activity
        left = attempts_allowed(activity, accommodation_for(activity.id, attempt.user_id)) - attempt.number
        return student_feedback(scenario_of(attempt.state), attempt.state, feedback,
                                show_answers=shows_answers_now(activity_options(activity), left))

    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        return grade_attempt(scenario_of(attempt.state), attempt.state, counting_submit(attempt.id), provider())

    def code_task(self, attempt: Attempt) -> CrucibleTask:
        """The attempt's Code Crucible exercise (built at unlock from what the interview revealed)."""
        return crucible_task(attempt)

    def accepts_code(self, attempt: Attempt) -> bool:
        return has_task(attempt)

    def check_code(self, attempt: Attempt, data: dict[str, Any], kind: str) -> None:
        check_language(attempt, data)

    def transcript_lines(self, attempt: Attempt, messages: Sequence[Any]) -> list[TranscriptLine]:
        """The conversation for the instructor: who said what, the Director's verdict on each question in
        words (grader.phases.difficult_client.narration), and the stored record behind each line."""
        scenario = scenario_of(attempt.state)
        persona = scenario.persona.name
        student = attempt.user.name or "Student"
        stories = {s.turn: s for s in narrate(scenario, [m.judgement for m in messages if m.role == "student"])}
        lines = [TranscriptLine(f"{persona} (client)", scenario.persona.greeting, note="greeting")]
        turn = 0
        for m in messages:
            if m.role == "student":
                turn = int((m.judgement or {}).get("turn") or turn + 1)
                story = stories.get(turn)
                lines.append(TranscriptLine(f"{student} (student)", m.body, note=story.judgement if story else "",
                                            judge="Director" if story else "", raw=m.judgement or None))
            else:
                story = stories.get(turn)
                lines.append(TranscriptLine(f"{persona} (client)", m.body,
                                            note=reply_note(m.judgement or {}, story.changed_topics if story else ()),
                                            raw=m.judgement or None))
        return lines
