"""The report card page every phase ends on (a phase adds its own section: its adapter's ``report_template``)."""

from __future__ import annotations

from flask import render_template

from lti_app.lti.context import LaunchContext
from lti_app.models import Activity, Attempt
from lti_app.phases import get_phase
from lti_app.views.status import attempt_status, grade_view, latest_grade
from lti_app.workbench.policy import policy_note


def render_report(ctx: LaunchContext, act: Activity, attempt: Attempt) -> str:
    """The report card of a finished attempt: grade and breakdown once graded, live status until then."""
    grade = latest_grade(attempt)
    phase = get_phase(act.phase)
    note = policy_note(attempt)  # which attempt counts, attempts left, the gradebook, what a new attempt can do
    return render_template(
        "report.html",
        ctx=ctx,
        activity=act,
        extra_template=phase.adapter.report_template if phase else None,
        attempt=attempt,
        grade=grade_view(grade) if grade else None,
        status=attempt_status(attempt),
        grade_note=note,
        can_retry=note.can_retry,
    )
