"""What every phase stands on, in the domain: a coding task and its real runs in the sandbox.

- ``CodingTask`` / ``CodeCase`` and ``CodingTaskSchema`` — a function to implement, its public examples and
  hidden tests; ``CodingTask.public()`` is the student-safe part.
- ``execute(backend, task, kind, source, stdin)`` — a Run (the student's program with their input) or a
  Submit (examples in detail, hidden tests as counts only), as plain student-safe data.
- ``Workspace`` / ``run_command`` / ``ShellTask`` — the terminal: a directory tree persisted between commands,
  each command run in its own sandbox over it (:mod:`grader.workbench.workspace`).
"""

from grader.workbench.code_runs import SUBMISSION_KINDS, execute, time_limit_seconds
from grader.workbench.code_task import CaseSchema, CodeCase, CodingTask, CodingTaskSchema
from grader.workbench.workspace import (
    COMMAND_LIMITS,
    CommandResult,
    ShellTask,
    Workspace,
    WorkspaceError,
    run_command,
)

__all__ = ["COMMAND_LIMITS", "SUBMISSION_KINDS", "CaseSchema", "CodeCase", "CodingTask", "CodingTaskSchema",
           "CommandResult", "ShellTask", "Workspace", "WorkspaceError", "execute", "run_command",
           "time_limit_seconds"]
