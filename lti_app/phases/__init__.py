"""Per-phase glue between rows and the phase engines in ``grader``: state, evaluation, execution, pages."""

from lti_app.phases.registry import PhaseAdapter, adapter_for

__all__ = ["PhaseAdapter", "adapter_for"]
