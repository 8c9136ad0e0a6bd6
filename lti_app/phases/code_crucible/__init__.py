"""Phase 2, The Code Crucible (web half): implement what a client needed, against real hidden tests.

Web routes (all authorised against the launch; state changes need the launch's CSRF token):

- ``GET  /a/<launch_id>`` — the page (via the adapter's ``render``): the statement (derived from the linked
  Difficult Client attempt where the activity follows one), the signature, the level's rules, the examples with
  expected outputs, the hidden tests as the level shows them, the workbench's editor with the starter or the saved
  draft, Run / Run examples / Submit, hints, Submits left, the clock and Finish.
- Run, Run examples and Submit are the workbench's ``POST /api/a/<launch_id>/code/run`` ``{"source", "stdin"?}``,
  ``/code/examples`` and ``/code/submit`` ``{"source", "language"?}`` (202, live progress at the submission's events
  URL). The server enforces the Submits per attempt (3 by default) and the time limit (15 minutes by default; at the
  deadline the last saved draft is submitted). A ``language`` the activity does not offer is refused (400
  ``language_not_offered``), one it offers but the attempt is not in too (409 ``language_mismatch``); code that is
  binary or over 64 KiB is refused before anything is queued.
- ``POST /api/a/<launch_id>/cc/language`` ``{"language"}`` — switch to another offered language before the first
  Submit: same task, level and variant, the editor back at that language's starter; 409 ``language_locked`` after.
- ``GET /api/a/<launch_id>/cc/hints``, ``POST /api/a/<launch_id>/cc/hint`` ``{"hints_taken"?}`` — the next hint
  (free at Junior after each failed run, 5 points each at Mid and Senior); 409 ``no_hint_left`` /
  ``hint_already_taken`` (a double click takes one hint).
- ``POST /a/<launch_id>/cc/finish`` — end the attempt and queue grading, then the shared report card, whose section
  lists each hidden test's edge case and result, the requirements never learned in the interview, the quality and
  efficiency items with their evidence.

Activity options: the domain's (task or pool, languages — one or several —, difficulty, level, time limit, attempts,
grade policies, Submits, seeding) and the web's ``after``: the resource link id of a Difficult Client activity of
the same course, whose latest closed attempt of the same student the task is derived from.

The hidden tests' inputs and expected values and the reference stay in the attempt's server-side state; pages render
only the domain's ``student_view`` and student-safe results. Bad requests answer ``{"error": <reason code>,
"detail": <sentence>}`` with a 4xx.
"""

from lti_app.phases.code_crucible.adapter import CodeCrucibleAdapter, CrucibleTask

ADAPTER = CodeCrucibleAdapter()

__all__ = ["ADAPTER", "CodeCrucibleAdapter", "CrucibleTask"]
