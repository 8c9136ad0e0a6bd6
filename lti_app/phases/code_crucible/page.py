"""The Code Crucible's page for an open attempt: the statement (derived from a linked interview), the signature, the
level's rules, the examples with expected outputs, the hidden tests as the level shows them, the workbench's editor
(the starter, or the student's saved draft), Run / Run examples / Submit with live progress, hints, Submits left, the
clock and Finish. Only the domain's ``student_view`` of the attempt's state reaches it, never the hidden tests'
inputs (beyond what the Intern level shows) or the reference."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for

from grader.phases.code_crucible import student_view
from grader.workbench.code_task import LANGUAGE_NAMES
from lti_app.models import Attempt
from lti_app.phases.code_crucible.exercise import any_submit, failed_runs, offered_languages
from lti_app.phases.code_crucible.views import hints_sentence
from lti_app.security import csrf_token
from lti_app.workbench.clock import clock_view
from lti_app.workbench.drafts import draft_of
from lti_app.workbench.submissions import latest_submission, submission_view


def link_sentence(link: dict[str, Any] | None, derived: bool) -> str:
    """What the student is told about the interview this activity follows."""
    if not link:
        return ""
    interview = f"client interview “{link['title']}”" if link.get("title") else "client interview"
    if not link.get("played"):
        return (f"This task follows the {interview}, which you have not finished, so you get it as a standalone "
                f"exercise: the statement says everything the client needs.")
    if derived:
        return (f"This task comes from your {interview}: the statement holds what you learned there, and the hidden "
                f"tests check everything the client needs.")
    return (f"This activity follows your {interview}; this task was not part of that interview, so the statement "
            f"says everything the client needs.")


def page_html(ctx: Any, attempt: Attempt, error: str = "") -> str:
    state = attempt.state
    failed = failed_runs(attempt.id)
    view = student_view(state, failed)
    draft = draft_of(attempt.id)
    latest = latest_submission(attempt.id)
    # What the student typed survives a reload: the saved draft, else the last code sent in this language, else
    # the starter.
    if draft is not None:
        source = draft.source
    elif latest is not None and latest.language == view["language"] and latest.kind != "command":
        source = latest.source
    else:
        source = view["starter"]
    languages = offered_languages(state)
    submitted = any_submit(attempt.id)
    derived = state["exercise"].get("discovered") is not None
    return render_template(
        "code_crucible/page.html",
        ctx=ctx,
        attempt=attempt,
        view=view,
        source=source,
        stdin=draft.stdin if draft is not None else "",
        draft_revision=draft.revision if draft is not None else 0,
        latest=submission_view(ctx.launch_id, latest) if latest is not None else None,
        languages=[(x, LANGUAGE_NAMES.get(x, x)) for x in languages],
        can_switch=len(languages) > 1 and not submitted,
        submitted=submitted,
        link_sentence=link_sentence(state.get("link"), derived),
        hints_sentence=hints_sentence(view["hints_left"], view["hint_cost"]),
        error=error,
        csrf=csrf_token(ctx.launch_id),
        report_url=url_for("student.report", launch_id=ctx.launch_id),
        clock=clock_view(ctx.launch_id, attempt, submits_draft=True),
    )
