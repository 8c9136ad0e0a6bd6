"""The Imposter's domain API as the web half will use it: the phase's identity and options, the truth files,
the state and what the page shows (view, graph, diffs), the terminal's task, the report card and the
instructor's view."""

from __future__ import annotations

import pytest

from grader.phases.imposter import (
    PHASE,
    UnknownCommit,
    command_task,
    diff,
    grade,
    graph,
    instructor_view,
    load_scenario,
    remote_snapshot,
    report_card,
    scenario_ids,
    student_view,
    workspace_seed,
)
from grader.phases.imposter.personas import PERSONAS, fits_style, persona_of_name, render_message
from grader.phases.imposter.truth import PHASE_ID, SCENARIOS_DIR, ScenarioSchema
from grader.phases.imposter.views import assign_lanes
from grader.scenarios import ScenarioError, parse_truth_file
from grader.workbench.workspace import ShellTask, Workspace
from tests.phases.imposter.session import Session


def test_the_phase_declares_its_options_and_defaults():
    assert (PHASE.id, PHASE.title) == ("imposter", "The Imposter") and PHASE_ID == "imposter"
    assert PHASE.options == {"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy", "seeding"}
    assert PHASE.defaults == {"time_limit": "20", "seeding": "student"}
    assert len(PHASE.list_scenarios()) == 6


def test_six_scenarios_cover_the_six_kinds_of_sabotage():
    kinds = {load_scenario(s).bug_kind for s in scenario_ids()}
    assert kinds == {"off_by_one_pagination", "disabled_auth_check", "timezone", "swapped_argument",
                     "cache_never_expires", "money_rounding"}
    for scenario_id in scenario_ids():
        scenario = load_scenario(scenario_id)
        assert len(scenario.sabotage.authors) >= 2 and scenario.sabotage.bug
        assert {s.role for s in scenario.steps} >= {"alarm", "refactor", "sabotage"}


def test_each_teammate_writes_in_their_own_style():
    words = ("feat", "cart", "add bulk discounts", "bulk discount", "Big orders get ten percent off.")
    assert render_message("alice", *words) == "feat(cart): add bulk discounts"
    assert render_message("bob", *words) == "bulk discount"
    assert render_message("carol", *words) == "Add bulk discounts.\n\nBig orders get ten percent off."
    assert fits_style("alice", "fix(api): handle empty pages") and not fits_style("alice", "Handle empty pages.")
    assert fits_style("bob", "wip cache") and not fits_style("bob", "Fix the cache.")
    assert not fits_style("carol", "fix the cache")
    assert fits_style("you", "Merge pull request #31 from shop-team/feat/x") and fits_style("you", "Release 1.3.0")
    assert [persona_of_name(n) for n in ("Alice", "bob okafor", "carol.jensen@x.io", "You", "Dave")] == \
        ["alice", "bob", "carol", None, None]


def test_a_malformed_truth_file_is_named_with_its_field():
    text = (SCENARIOS_DIR / "rates_cache" / "scenario.yaml").read_text(encoding="utf-8")
    broken = text.replace("    role: sabotage\n", "    role: sabotage\n    level: hard\n", 1)
    with pytest.raises(ScenarioError) as caught:
        parse_truth_file(broken, ScenarioSchema, file="imposter/rates_cache/scenario.yaml")
    assert caught.value.field == "steps" and "sabotage" in caught.value.reason
    with pytest.raises(ScenarioError):
        load_scenario("../etc")


def test_the_student_view_tells_the_story_and_the_team(state):
    view = student_view(state)
    assert view["incident"].startswith("After release 1.3.0")
    assert [m["name"] for m in view["team"]] == ["Alice Martin", "Bob Okafor", "Carol Jensen"]
    assert all(m["area"] and m["habits"] for m in view["team"])
    assert view["repository"]["head"] == state["repo"]["head"] and view["tests_command"] == "python3 -m unittest"
    assert [r["id"] for r in view["report"]["resolutions"]] == ["revert", "reset_soft", "manual_fix", "force_push",
                                                                "none"]


def test_the_workspace_and_the_terminal_task(state):
    workspace = workspace_seed(state)
    assert isinstance(workspace, Workspace) and workspace.cwd == "repo"
    assert workspace.read("repo/.git/HEAD") == b"ref: refs/heads/main\n"
    task = command_task(state)
    assert isinstance(task, ShellTask)
    assert task.env["GIT_EDITOR"] == "true" and task.env["GIT_COMMITTER_NAME"] == "You"
    assert "user.email" in task.setup


def test_the_graph_draws_branches_in_lanes(state):
    drawn = graph(state)
    commits = drawn["commits"]
    assert len(commits) == len(state["repo"]["commits"]) and commits[0]["refs"] == ["origin/main", "main", "HEAD"]
    merges = [c for c in commits if c["merge"]]
    assert merges and drawn["lanes"] >= 2
    lane_of = {c["sha"]: c["lane"] for c in commits}
    for merge in merges:
        assert lane_of[merge["parents"][1]] != lane_of[merge["sha"]]
    assert {a["name"] for a in drawn["authors"]} <= {"Alice Martin", "Bob Okafor", "Carol Jensen", "You"}


def test_lanes_for_a_small_history():
    commits = [{"sha": "m", "parents": ["a", "b"]}, {"sha": "b", "parents": ["a"]}, {"sha": "a", "parents": ["r"]},
               {"sha": "r", "parents": []}]
    assign_lanes(commits)
    assert [c["lane"] for c in commits] == [0, 1, 0, 0]


def test_diffs_by_prefix_with_clear_errors(state):
    head = state["repo"]["head"]
    shown = diff(state, None, head[:7])
    assert shown["sha"] == head and shown["patch"].startswith("diff --git") and shown["files"]
    merge = next(c for c in state["repo"]["commits"] if len(c["parents"]) == 2)
    assert diff(state, None, merge["sha"])["files"], "a merge shows what it brought in"
    for name, words in (("zz", "hexadecimal"), ("0000000", "There is no commit"), ("", "hexadecimal")):
        with pytest.raises(UnknownCommit, match=words):
            diff(state, None, name)


def test_the_students_own_commits_join_the_graph(local_backend, state):
    session = Session(local_backend, state)
    session.run("git checkout -q -b try && echo '# try' >> README.md && git commit -qam 'Try something'")
    drawn = graph(session.state, session.workspace)
    mine = drawn["commits"][0]
    assert mine["new"] and mine["author"] == "You" and mine["subject"] == "Try something"
    assert set(mine["refs"]) == {"try", "HEAD"}
    assert "main" in next(c for c in drawn["commits"] if c["sha"] == state["repo"]["head"])["refs"]
    shown = diff(session.state, session.workspace, mine["sha"][:8])
    assert "+# try" in shown["patch"] and shown["files"] == [{"path": "README.md", "added": 1, "removed": 0}]


def test_report_card_and_instructor_view(local_backend, state):
    session = Session(local_backend, state)
    culprit = session.bisect()
    session.run(f"git revert --no-edit {culprit} && git push -q origin main")
    snapshot = remote_snapshot(local_backend, session.state, session.workspace)
    sent = {"imposter": state["truth"]["imposter"], "commit": culprit[:7], "resolution": "revert",
            "why": "Revert keeps history and undoes the change.", "submitted_at": "2024-06-03T09:05:00+00:00"}
    result, _inputs, feedback = grade(session.state, session.log, sent, snapshot, "2024-06-03T09:00:00+00:00",
                                      "2024-06-03T09:20:00+00:00")
    card = report_card(session.state, result, feedback)
    assert card["score"] == 100.0 and card["sabotage"]["sha"] == culprit and card["sabotage"]["patch"]
    assert {d["what"] for d in card["verdict"]["decoys"]} <= {"an alarming message over a harmless change",
                                                              "a refactor touching the sabotaged file"}
    view = instructor_view(session.state, commands=session.log, report=sent, remote=snapshot, grade_=result,
                           explored={"opened": [culprit, state["truth"]["decoys"][0]["sha"], "f" * 40],
                                     "filters": ["Bob Okafor"]})
    assert view["truth"]["sabotage"]["sha"] == culprit
    assert view["report"]["imposter"] == state["truth"]["imposter"]  # as sent, and the full name beside it
    assert view["report"]["imposter_name"] == view["truth"]["imposter"] == PERSONAS[state["truth"]["imposter"]].name
    unknown = instructor_view(session.state, report={**sent, "imposter": "nobody"})
    assert unknown["report"]["imposter"] == "nobody" and unknown["report"]["imposter_name"] is None
    assert [o["role"] for o in view["explored"]["opened"]] == ["sabotage", state["truth"]["decoys"][0]["role"], ""]
    assert view["explored"]["used"]["bisect"] and len(view["explored"]["commands"]) == 2
    assert [c["new"] for c in view["remote"]["history"][:2]] == [True, False]
    assert view["remote"]["tests"]["passed"] and [i["item"] for i in view["items"]] == \
        ["imposter", "commit", "resolution", "time"]
