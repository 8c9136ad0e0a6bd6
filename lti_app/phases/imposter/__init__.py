"""Phase 5, The Imposter (web half): a team of four shipped a feature, production broke, and one teammate's
plausible commit is the sabotage. The student explores the team's real git history, names the teammate and the
commit, and resolves it on the shared remote; the grade reads what they did from the repository itself.

Web routes (all authorised against the launch; state changes need the launch's CSRF token):

- ``GET  /a/<launch_id>`` — the page (the adapter's ``render``): the incident and the team, the commit graph
  (``?author=`` filters its plain list), a commit's diff, the terminal and the workspace editor (the
  workbench's), the clock, the report and Finish.
- ``GET  /api/a/<launch_id>/imposter/graph`` — the domain's ``graph`` with the student's own commits.
- ``GET  /api/a/<launch_id>/imposter/commits/<sha>`` — one commit's diff (404 ``unknown_commit``); the page
  version ``GET /a/<launch_id>/imposter/commits/<sha>``. Recorded as opened, for the instructor.
- ``POST /api/a/<launch_id>/imposter/filter`` ``{"author"}`` — the author filter shown, recorded.
- ``PUT  /api/a/<launch_id>/imposter/report/draft`` and ``POST /api/a/<launch_id>/imposter/report`` (or the form
  ``POST /a/<launch_id>/imposter/report``) — the report: which teammate, which commit, how it was resolved and
  why; 400 ``invalid_report`` with ``errors`` per field. Saving does not close the attempt.
- ``POST /a/<launch_id>/imposter/finish`` — close and grade (the deadline does the same by itself).
- The terminal: the workbench's ``/api/a/<launch_id>/terminal/…`` and ``/workspace/…`` routes; after every
  command the push it made, if any, is recorded in the attempt's state (``records.RecordingTask``).

The answer (``state["truth"]``) stays in the attempt's server-side state; pages render only the domain's
``student_view``, ``graph`` and ``diff``, until the report card.
"""

from lti_app.phases.imposter.adapter import ImposterAdapter

ADAPTER = ImposterAdapter()

__all__ = ["ADAPTER", "ImposterAdapter"]
