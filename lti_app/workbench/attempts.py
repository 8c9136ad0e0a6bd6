"""The open-attempt guard every phase route uses: the launch's current attempt, of this phase, still open."""

from __future__ import annotations

from lti_app.access import activity_for, current_attempt, require_launch
from lti_app.errors import refuse
from lti_app.lti.context import LaunchContext
from lti_app.models import Attempt, AttemptStatus
from lti_app.security import check_csrf
from lti_app.workbench.clock import seconds_left


def phase_attempt(launch_id: str, phase_id: str | None) -> tuple[LaunchContext, Attempt]:
    """The launch's current attempt, refused unless it belongs to an activity of ``phase_id`` (a route of one
    phase never touches another phase's attempt). Workbench routes, shared by every phase, pass None."""
    ctx = require_launch(launch_id)
    attempt = current_attempt(ctx)
    if attempt is None or (phase_id is not None and activity_for(ctx).phase != phase_id):
        refuse(404, "attempt_unknown", "launch the activity again from your course")
    return ctx, attempt


def open_attempt(launch_id: str, phase_id: str | None, *, within_time: bool = True) -> tuple[LaunchContext, Attempt]:
    """For a state change: CSRF checked, the attempt still open and, for new work, within its time limit.
    Ending an attempt passes ``within_time=False``: that always stays possible."""
    check_csrf(launch_id)
    ctx, attempt = phase_attempt(launch_id, phase_id)
    if attempt.status != AttemptStatus.OPEN or attempt.state.get("finished"):
        refuse(409, "attempt_closed", "this attempt has ended; your report card has the results")
    if within_time and seconds_left(attempt) == 0:
        refuse(409, "time_up", "the time limit for this attempt has passed; it is being closed and graded")
    return ctx, attempt
