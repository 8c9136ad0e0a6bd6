"""Scripted students through the real terminal and sandbox, graded from the shared remote itself. Their scores
come out in the order the phase promises: bisects and reverts > finds it by reading diffs and fixes by hand >
names the right commit but force-pushes > blames a decoy."""

from __future__ import annotations

import pytest

from grader.phases.imposter import diff, graph, load_scenario
from tests.phases.imposter.conftest import state_for
from tests.phases.imposter.session import Session

WHY = "Reverting keeps the team's history and undoes exactly the commit that broke production."


def _suspicious(state):
    """What the scripted reader recognises when they see it (their insight): the lines the bug added."""
    return {line for change in state["truth"]["bug_change"].values() for line in change["added"]}


def bisects_and_reverts(backend, state):
    session = Session(backend, state)
    assert "FAILED" in session.run("python3 -m unittest 2>&1 | tail -3")
    culprit = session.bisect()
    author = diff(session.state, session.workspace, culprit)["author"]
    session.run(f"git revert --no-edit {culprit} && python3 -m unittest 2>&1 | tail -1 && git push origin main")
    return session, {"imposter": author, "commit": culprit[:8], "resolution": "revert", "why": WHY}, 6


def reads_diffs_and_fixes_by_hand(backend, state):
    session = Session(backend, state)
    needle = _suspicious(state)
    found = None
    for commit in graph(session.state, session.workspace)["commits"]:  # newest first, reading each diff
        patch = diff(session.state, session.workspace, commit["sha"][:10])["patch"]
        if needle <= {line[1:].strip() for line in patch.splitlines() if line.startswith("+")}:
            found = commit
            break
    assert found, needle
    session.edit(load_scenario(state["scenario"]).fix)
    session.run("python3 -m unittest 2>&1 | tail -1 && git commit -qam 'Fix the bug by hand' && "
                "git push -q origin main")
    report = {"imposter": found["author"], "commit": found["sha"][:7], "resolution": "manual_fix",
              "why": "I fixed the one wrong line by hand so the rest of the change stays in place."}
    return session, report, 12


def right_commit_force_push(backend, state):
    session = Session(backend, state)
    culprit = session.bisect()
    author = diff(session.state, session.workspace, culprit)["author"]
    session.run(f"git reset -q --hard {culprit}~1 && git push -q -f origin main")
    report = {"imposter": author, "commit": culprit, "resolution": "force_push",
              "why": "Resetting main to before the bad commit was the quickest way to make production work."}
    return session, report, 8


def blames_a_decoy(backend, state):
    session = Session(backend, state)
    alarm = next(d for d in state["truth"]["decoys"] if d["role"] == "alarm")
    info = diff(session.state, session.workspace, alarm["sha"])
    session.run(f"git revert --no-edit {alarm['sha']} && git push -q origin main")
    report = {"imposter": info["author"], "commit": alarm["sha"][:9], "resolution": "revert",
              "why": "That commit's message says it removed a backdoor, which sounds like the cause."}
    return session, report, 5


STUDENTS = [bisects_and_reverts, reads_diffs_and_fixes_by_hand, right_commit_force_push, blames_a_decoy]


@pytest.mark.parametrize(("scenario_id", "difficulty", "seed"),
                         [("catalogue_pages", "medium", 0), ("rates_cache", "hard", 1)])
def test_scripted_students_are_ranked_as_the_phase_promises(local_backend, scenario_id, difficulty, seed):
    state = state_for(scenario_id, difficulty, seed)
    results = []
    for student in STUDENTS:
        session, report, minutes = student(local_backend, state)
        result, inputs, feedback = session.grade(report, minutes)
        results.append((student.__name__, result, feedback))
    by_name = {name: (result, feedback) for name, result, feedback in results}

    best, best_feedback = by_name["bisects_and_reverts"]
    assert best.score == 100.0 and best.letter == "A+", best.items
    assert best_feedback["resolution"]["performed"] == "revert"
    assert best_feedback["investigation"]["used"]["bisect"]

    manual, manual_feedback = by_name["reads_diffs_and_fixes_by_hand"]
    assert manual_feedback["resolution"]["performed"] == "manual_fix"
    assert [i.points for i in manual.items] == [35.0, 20.0, 5.0, 12.0]

    forced, forced_feedback = by_name["right_commit_force_push"]
    assert forced_feedback["resolution"]["performed"] == "force_push"
    assert [i.points for i in forced.items][:3] == [35.0, 20.0, -50.0]

    decoy, decoy_feedback = by_name["blames_a_decoy"]
    assert not decoy_feedback["imposter"]["right"] and not decoy_feedback["commit"]["right"]
    assert decoy_feedback["resolution"]["performed"] == "none"  # the tests still fail on the remote
    assert decoy.score == 0.0

    scores = [result.score for _, result, _ in results]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores), scores
