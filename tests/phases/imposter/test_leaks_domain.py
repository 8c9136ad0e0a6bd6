"""The truth stays on the server: nothing a student can reach before the report card — the page's view, the
commit graph, every diff, the workspace's files and objects, the terminal's output about the remote — depends
on the answer or names it."""

from __future__ import annotations

import copy
import json
import re

import pytest

from grader.phases.imposter import diff, graph, load_scenario, scenario_ids, student_view, workspace_seed
from grader.phases.imposter.gitread import Repository
from tests.phases.imposter.conftest import state_for
from tests.phases.imposter.session import Session

MARKERS = re.compile(r"sabotag|saboteur|impost[eo]r|decoy|\btruth\b|bug_kind|sabotage_change", re.I)


def _other_truth(state):
    """The same attempt with someone else's answer: a view computed from it must not change."""
    other = copy.deepcopy(state)
    decoy = other["truth"]["decoys"][0]
    other["truth"].update(imposter=decoy["author"], sabotage=decoy["sha"], decoys=[], work={},
                          sabotage_change={}, bug_change={})
    return other


def _student_facing(state, workspace):
    commits = graph(state, workspace)["commits"]
    return {"view": student_view(state), "graph": graph(state, None), "graph_with_workspace": graph(state, workspace),
            "diffs": [diff(state, workspace, c["sha"]) for c in commits]}


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_no_student_facing_structure_depends_on_or_names_the_truth(scenario_id):
    state = state_for(scenario_id, "hard", 1)
    workspace = workspace_seed(state)
    seen = _student_facing(state, workspace)
    assert seen == _student_facing(_other_truth(state), workspace)
    text = json.dumps(seen)
    assert not MARKERS.search(text), MARKERS.search(text)
    assert load_scenario(scenario_id).bug[:40] not in text
    # every commit is described the same way: no field singles one out
    keys = {tuple(sorted(c)) for c in seen["graph"]["commits"]}
    assert len(keys) == 1 and not any(c["new"] for c in seen["graph"]["commits"])


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_the_workspace_holds_nothing_of_the_truth(scenario_id):
    state = state_for(scenario_id, "medium", 0)
    files = workspace_seed(state).files()
    for path, data in files.items():
        assert not MARKERS.search(path), path
        if b"\0" not in data[:2000]:
            assert not MARKERS.search(data.decode("utf-8", "replace")), path
    for git_dir in ("remote.git", "repo/.git"):
        repo = Repository(files, git_dir)
        assert set(repo.refs()) <= {f"refs/heads/{n}" for n, _ in state["repo"]["branches"]} | \
            {f"refs/remotes/origin/{n}" for n, _ in state["repo"]["branches"]} | {"refs/remotes/origin/HEAD"}
        for commit in repo.walk(repo.refs().values()):
            assert not MARKERS.search(commit.message), commit.message
            for path, text in repo.files_at(commit.sha).items():
                assert not MARKERS.search(path) and not MARKERS.search(text), (commit.sha, path)


def test_the_terminal_shows_nothing_of_the_truth_about_the_remote(local_backend):
    session = Session(local_backend, state_for("notes_permissions", "hard", 2))
    outputs = [
        session.run("git log --all --format='%H %an <%ae> %ad%n%B' | head -400"),
        session.run("git ls-remote origin && git for-each-ref && git notes list; git stash list; git tag -l"),
        session.run("cat ../remote.git/config ../remote.git/HEAD ~/.gitconfig .git/config"),
        session.run("find .. -path ../repo/.git/objects -prune -o -type f -print | sort"),
        session.run("env | sort | grep -iv -e '^_=' -e '^shlvl' ; ls -la /tmp"),
    ]
    for output in outputs:
        assert not MARKERS.search(output), MARKERS.search(output)
    assert session.state["truth"]["sabotage"] in outputs[0]  # the commit is there, like every other one
