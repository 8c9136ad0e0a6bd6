"""What every phase's web half stands on: the open-attempt guard, the clock, input checks and submissions.

Shared, never copied into a phase. The domain counterpart is :mod:`grader.workbench`.
"""
