"""The generator: a seed's history follows the scenario and the team's habits, and the git CLI turns it into
the same real repository every time (a bare shared remote and its clone), read back identically by git and by
the phase's own reader."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from grader.phases.imposter.generator import generate
from grader.phases.imposter.gitread import GitReadError, Repository
from grader.phases.imposter.history import PlanError, apply_edits, plan_history, replace_once
from grader.phases.imposter.personas import PERSONAS, fits_style, in_hours
from grader.phases.imposter.truth import Edit, load_scenario, scenario_ids
from grader.phases.options import DIFFICULTIES

SEEDS = range(6)


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_seed_plans_a_history_in_the_teams_habits(scenario_id):
    scenario = load_scenario(scenario_id)
    for difficulty in DIFFICULTIES:
        imposters = set()
        for seed in SEEDS:
            plan = plan_history(scenario, difficulty, seed)
            assert 15 <= len(plan.events) <= 40
            assert any(e.kind == "merge" for e in plan.events) and plan.branches
            assert plan.imposter in scenario.sabotage.authors
            imposters.add(plan.imposter)
            for event in plan.events:
                assert fits_style(event.author, event.message), (event.author, event.message)
                if event.author != "you":
                    assert in_hours(event.author, event.when.hour, event.when.weekday()), event
                assert event.when.utcoffset().total_seconds() == PERSONAS[event.author].utc_offset_minutes * 60
            assert all(a.when < b.when for a, b in zip(plan.events, plan.events[1:], strict=False))
            for decoy in plan.decoys:
                assert plan.events[decoy].author != plan.imposter
            assert plan.events[-1].message == "Release 1.3.0"
        assert imposters == set(scenario.sabotage.authors), "the seed picks among the candidates"
    sizes = [len(plan_history(scenario, d, 0).events) for d in DIFFICULTIES]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]


def test_a_plan_is_the_same_for_the_same_seed_and_differs_across_seeds():
    scenario = load_scenario("notes_permissions")
    first, again = plan_history(scenario, "hard", 3), plan_history(scenario, "hard", 3)
    assert [(e.message, e.when, e.files) for e in first.events] == [(e.message, e.when, e.files) for e in again.events]
    other = plan_history(scenario, "hard", 4)
    assert [e.message for e in other.events] != [e.message for e in first.events] or \
        [e.when for e in other.events] != [e.when for e in first.events]


def test_the_same_seed_gives_the_same_commits_byte_for_byte():
    scenario = load_scenario("reminders_timezone")
    one, two = generate(scenario, "medium", 2), generate(scenario, "medium", 2)
    assert one.commits == two.commits and one.diffs == two.diffs and one.truth == two.truth
    assert generate(scenario, "medium", 3).head != one.head


def _extract(files: dict[str, bytes], root: Path) -> Path:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def _git(root: Path, *args: str, cwd: str = "repo") -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C",
           "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{root}/remote.git.insteadOf",
           "GIT_CONFIG_VALUE_0": "/tmp/ws/remote.git"}
    done = subprocess.run(["git", *args], cwd=root / cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_workspace_is_a_clone_of_the_shared_remote(tmp_path):
    made = generate(load_scenario("shipping_swap"), "hard", 1)
    files = made.files
    assert ".gitconfig" in files and b"name = You" in files[".gitconfig"]
    assert not [p for p in files if "/logs/" in p or p.endswith(("FETCH_HEAD", "ORIG_HEAD")) or "/hooks/" in p]
    assert len(files) < 120, "a few files: the objects are packed"
    root = _extract(files, tmp_path)
    assert _git(root, "status", "--porcelain") == ""
    assert _git(root, "config", "remote.origin.url").strip() == "/tmp/ws/remote.git"
    _git(root, "fsck", "--strict", "--no-progress")
    _git(root, "fsck", "--strict", "--no-progress", cwd="remote.git")
    assert _git(root, "rev-parse", "HEAD", "origin/main").split() == [made.head, made.head]
    remote_branches = _git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads", cwd="remote.git").split()
    assert sorted(remote_branches) == sorted(name for name, _ in made.branches)
    assert _git(root, "fetch", "-q", "origin") == ""  # origin resolves to the remote next door
    assert "FAILED" in subprocess.run(["python3", "-m", "unittest"], cwd=root / "repo", capture_output=True,
                                      text=True, timeout=60).stderr


def test_git_and_the_phase_reader_see_the_same_history(tmp_path):
    made = generate(load_scenario("invoice_rounding"), "medium", 0)
    root = _extract(made.files, tmp_path)
    logged = _git(root, "log", "--all", "--format=%H|%P|%an|%ae|%at|%s", cwd="remote.git").splitlines()
    remote = Repository(made.files, "remote.git")
    walked = remote.walk(remote.refs().values())
    assert sorted(logged) == sorted(
        f"{c.sha}|{' '.join(c.parents)}|{c.author_name}|{c.author_email}|{c.author_time}|"
        f"{c.message.splitlines()[0]}" for c in walked)
    assert len(walked) == len(made.commits)
    head_files = remote.files_at(made.head)
    assert head_files == {p[len("repo/"):]: b.decode() for p, b in made.files.items()
                          if p.startswith("repo/") and not p.startswith("repo/.git/")}
    assert Repository(made.files, "repo/.git").resolve("HEAD") == made.head


def test_the_reader_refuses_damaged_repositories():
    made = generate(load_scenario("invoice_rounding"), "easy", 0)
    files = dict(made.files)
    pack = next(p for p in files if p.startswith("remote.git/objects/pack/") and p.endswith(".pack"))
    files[pack] = files[pack][:200]
    broken = Repository(files, "remote.git")
    with pytest.raises(GitReadError):
        broken.walk([made.head])
    assert not broken.is_ancestor(made.commits[-1]["sha"], made.head)
    assert Repository({}, "remote.git").resolve("refs/heads/main") is None


def test_the_reader_stops_at_its_budget(monkeypatch):
    """A small pack can inflate to gigabytes: what one reader inflates in all is bounded."""
    made = generate(load_scenario("invoice_rounding"), "easy", 0)
    monkeypatch.setattr("grader.phases.imposter.gitread.MAX_TOTAL_BYTES", 4096)
    with pytest.raises(GitReadError, match="more data"):
        Repository(made.files, "remote.git").files_at(made.head)


def test_edits_apply_exactly_once_at_any_indentation():
    text = "class A:\n    def f(self):\n        return 1\n"
    assert replace_once(text, "def f(self):\n    return 1\n", "def f(self):\n    return 2\n", "x") == \
        "class A:\n    def f(self):\n        return 2\n"
    with pytest.raises(PlanError, match="occurs 0 times"):
        replace_once(text, "return 3", "return 4", "x")
    with pytest.raises(PlanError, match="creates"):
        apply_edits({"a.py": ""}, (Edit("a.py", "create", "x"),), "step")
    with pytest.raises(PlanError, match="does not exist"):
        apply_edits({}, (Edit("a.py", "append", "x"),), "step")
