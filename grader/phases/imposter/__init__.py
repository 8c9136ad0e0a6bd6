"""Phase 5, The Imposter (domain): a team of four shipped a feature, production broke, and one teammate's
plausible commit is the sabotage. The student explores a real git history, names the imposter and the commit,
and resolves it on the shared remote; the grade reads what they did from the repository itself.

Scenarios (``scenarios/<id>/``: a small Python project and the steps of its history, ``chores.yaml``) become
a seed's history (``history``), a real repository made with the git CLI (``gitrepo``, ``generator``), verified
in the sandbox before it is served (``verify``; the accepted seeds are in ``bank.json``). A student's
repository is read as data (``gitread``) and its code only runs in the sandbox (``checks``).

- ``list_scenarios()``, ``choose_scenario(ids, difficulty, seed_key)`` -> Choice (raises ``NoScenario``)
- ``start_state(choice)``, ``student_view(state)``, ``workspace_seed(state)``, ``command_task(state)``,
  ``remembered_head(state)``, ``record_push(state, before_head, after_workspace)``
- ``graph(state, workspace)``, ``diff(state, workspace, sha)`` (raises ``UnknownCommit``)
- ``parse_report(state, data)`` (raises ``InvalidReport``), ``remote_snapshot(backend, state, workspace)``,
  ``resolution(original_head, remote_after, sabotage)``, ``grade(state, command_log, report, remote,
  started_at, deadline_at)``, ``report_card(state, grade, feedback)``, ``instructor_view(state, ...)``
"""

from grader.phases import PhaseInfo
from grader.phases.imposter.catalogue import Choice, NoScenario, choose_scenario, list_scenarios
from grader.phases.imposter.grading import InvalidReport, grade, instructor_view, parse_report, report_card
from grader.phases.imposter.remote import (
    RESOLUTION_POINTS,
    RESOLUTIONS,
    record_push,
    remote_head,
    remote_snapshot,
    resolution,
)
from grader.phases.imposter.scoring import DEFAULT_BUDGET_MINUTES
from grader.phases.imposter.truth import PHASE_ID, load_scenario, scenario_ids
from grader.phases.imposter.views import (
    RepositoryChanged,
    UnknownCommit,
    command_task,
    diff,
    graph,
    public_state,
    remembered_head,
    start_state,
    student_view,
    workspace_files,
    workspace_seed,
)

PHASE = PhaseInfo(PHASE_ID, "The Imposter",
                  "Find the teammate whose commit broke production in a real git history, and undo it properly.",
                  list_scenarios=list_scenarios,
                  options=frozenset({"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy",
                                     "seeding"}),
                  defaults={"time_limit": str(DEFAULT_BUDGET_MINUTES), "seeding": "student"})

__all__ = [
    "PHASE",
    "RESOLUTIONS",
    "RESOLUTION_POINTS",
    "Choice",
    "InvalidReport",
    "NoScenario",
    "RepositoryChanged",
    "UnknownCommit",
    "choose_scenario",
    "command_task",
    "diff",
    "grade",
    "graph",
    "instructor_view",
    "list_scenarios",
    "load_scenario",
    "parse_report",
    "public_state",
    "record_push",
    "remembered_head",
    "remote_head",
    "remote_snapshot",
    "report_card",
    "resolution",
    "scenario_ids",
    "start_state",
    "student_view",
    "workspace_files",
    "workspace_seed",
]
