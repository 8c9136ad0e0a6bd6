"""Phase 4, The War Room (web half): production is down at 2:47 AM; a real broken system in the sandbox, a
terminal, the workspace editor, an escalating CTO, the server's clock and a root-cause report.

Web routes (all authorised against the launch; state changes need the launch's CSRF token):

- ``GET  /a/<launch_id>`` — the page (via the adapter's ``render``): the incident's briefing, the clock, the
  workbench's terminal over the attempt's workspace (with "Run the check") and its editor (config/ and app/
  files can be saved), the CTO's channel, the report form and Finish.
- The terminal, the check and the editor are the workbench's routes (``lti_app.workbench.terminal``): the
  adapter gives them the incident's workspace and its ``WarRoomTask`` (the service's setup/teardown/prelude,
  and the incident's check).
- ``POST /api/a/<launch_id>/wr/messages`` ``{"message"}`` — a message to the CTO (≤ 1,000 characters) and the
  CTO's reply (offline from the incident's truth file, bounded by the Director; an LLM rephrases it when one
  is configured). ``POST /a/<launch_id>/wr/messages`` is the plain form's.
- ``GET /api/a/<launch_id>/wr/chat/events?after=n`` — the channel as server-sent events: the CTO's pressure
  lines at 80 %, 50 % and 10 % of the time left, computed from the attempt's start and its deadline on the
  server (right after a reload or a lost connection). ``GET /api/a/<launch_id>/wr/chat?after=n`` — the same
  as JSON.
- ``PUT /api/a/<launch_id>/wr/report/draft`` ``{"fields"}`` — the report as typed (kept; not checked).
  ``POST /api/a/<launch_id>/wr/report`` ``{"fields"}`` — save the report (what broke, why, what you changed,
  how you verified, what would prevent it): 400 ``invalid_report`` with ``errors`` per field. Saving does not
  end the attempt. ``POST /a/<launch_id>/wr/report`` is the plain form's.
- ``POST /a/<launch_id>/wr/finish`` — end the incident: the attempt closes and is graded (then the report card).

At the close (Finish, or the deadline: the reconciler closes the attempt by itself) the evaluation runs the
incident's check once more on the stored workspace — the system as it was then — and grades the command log,
every check, the report and the time. The incident's truth (root cause, fixes, the check) stays on the server:
pages render the domain's ``student_view`` and the student-safe check results only.
"""

from lti_app.phases.war_room.adapter import WarRoomAdapter

ADAPTER = WarRoomAdapter()

__all__ = ["ADAPTER", "WarRoomAdapter"]
