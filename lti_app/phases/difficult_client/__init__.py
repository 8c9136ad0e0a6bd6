"""Phase 1, The Difficult Client (web half): interview a client who hides constraints, then code what you learned.

Web routes (all authorised against the launch; state changes need the launch's CSRF token):

- ``GET  /a/<launch_id>`` — the page (via the adapter's ``render``).
- ``POST /api/a/<launch_id>/dc/messages`` — ``{"message", "turn"?}``; ``Accept: text/event-stream`` streams
  ``chunk`` / ``done`` / ``error`` events (the chunks are the final reply, checked before the first is sent),
  otherwise one JSON answer.
- ``GET  /api/a/<launch_id>/dc/state`` — the student view and the latest submission.
- Run, Run examples and Submit are the workbench's ``POST /api/a/<launch_id>/code/run`` ``{"source", "stdin"}``,
  ``/code/examples`` and ``/code/submit`` ``{"source", "language"?}`` (refused with ``task_locked`` until the task
  unlocks, ``language_not_offered`` for code in another language than the attempt's) — queue sandbox work (202);
  the shared ``GET /api/a/<launch_id>/submissions/<id>`` gives its live status and result. What they execute is
  the attempt's Code Crucible exercise (``coding.py``): the scenario's task, built at unlock from the constraints
  revealed, in the activity's ``language`` (Python by default).
- ``POST /a/<launch_id>/dc/finish`` — end the session and queue grading, then the shared report card
  (``/a/<launch_id>/report``).
- ``GET  /api/i/<launch_id>/dc/attempts/<id>`` — instructors only: the engine's ``instructor_view``.

Messages and code are refused after the attempt closed (``attempt_closed``) or once the activity's
``time_limit`` has passed (``time_up``); ending the session always works.

Bad requests answer ``{"error": <reason code>, "detail": <sentence>}`` with a 4xx status.
"""

from lti_app.phases.difficult_client.adapter import DifficultClientAdapter

ADAPTER = DifficultClientAdapter()

__all__ = ["ADAPTER", "DifficultClientAdapter"]
