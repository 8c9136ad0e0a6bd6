"""Scripted responders per incident, through the real sandbox and the whole grade: methodical and correct >
correct but slow > restart-only > destructive > idle until the deadline (auto-closed and graded)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from grader.phases.war_room import grade, incident_ids, instructor_view, load_incident, report_card
from tests.phases.war_room.responders import STARTED, Played, destructive, methodical, play, restart_only


def retimed(played: Played, factor: float, offset: float) -> Played:
    """The same commands and checks, later: minute m becomes offset + factor * m (the workspace's behaviour
    does not depend on the clock, so the recorded outputs and check results stand)."""

    def move(entry: dict) -> dict:
        minutes = (datetime.fromisoformat(entry["at"]) - STARTED).total_seconds() / 60
        return {**entry, "at": (STARTED + timedelta(minutes=offset + factor * minutes)).isoformat()}

    last = played.checks[-1]
    return replace(played, command_log=[move(e) for e in played.command_log],
                   checks=[move(c) for c in played.checks[:-1]] + [last])


def score(played: Played):
    return grade(played.state, played.command_log, played.checks, played.report, played.started_at,
                 played.deadline_at)[0]


@pytest.mark.parametrize("incident_id", incident_ids())
def test_responders_rank_as_an_incident_commander_would(local_backend, incident_id):
    incident = load_incident(incident_id)
    good = play(local_backend, incident, "medium", *methodical(incident))
    slow = retimed(good, 6.8, 1.0)
    restarted = play(local_backend, incident, "medium", *restart_only(incident))
    wrecked = play(local_backend, incident, "medium", *destructive(incident))
    idle = play(local_backend, incident, "medium", [], [], set(), None)
    grades = {name: score(p) for name, p in (("methodical", good), ("slow", slow), ("restart", restarted),
                                              ("destructive", wrecked), ("idle", idle))}
    scores = {name: g.score for name, g in grades.items()}
    assert scores["methodical"] > scores["slow"] > scores["restart"] > scores["destructive"] > scores["idle"], scores
    items = {name: {i.item: i.points for i in g.items} for name, g in grades.items()}
    assert scores["methodical"] >= 95 and items["methodical"]["root_cause"] == 30
    assert items["slow"]["fix_quality"] == 20 and items["slow"]["time"] < 20
    assert items["restart"]["fix_quality"] == 0 and items["restart"]["time"] == 0
    assert items["destructive"]["systematic"] <= 5
    assert scores["idle"] == 0 and grades["idle"].letter == "F"
    assert good.checks[-1]["result"]["fixed_by"] in incident.fix_ids
    assert not restarted.checks[-1]["result"]["passed"] and not wrecked.checks[-1]["result"]["passed"]


def test_the_report_card_and_the_instructor_view_explain_the_grade(local_backend):
    incident = load_incident("route_prefix")
    good = play(local_backend, incident, "easy", *methodical(incident))
    args = (good.state, good.command_log, good.checks, good.report, good.started_at, good.deadline_at)
    card = report_card(*args)
    assert card["fixed"] and card["root_cause"] == incident.root_cause and card["grade"]["score"] == 100
    assert card["fixed_by"] == incident.fix_words("prefix_restored") and card["time_to_fix_seconds"] < 180
    assert card["cause_missed"] == [] and card["prevention_ideas"]
    assert card["final_check"]["passed"] and "internal" not in card["final_check"]
    view = instructor_view(*args)
    assert [row["kind"] for row in view["timeline"]] == ["command"] * len(good.command_log)
    assert view["timeline"][0]["classified"]["looks"] == ["status"] and view["timeline"][0]["output"]
    assert view["timeline"][-2]["classified"]["changes"] and view["timeline"][-2]["classified"]["restarts"] == 1
    assert [c["passed"] for c in view["checks"]] == [True, True]
    assert view["chat"][0]["kind"] == "opening" and view["incident"]["root_cause"] == incident.root_cause
    assert view["report"]["Why it broke"].startswith("The 2.7.1 deploy")
    assert view["cause_match"]["facts"]["trailing_slash"]["words"]
    assert set(view["how_decided"]) == {"root_cause", "fix_quality", "time", "systematic"}
    assert [i["item"] for i in view["grade"]["items"]] == ["root_cause", "fix_quality", "time", "systematic"]
