"""What every phase stands on, in the domain: a coding task and its real runs in the sandbox.

- ``CodingTask`` / ``CodeCase`` and ``CodingTaskSchema`` — a function to implement, its public examples and
  hidden tests; ``CodingTask.public()`` is the student-safe part.
- ``execute(backend, task, kind, source, stdin)`` — a Run (the student's program with their input) or a
  Submit (examples in detail, hidden tests as counts only), as plain student-safe data.
"""

from grader.workbench.code_runs import SUBMISSION_KINDS, execute, time_limit_seconds
from grader.workbench.code_task import CaseSchema, CodeCase, CodingTask, CodingTaskSchema

__all__ = ["SUBMISSION_KINDS", "CaseSchema", "CodeCase", "CodingTask", "CodingTaskSchema", "execute",
           "time_limit_seconds"]
