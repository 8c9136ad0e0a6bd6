"""The seed's rubric: imposter 35, commit 20, resolution 30 (revert 30, reset --soft 15, manual fix 5, force
push -50), time 15; the total clamped at 0. The report is validated with a sentence per wrong field, and a
grade is reproduced from its stored inputs."""

from __future__ import annotations

import copy

import pytest

from grader.phases.imposter import InvalidReport, grade, parse_report
from grader.phases.imposter.scoring import time_points

STARTED = "2024-06-03T09:00:00+00:00"
DEADLINE = "2024-06-03T09:20:00+00:00"


def at(minutes: float) -> str:
    return f"2024-06-03T09:{int(minutes):02d}:{int(minutes % 1 * 60):02d}+00:00"


def snapshot(state, kind: str) -> dict:
    """A remote as ``remote_snapshot`` would describe it after each kind of resolution."""
    original = state["remote"]["original"]
    new = {"sha": "f" * 40, "parents": [original], "author": "You", "new": True, "undoes_sabotage": kind == "revert",
           "undoes_bug": kind == "revert"}
    passed = {"passed": True, "failed": [], "problem": ""}
    if kind == "none":
        return {"head": original, "updates": [], "history": [], "tests": {"passed": False, "failed": ["x"]},
                "sabotage_in_history": True}
    if kind in ("revert", "manual_fix"):
        return {"head": new["sha"], "updates": [{"fast_forward": True, "rewrote": False, "dropped": []}],
                "history": [new], "tests": passed, "sabotage_in_history": True}
    if kind == "reset_soft":
        return {"head": new["sha"], "updates": [{"fast_forward": False, "rewrote": True, "dropped": []}],
                "history": [new], "tests": passed, "sabotage_in_history": False}
    return {"head": "e" * 40, "updates": [{"fast_forward": False, "rewrote": True, "dropped": [original]}],
            "history": [], "tests": passed, "sabotage_in_history": False}


def report(state, right: bool = True, **changes) -> dict:
    truth = state["truth"]
    imposter = truth["imposter"] if right else next(t for t in ("alice", "bob", "carol") if t != truth["imposter"])
    commit = truth["sabotage"] if right else truth["decoys"][0]["sha"]
    return {"imposter": imposter, "commit": commit[:7], "resolution": "revert",
            "why": "Reverting keeps history and removes exactly the bad change.", **changes}


@pytest.mark.parametrize(("used", "right", "points"), [
    (5 * 60, True, 15.0), (10 * 60, True, 15.0), (15 * 60, True, 7.5), (20 * 60, True, 0.0), (30 * 60, True, 0.0),
    (5 * 60, False, 0.0), (None, True, 0.0),
])
def test_time_points(used, right, points):
    assert time_points(used, 20 * 60, right)[0] == points


@pytest.mark.parametrize(("kind", "points"), [("revert", 30.0), ("reset_soft", 15.0), ("manual_fix", 5.0),
                                              ("force_push", -50.0), ("none", 0.0)])
def test_resolution_points(state, kind, points):
    result, inputs, feedback = grade(state, [], {**report(state), "submitted_at": at(5)}, snapshot(state, kind),
                                     STARTED, DEADLINE)
    items = {i.item: i.points for i in result.items}
    assert items == {"imposter": 35.0, "commit": 20.0, "resolution": points, "time": 15.0}
    assert result.score == max(0.0, 70.0 + points)
    assert feedback["resolution"]["performed"] == kind == inputs["resolution"]


def test_the_total_is_clamped_at_zero(state):
    result, _, feedback = grade(state, [], {**report(state, right=False), "submitted_at": at(3)},
                                snapshot(state, "force_push"), STARTED, DEADLINE)
    assert sum(i.points for i in result.items) == -50.0
    assert (result.score, result.letter) == (0.0, "F")
    assert not feedback["imposter"]["right"] and not feedback["commit"]["right"]


def test_time_counts_only_with_the_right_commit(state):
    wrong = {**report(state, right=False), "imposter": state["truth"]["imposter"], "submitted_at": at(2)}
    result, _, _ = grade(state, [], wrong, snapshot(state, "revert"), STARTED, DEADLINE)
    assert {i.item: i.points for i in result.items} == {"imposter": 35.0, "commit": 0.0, "resolution": 30.0,
                                                       "time": 0.0}


def test_without_a_time_limit_the_budget_is_the_phase_default(state):
    result, inputs, _ = grade(state, [], {**report(state), "submitted_at": at(15)}, snapshot(state, "revert"),
                              STARTED, None)
    assert {i.item: i.points for i in result.items}["time"] == 7.5 and inputs["deadline_at"] is None


def test_no_report_or_an_unreadable_one_earns_no_identification(state):
    result, inputs, feedback = grade(state, [], None, snapshot(state, "revert"), STARTED, DEADLINE)
    assert [i.points for i in result.items] == [0.0, 0.0, 30.0, 0.0]
    assert feedback["report_problem"] == "no report was sent" and inputs["report"] is None
    result, _, feedback = grade(state, [], {"imposter": "Dave", "commit": "zz"}, snapshot(state, "revert"), STARTED,
                                DEADLINE)
    assert result.items[0].evidence.startswith("the report could not be read")


def test_a_grade_is_reproduced_from_its_inputs(state):
    sent = {**report(state), "submitted_at": at(12)}
    first, inputs, _ = grade(state, [{"command": "git bisect run python3 -m unittest"}], sent,
                             snapshot(state, "manual_fix"), STARTED, DEADLINE)
    again, _, _ = grade(state, [{"command": "git log"}], inputs["report_sent"], inputs["remote"],
                        inputs["started_at"], inputs["deadline_at"])
    assert again == first and inputs["report_sent"] == sent


# -- the report ---------------------------------------------------------------------------------------------------
def test_a_valid_report_is_normalised(state):
    truth = state["truth"]
    parsed = parse_report(state, {"imposter": " Bob Okafor ", "commit": truth["sabotage"][:10].upper(),
                                  "resolution": "manual_fix", "why": "  Fixed   the line by hand, keeping the rest. "})
    assert parsed == {"imposter": "bob", "commit": truth["sabotage"], "commit_given": truth["sabotage"][:10],
                      "resolution": "manual_fix", "why": "Fixed the line by hand, keeping the rest."}
    assert parse_report(state, {**parsed, "imposter": "carol.jensen@quillhouse.io"})["imposter"] == "carol"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("imposter", "Dave", "Name one teammate: Alice, Bob, Carol."),
    ("imposter", "you", "Name a teammate, not yourself."),
    ("commit", "", "Give the commit's sha"),
    ("commit", "abc", "at least 7 characters"),
    ("commit", "xyz1234", "0-9 and a-f"),
    ("commit", "0000000", "No commit of the team's history starts with 0000000."),
    ("resolution", "delete", "Say how you resolved it"),
    ("why", "because", "Say in a sentence or two why"),
    ("why", "x" * 2100, "under 2000 characters"),
])
def test_a_wrong_field_is_named_with_a_sentence(state, field, value, words):
    with pytest.raises(InvalidReport) as caught:
        parse_report(state, {**report(state), field: value})
    assert list(caught.value.errors) == [field] and words in caught.value.errors[field]


def test_a_prefix_naming_two_commits_asks_for_more(state):
    twins = copy.deepcopy(state)
    first = twins["repo"]["commits"][0]
    twins["repo"]["commits"].append({**first, "sha": first["sha"][:8] + "0" * 32})
    with pytest.raises(InvalidReport) as caught:
        parse_report(twins, {**report(state), "commit": first["sha"][:8]})
    assert "matches 2 commits" in caught.value.errors["commit"]


def test_every_wrong_field_at_once(state):
    with pytest.raises(InvalidReport) as caught:
        parse_report(state, {})
    assert set(caught.value.errors) == {"imposter", "commit", "resolution", "why"}
    with pytest.raises(InvalidReport):
        parse_report(state, ["not", "a", "form"])
