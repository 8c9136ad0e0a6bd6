"""The attempt state's hint ledger as the web reads it, and the database condition behind the hint route's
compare-and-swap: the workbench's (lti_app.workbench.hints), shared by every phase with hints."""

from __future__ import annotations

from lti_app.workbench.hints import hints_taken, same_hints_taken

__all__ = ["hints_taken", "same_hints_taken"]
