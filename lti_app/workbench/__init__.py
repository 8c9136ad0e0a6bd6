"""What every phase's web half stands on: the open-attempt guard, the clock, input checks,
submissions, and the terminal over a persistent workspace (``terminal``, ``workspaces``).

Shared, never copied into a phase. The domain counterpart is :mod:`grader.workbench`.
"""
