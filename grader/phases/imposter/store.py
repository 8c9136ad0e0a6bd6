"""The bank of verified seeds, ``bank.json`` (``python -m grader.phases.imposter.bank`` writes it).

Per scenario and difficulty it keeps the digest of the files the seeds were verified from and, per accepted
seed, the shas its repository has (main's head and the sabotage) — generation is deterministic, so serving a
seed regenerates the repository and refuses it if those shas differ (another git, another generator) rather
than serve something unverified — plus the seeds tried and why each rejected one failed. A CI test re-verifies
every entry in the sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.workbench.verified_bank import VerifiedBank

BANK_PATH = Path(__file__).resolve().parent / "bank.json"
BANK_VERSION = 1
BANK_COMMAND = "python -m grader.phases.imposter.bank"
K = 4  # accepted seeds per scenario and difficulty (at least)
REASON_CHARS = 200


def bank(path: Path = BANK_PATH) -> VerifiedBank:
    return VerifiedBank(path, version=BANK_VERSION, section="groups", defaults={"k": K})


def group_key(scenario_id: str, difficulty: str) -> str:
    return f"{scenario_id}:{difficulty}"


def accepted_entries(scenario_id: str, difficulty: str, digest: str, path: Path = BANK_PATH) -> list[dict[str, Any]]:
    """The accepted seeds of a scenario at a difficulty, for its current files (none when stale), by seed."""
    group = bank(path).entry(group_key(scenario_id, difficulty), digest)
    if not group:
        return []
    entries = [e for e in group.get("accepted", []) if isinstance(e, dict) and isinstance(e.get("seed"), int)]
    return sorted(entries, key=lambda e: e["seed"])
