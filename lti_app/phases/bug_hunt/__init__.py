"""Phase 3, The Bug Hunt (web half): a program broken in exactly four ways; find and fix the bugs.

Web routes (all authorised against the launch; state changes need the launch's CSRF token):

- ``GET  /a/<launch_id>`` — the page (via the adapter's ``render``): the buggy program in the workbench's
  editor (or the student's saved draft), the visible tests, Run/Submit, hints, Submits left, the clock, Finish.
- Run and Submit are the workbench's ``POST /api/a/<launch_id>/code/run`` ``{"source", "stdin"?}`` and
  ``/code/submit`` ``{"source"}`` (202, live progress at the submission's events URL); the server enforces the
  activity's Submits per attempt (3 by default for this phase).
- ``POST /api/a/<launch_id>/bh/hint`` ``{"hints_taken"?}`` — the line of one unfixed bug, for points; 409
  ``no_hint_left`` / ``hint_already_taken`` (a double click takes one hint). A plain form gets the page back.
- ``POST /a/<launch_id>/bh/finish`` — end the hunt and queue grading, then the shared report card, whose
  section lists each bug (line, type, fixed or not, hinted) once the attempt has closed.

The manifest (bug lines, types, original text) stays in the attempt's server-side state; pages render only the
domain's ``student_view``. Bad requests answer ``{"error": <reason code>, "detail": <sentence>}`` with a 4xx.
"""

from lti_app.phases.bug_hunt.adapter import BugHuntAdapter

ADAPTER = BugHuntAdapter()

__all__ = ["ADAPTER", "BugHuntAdapter"]
