"""The rubric, item by item, and the report's cause matching: plain data, no sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grader.phases.war_room import InvalidReport, clean_report, grade, incident_ids, load_incident, start_state
from grader.phases.war_room.grading import time_to_fix
from grader.phases.war_room.moves import classify
from grader.phases.war_room.report import cause_points, is_statement, match_cause
from grader.phases.war_room.scoring import approach, fix_item, systematic_item, time_item
from tests.phases.war_room.responders import GOOD_REPORTS, REST_OF_REPORT, VAGUE_REPORT

START = datetime(2025, 3, 14, 2, 47, tzinfo=UTC)


def at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def points(incident_id: str, report: dict[str, str]) -> float:
    incident = load_incident(incident_id)
    return cause_points(incident, match_cause(incident, clean_report(report)))[0]


# -- the report ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("incident_id", sorted(GOOD_REPORTS))
def test_a_good_report_names_the_whole_cause(incident_id):
    assert points(incident_id, {**GOOD_REPORTS[incident_id], **REST_OF_REPORT}) == 30


@pytest.mark.parametrize("incident_id", sorted(GOOD_REPORTS))
def test_a_good_report_for_another_incident_earns_little(incident_id):
    others = [points(incident_id, GOOD_REPORTS[o]) for o in GOOD_REPORTS if o != incident_id]
    assert max(others) <= 12, others


@pytest.mark.parametrize("incident_id", incident_ids())
def test_a_vague_report_earns_nothing(incident_id):
    assert points(incident_id, VAGUE_REPORT) == 0


def test_keyword_stuffing_earns_nothing():
    stuffed = [
        {"what_broke": "route_prefix trailing slash deploy 2.7.1 404 mismatch double slash",
         "why": "route prefix, trailing slash, deploy, release, 2.7.1, 02:31, no route matched, 404"},
        {"what_broke": "The route prefix trailing slash deploy 2.7.1 mismatch caused 404.",
         "why": "Route_prefix trailing slash double slash release config change no match."},
        {"what_broke": "Root cause: route_prefix / trailing slash / deploy / 2.7.1 / 02:31 / 404 / no match.",
         "why": "Keywords: prefix, slash, /api/v1/, release, routes, config, 404, not found, every request."},
    ]
    for report in stuffed:
        assert points("route_prefix", report) == 0, report


def test_sentences_must_be_statements():
    assert is_statement("The prefix had a trailing slash, so no route matched.")[0]
    assert not is_statement("prefix slash deploy 404 mismatch")[0]
    assert is_statement("route_prefix prefix slash deploy 404 config setting")[1] in ("no verb",
                                                                                     "a list of terms, not a sentence")


def test_a_shotgun_of_causes_gets_half():
    shotgun = {"what_broke": "It could have been several things at once.",
               "why": "The route prefix had a trailing slash after the 2.7.1 deploy, so requests did not match any "
                      "route; also the database url pointed at a file that does not exist, the cache was unbounded "
                      "so memory ran out, and the debug override let anyone bypass auth."}
    assert points("route_prefix", shotgun) == 15


def test_negated_and_hedged_mentions_count_for_less():
    negated = {"what_broke": "Customers could not place any order tonight.",
               "why": "It was not the currency field and not the 2.8.0 release; the payment provider failed."}
    assert points("wrong_deployment", negated) < 10
    hedged = {"what_broke": "Orders were rejected with 400 for every customer.",
              "why": "Maybe release 2.8.0 made currency a required field, so perhaps the apps that do not send it "
                     "were rejected."}
    sure = {"what_broke": hedged["what_broke"],
            "why": "Release 2.8.0 made currency a required field, so the apps that do not send it were rejected."}
    assert points("wrong_deployment", hedged) < points("wrong_deployment", sure) == 30


def test_what_without_why_counts_half():
    what_only = {"what_broke": "The route prefix in config/service.ini is /api/v1/ with a trailing slash.",
                 "why": "Release 2.7.1 at 02:31 is the one with the new config file in it."}
    assert 0 < points("route_prefix", what_only) <= 15


def test_the_report_form_is_validated_field_by_field():
    with pytest.raises(InvalidReport) as caught:
        clean_report({"what_broke": "short", "why": "x" * 2001, "prevention": "fine"})
    assert set(caught.value.errors) == {"what_broke", "why"}
    assert "10 characters" in caught.value.errors["what_broke"]
    assert "2,000" in caught.value.errors["why"]
    with pytest.raises(InvalidReport):
        clean_report("a string")
    with pytest.raises(InvalidReport, match="must be text"):
        clean_report({"what_broke": 42, "why": "A long enough reason here."})
    cleaned = clean_report({"what_broke": "  It broke at 02:31.  ", "why": "Because of the \x07deploy.", "x": "y"})
    assert cleaned == {"what_broke": "It broke at 02:31.", "why": "Because of the deploy.", "what_changed": "",
                       "how_verified": "", "prevention": ""}


# -- the items -------------------------------------------------------------------------------------------
def test_time_points_are_full_early_and_fall_to_a_fifth_at_the_limit():
    limit = 900.0
    assert time_item(60, limit).points == 35
    assert time_item(180, limit).points == 35
    assert time_item(900, limit).points == 7
    assert 7 < time_item(540, limit).points < 35
    assert time_item(None, limit).points == 0
    assert "not fixed" in time_item(None, limit).evidence


def test_fix_quality_needs_a_pass_an_accepted_fix_and_no_brute_force():
    passed = {"passed": True, "fixed_by": "prefix_restored", "findings": [], "probes": []}
    assert fix_item(passed, "route_prefix set back", []).points == 20
    assert fix_item(passed, "", []).points == 15
    assert fix_item(passed, "route_prefix set back", ["switched admin authentication off"]).points == 15
    failed = {"passed": False, "findings": ["config_deleted"],
              "probes": [{"name": "the admin can sign in", "ok": False}]}
    item = fix_item(failed, "", [])
    assert item.points == 0 and "config_deleted" in item.evidence and "the admin can sign in" in item.evidence
    assert fix_item(None, "", []).points == 0


def test_time_to_fix_is_the_start_of_the_final_passing_streak():
    runs = [(at(2), {"passed": False}), (at(4), {"passed": True}), (at(6), {"passed": False}),
            (at(8), {"passed": True}), (at(15), {"passed": True})]
    assert time_to_fix(runs, START) == 8 * 60
    assert time_to_fix(runs[:3], START) is None
    assert time_to_fix([], START) is None


def _steps(commands: list[str], incident_id: str = "route_prefix"):
    incident = load_incident(incident_id)
    return [classify({"kind": "command", "command": c, "at": at(n)}, n, incident) for n, c in enumerate(commands)]


def _systematic(commands: list[str], check_minutes: list[float] = ()):
    steps = _steps(commands)
    found = approach(steps, [m * 60 for m in check_minutes], lambda s: (s.index) * 60.0)
    return systematic_item(found, list(found.destructive)), found


def test_systematic_rewards_looking_first_and_verifying_after():
    item, _ = _systematic(["tail -n 50 logs/app.log", "bin/service status",
                           "sed -i 's#/api/v1/#/api/v1#' config/service.ini && bin/service restart",
                           "curl -s http://127.0.0.1:8080/api/v1/products"])
    assert item.points == 15
    item, found = _systematic(["sed -i 's#/api/v1/#/api/v1#' config/service.ini", "bin/service restart",
                               "tail logs/app.log"])
    assert not found.looked_logs and not found.verified and item.points == 5
    item, _ = _systematic(["cat logs/app.log", "sed -i 's/x/y/' config/service.ini && bin/service restart"], [1.5])
    assert item.points == 3 + 4 + 5  # verified by a check after the change


def test_pointless_restarts_and_destructive_commands_are_flailing():
    item, found = _systematic(["bin/service status", "tail logs/app.log", "bin/service restart", "bin/service restart",
                               "bin/service restart", "bin/service restart", "curl -s localhost:8080/health"])
    assert found.pointless_restarts == 4 and item.points == 6 + 4 + 2
    item, found = _systematic(["rm -rf logs", "chmod -R 777 .", "kill -9 -1", "curl -s localhost:8080/health"])
    assert set(found.destructive) == {"rm_rf", "logs_wiped", "permissions_opened", "kill_everything"}
    assert item.points == 4 and "destructive" in item.evidence
    item, _ = _systematic([])
    assert item.points == 0 and item.evidence == "no command was run"
    item, _ = _systematic(["ls", "cat logs/app.log", "bin/service status"])
    assert item.points == 6 and "changed nothing" in item.evidence


@pytest.mark.parametrize("command, looks, changes, restarts, destructive, brute", [
    ("tail -n 50 logs/app.log", {"logs"}, False, 0, [], []),
    ("grep -E 'ERROR.*db' logs/*.log", {"logs"}, False, 0, [], []),
    ("bin/service status", {"status"}, False, 0, [], []),
    ("curl -s localhost:8080/api/v1/products", {"probe"}, False, 0, [], []),
    ("service shop-api restart", set(), False, 1, [], []),
    ("systemctl restart shop-api", set(), False, 1, [], []),
    ("bin/deploy rollback 2.7.3", set(), True, 1, [], []),
    ("sqlite3 data/shop.db 'select * from products'", {"data"}, False, 0, [], []),
    ("sqlite3 data/shop.db 'DELETE FROM orders;'", set(), True, 0, ["data_deleted"], []),
    ("sed -i 's/required = true/required = false/' config/service.ini", set(), True, 0, [], ["auth_disabled"]),
    ("sed -i 's/required = false/required = true/' config/service.ini", set(), True, 0, [], []),
    ("rm -f config/service.ini", set(), True, 0, [], ["config_deleted"]),
    ("mv config/service.ini /tmp/", set(), True, 0, [], ["config_deleted"]),
    ("echo > logs/app.log", set(), True, 0, ["logs_wiped"], []),
    ("pkill python3", set(), True, 0, ["kill_everything"], []),
    ("cat logs/app.log | grep ERROR > /tmp/errors", {"logs"}, False, 0, [], []),
    (":(){ :|:& };:", set(), False, 0, ["fork_bomb"], []),
])
def test_commands_are_classified_as_a_reviewer_would(command, looks, changes, restarts, destructive, brute):
    step = _steps([command])[0]
    assert looks <= step.looks and step.changes == changes and step.restarts == restarts
    assert step.destructive == destructive and step.brute_force == brute


def test_an_edit_is_a_change_and_its_added_lines_are_read_for_brute_force():
    incident = load_incident("wrong_deployment")
    on = classify({"kind": "edit", "path": "config/service.ini",
                   "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-required = true\n+required = false\n"}, 0, incident)
    off = classify({"kind": "edit", "path": "config/service.ini",
                    "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-required = false\n+required = true\n"}, 0, incident)
    removed = classify({"kind": "edit", "path": "app/routes.py",
                        "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-        problem = order_problem(data)\n"
                                "+        problem = ''\n"}, 0, incident)
    assert on.changes and on.brute_force == ["auth_disabled"] and off.brute_force == []
    assert removed.brute_force == ["validation_removed"]


# -- the whole grade -------------------------------------------------------------------------------------
def test_an_idle_attempt_gets_nothing_with_reasons():
    state = start_state(load_incident("route_prefix"), "easy", 1, started_at=START)
    result, inputs, feedback = grade(state, [], [{"at": at(15), "result": {"passed": False, "probes": []}}], None,
                                     START, at(15))
    assert result.score == 0 and result.letter == "F"
    assert [i.item for i in result.items] == ["root_cause", "fix_quality", "time", "systematic"]
    assert [i.max_points for i in result.items] == [30, 20, 35, 15]
    assert all(i.evidence for i in result.items)
    assert inputs["final_check"]["passed"] is False and feedback["fixed"] is False
    assert feedback["root_cause"] == load_incident("route_prefix").root_cause


def test_a_grade_is_reproducible_and_a_missing_deadline_uses_15_minutes():
    state = start_state(load_incident("route_prefix"), "easy", 1, started_at=START)
    log = [{"at": at(1), "kind": "command", "command": "tail logs/app.log"},
           {"at": at(2), "kind": "command", "command": "sed -i 's#/api/v1/#/api/v1#' config/service.ini; "
                                                      "bin/service restart; curl -s localhost:8080/api/v1/products"}]
    checks = [{"at": at(6), "result": {"passed": True, "fixed_by": "prefix_restored", "findings": [], "probes": []}}]
    report = {**GOOD_REPORTS["route_prefix"]}
    first = grade(state, log, checks, report, START, None)
    second = grade(state, log, checks, report, START, None)
    assert first[0] == second[0] and first[1] == second[1]
    assert first[1]["limit_seconds"] == 900 and first[1]["time_to_fix_seconds"] == 360
    assert first[0].items[2].points == pytest.approx(35 * (1 - 0.8 * (0.4 - 0.2) / 0.8))


def test_the_terminals_own_rows_grade_as_they_are():
    """Commands with their line in ``source``, edit rows, and check rows in the same log (checks=None)."""
    state = start_state(load_incident("route_prefix"), "easy", 1, started_at=START)
    passed = {"kind": "check", "passed": True, "fixed_by": "prefix_restored", "findings": [], "probes": []}
    rows = [
        {"at": at(1), "kind": "command", "source": "tail -n 30 logs/app.log", "output": "...", "exit_code": 0},
        {"at": at(1.5), "kind": "command", "source": "bin/service status", "output": "...", "exit_code": 0},
        {"at": at(2), "kind": "edit", "source": "config/service.ini",
         "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-route_prefix = /api/v1/\n+route_prefix = /api/v1\n"},
        {"at": at(2.5), "kind": "command", "source": "bin/service restart", "output": "Started", "exit_code": 0},
        {"at": at(2.6), "kind": "check", "result": {**passed, "started_in": ""}},
        {"at": at(15), "kind": "check", **passed},
    ]
    result, inputs, _ = grade(state, rows, None, GOOD_REPORTS["route_prefix"], START, at(15))
    assert inputs["checks"] == 2 and inputs["time_to_fix_seconds"] == 156
    assert [s["text"] for s in inputs["steps"]] == ["tail -n 30 logs/app.log", "bin/service status",
                                                    "edit config/service.ini", "bin/service restart"]
    assert result.score == 100
