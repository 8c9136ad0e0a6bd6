"""Reading the bank of verified tasks (``verified.json``, written by ``python -m grader.phases.code_crucible.bank``).

A task is served only while the bank holds an entry for the digest of its current files; the entry carries
what verification computed: each variant's values and, for variants other than the default, the expected
values the three references agreed on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.phases.code_crucible.tasks import Task, load_task, task_ids
from grader.scenarios import ScenarioError
from grader.workbench.verified_bank import VerifiedBank

BANK_PATH = Path(__file__).resolve().parent / "verified.json"
BANK_VERSION = 1
SECTION = "tasks"


def bank_at(path: Path = BANK_PATH) -> VerifiedBank:
    return VerifiedBank(path, BANK_VERSION, SECTION)


def read_bank(path: Path = BANK_PATH) -> dict[str, Any]:
    return bank_at(path).read()


def verified_entry(task: Task, path: Path = BANK_PATH) -> dict[str, Any] | None:
    """The bank's entry for the task's current files, or None (stale, missing or never verified)."""
    return bank_at(path).entry(task.id, task.digest)


def served_task(task_id: str, path: Path = BANK_PATH) -> tuple[Task, dict[str, Any]] | None:
    """(task, its verified entry) when the task exists and its current files are verified, else None."""
    try:
        task = load_task(task_id)
    except ScenarioError:
        return None
    entry = verified_entry(task, path)
    return (task, entry) if entry is not None else None


def served_ids(path: Path = BANK_PATH) -> list[str]:
    return [task_id for task_id in task_ids() if served_task(task_id, path) is not None]
