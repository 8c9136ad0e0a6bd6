"""How the student resolved it is read from the shared remote's history, command by command (``record_push``),
never from what they say: revert, reset --soft, manual fix, force push or nothing — and only with the tests
passing on the remote's head, a force push whatever. Real git commands through the real terminal."""

from __future__ import annotations

import pytest

from grader.phases.imposter import load_scenario, record_push, remote_head, remote_snapshot, resolution
from grader.phases.imposter.gitread import Repository
from tests.phases.imposter.conftest import state_for
from tests.phases.imposter.session import Session


@pytest.fixture
def session(local_backend):
    return Session(local_backend, state_for())


def resolved(session):
    snapshot = remote_snapshot(session.backend, session.state, session.workspace)
    return resolution(session.state["remote"]["original"], snapshot, session.state["truth"]["sabotage"]), snapshot


def sabotage(session):
    return session.state["truth"]["sabotage"]


def test_an_untouched_remote_is_no_resolution(session):
    session.run("git log --oneline -3 && git status --short")
    found, snapshot = resolved(session)
    assert found["kind"] == "none" and found["points"] == 0
    assert snapshot["tests"]["passed"] is False and snapshot["updates"] == []


def test_git_revert_pushed_is_a_revert(session):
    session.run(f"git revert --no-edit {sabotage(session)} && git push -q origin main")
    found, snapshot = resolved(session)
    assert (found["kind"], found["points"], found["tests_pass"]) == ("revert", 30.0, True)
    [update] = snapshot["updates"]
    assert update["fast_forward"] and not update["rewrote"]
    [new] = [c for c in snapshot["history"] if c["new"]]
    assert new["undoes_sabotage"] and new["undoes_bug"] and new["author"] == "You"


def test_a_reverted_commit_amended_and_pushed_again_is_still_a_revert(session):
    """Rewriting only one's own pushed commit drops none of the team's history."""
    session.run(f"git revert --no-edit {sabotage(session)} && git push -q origin main")
    session.run("git commit -q --amend -m 'Revert the pagination change that lost the last page' && "
                "git push -q -f origin main")
    found, snapshot = resolved(session)
    assert found["kind"] == "revert", found
    assert [u["rewrote"] for u in snapshot["updates"]] == [False, False]


def test_a_hand_fix_is_a_manual_fix(session):
    session.edit(load_scenario(session.state["scenario"]).fix)
    session.run("git commit -qam 'Count the leftover page' && git push -q origin main")
    found, _ = resolved(session)
    assert (found["kind"], found["points"]) == ("manual_fix", 5.0)


def test_a_push_that_leaves_the_tests_failing_counts_for_nothing(session):
    session.run("echo '# notes' >> README.md && git commit -qam 'Notes' && git push -q origin main")
    found, _ = resolved(session)
    assert (found["kind"], found["points"], found["tests_pass"]) == ("none", 0.0, False)


def test_reset_soft_then_one_commit_force_pushed_is_reset_soft(session):
    session.run(f"git reset -q --soft {sabotage(session)}~1")
    session.edit(load_scenario(session.state["scenario"]).fix)
    session.run("git commit -qam 'Everything since the release, with the page count fixed' && "
                "git push -q -f origin main")
    found, snapshot = resolved(session)
    assert (found["kind"], found["points"]) == ("reset_soft", 15.0), found
    assert not snapshot["sabotage_in_history"]
    assert snapshot["updates"][-1]["rewrote"] and snapshot["updates"][-1]["dropped"] == []


def test_a_rebase_that_drops_the_sabotage_is_a_rewrite_that_kept_everyones_work(session):
    session.run(f"git rebase -q --onto {sabotage(session)}~1 {sabotage(session)} main && git push -q -f origin main")
    found, _ = resolved(session)
    assert found["kind"] == "reset_soft", found


def test_resetting_main_to_before_the_sabotage_is_a_force_push(session):
    session.run(f"git reset -q --hard {sabotage(session)}~1 && git push -q -f origin main")
    found, snapshot = resolved(session)
    assert (found["kind"], found["points"]) == ("force_push", -50.0)
    assert snapshot["updates"][-1]["dropped"]


def test_a_force_push_stays_on_the_record_when_a_later_command_puts_the_remote_back(session):
    original = session.state["remote"]["original"]
    session.run(f"git reset -q --hard {sabotage(session)}~1 && git push -q -f origin main")
    session.run(f"git reset -q --hard {original} && git revert --no-edit {sabotage(session)} && "
                "git push -q -f origin main")
    found, snapshot = resolved(session)
    assert found["kind"] == "force_push"
    # putting the team's commits back is a fast-forward from where the force push left main
    assert [u["fast_forward"] for u in snapshot["updates"]] == [False, True]
    assert snapshot["head"] != original and snapshot["tests"]["passed"]


def test_writing_into_the_remote_directly_is_recorded_like_a_push(session):
    """The remote is in the student's workspace: moving its branch by hand is a rewrite all the same."""
    session.run(f"git --git-dir=../remote.git update-ref refs/heads/main {sabotage(session)}~1")
    found, _ = resolved(session)
    assert found["kind"] == "force_push"


def test_deleting_the_remote_branch_is_a_force_push(session):
    session.run("git --git-dir=../remote.git update-ref -d refs/heads/main")
    found, snapshot = resolved(session)
    assert found["kind"] == "force_push" and snapshot["head"] is None


def test_a_change_the_hook_missed_is_still_judged_at_grading(session):
    """If a command's record never happened, the snapshot compares with the last head the server knew."""
    before = session.state
    session.run(f"git reset -q --hard {sabotage(session)}~1 && git push -q -f origin main")
    session.state = before  # as if record_push had not run
    found, snapshot = resolved(session)
    assert found["kind"] == "force_push" and snapshot["updates"][-1]["command"] == "unrecorded"


def test_record_push_ignores_commands_that_leave_the_remote_alone(session):
    state = session.state
    session.run("git checkout -q -b scratch && git commit -q --allow-empty -m wip")
    assert session.state is state or session.state == state
    assert record_push(session.state, remote_head(session.workspace), session.workspace) == session.state


def test_a_forged_object_in_the_remote_is_not_believed(session):
    """Objects are checked against their sha: a remote whose branch points at a commit that does not match
    its name cannot be read, so the tests cannot pass on it."""
    session.run(f"git revert --no-edit {sabotage(session)} && git push -q origin main")
    head = remote_head(session.workspace)
    files = dict(session.workspace.files())
    path = next(p for p in files if p.startswith("remote.git/objects/pack/") and p.endswith(".pack"))
    forged = {**files, "remote.git/refs/heads/main": b"0123456789abcdef0123456789abcdef01234567\n"}
    assert not Repository(forged, "remote.git").has("0123456789abcdef0123456789abcdef01234567")
    assert Repository(files, "remote.git").has(head) and path
    found, snapshot = resolved_for(session, forged)
    assert found["kind"] != "revert" and snapshot["tests"]["passed"] is False


def resolved_for(session, files):
    state = record_push(session.state, session.state["remote"]["head"], files)
    snapshot = remote_snapshot(session.backend, state, files)
    return resolution(state["remote"]["original"], snapshot, state["truth"]["sabotage"]), snapshot
