"""The Bug Hunt's page for an open attempt: the buggy program in the editor (or the student's draft), the visible
tests, Run/Submit with live progress, hints, Submits left, the clock and Finish. Only the student view of the
attempt's state reaches it, never the manifest."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for

from grader.phases.bug_hunt import HINT_PENALTY, student_view
from lti_app.models import Attempt
from lti_app.phases.bug_hunt.exercise import latest_fixed
from lti_app.phases.bug_hunt.views import hints_sentence
from lti_app.security import csrf_token
from lti_app.workbench.clock import clock_view
from lti_app.workbench.drafts import draft_of
from lti_app.workbench.submissions import latest_submission, submission_view


def page_html(ctx: Any, attempt: Attempt, hint_error: str = "") -> str:
    fixed = latest_fixed(attempt)
    view = student_view(attempt.state, fixed)
    draft = draft_of(attempt.id)
    latest = latest_submission(attempt.id)
    # What the student typed survives a reload: the saved draft, else the last code sent, else the buggy program.
    source = draft.source if draft is not None else latest.source if latest is not None else view["source"]
    return render_template(
        "bug_hunt/page.html",
        ctx=ctx,
        attempt=attempt,
        view=view,
        source=source,
        draft_revision=draft.revision if draft is not None else 0,
        latest=submission_view(ctx.launch_id, latest) if latest is not None else None,
        fixed_count=sum(fixed) if fixed is not None else None,
        hint_penalty=HINT_PENALTY,
        hints_sentence=hints_sentence(view["hints_left"]),
        hint_error=hint_error,
        csrf=csrf_token(ctx.launch_id),
        report_url=url_for("student.report", launch_id=ctx.launch_id),
        clock=clock_view(ctx.launch_id, attempt, submits_draft=True),
    )
