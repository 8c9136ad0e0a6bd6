"""The phases' domain halves: ``grader/phases/<id>/`` each hold a truth-file schema, scenarios, engine,
scoring and report data — plain data in, plain data out; no Flask, RQ, database rows or queue types.

Each phase package exposes ``PHASE``, a :class:`PhaseInfo` (public metadata only, never ground truth). The
web half with the same name lives in ``lti_app/phases/<id>/``; ``lti_app/phases/registry.py`` lists both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from grader.phases.options import OPTION_NAMES
from grader.scenarios import ScenarioMeta


def _no_scenarios() -> list[ScenarioMeta]:
    return []


@dataclass(frozen=True)
class PhaseInfo:
    """What the catalogue, the activity picker and the report card say about a phase."""

    id: str
    title: str
    summary: str
    # Public metadata of the phase's scenarios, for the picker (a phase without truth files lists none).
    list_scenarios: Callable[[], list[ScenarioMeta]] = field(default=_no_scenarios, compare=False)
    # The activity options the phase honours (names from grader.phases.options.OPTION_NAMES): the picker
    # offers only these, a launch stores only these, and every one of them changes what a launch does.
    options: frozenset[str] = frozenset()
    # The phase's own defaults for some of its options (e.g. fewer Submits), used where an activity left the
    # option unset; the rest fall back to the workbench-wide defaults.
    defaults: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.options) - set(OPTION_NAMES)
        if unknown:
            raise ValueError(f"phase {self.id!r} declares unknown option(s): {', '.join(sorted(unknown))}")
        stray = set(self.defaults) - set(self.options)
        if stray:
            raise ValueError(f"phase {self.id!r} has defaults for option(s) it does not honour: "
                             f"{', '.join(sorted(stray))}")
