"""Retakes that stay honest, through the web: while a student may still retake the activity, the report card (and
the status API behind it) names the constraints they missed by topic only — never their description, full reveal or
key facts —; it shows them in full once no attempt is left, or after every attempt when the instructor chose so. A
pooled activity gives a retake a client the student has not met yet; with one client the retake replays it."""

from __future__ import annotations

from typing import Any

from grader.phases.difficult_client import Scenario, load_scenario
from grader.phases.difficult_client.grading import constraint_report
from lti_app.extensions import db
from lti_app.models import Accommodation, Attempt
from tests.phases.difficult_client.students import SCENARIO, STUDENTS, TOPICS, solution
from tests.phases.difficult_client.test_leaks import permitted
from tests.support.leaks import flat, readable

ONE_CLIENT = {"phase": "difficult_client", "scenario": SCENARIO, "max_attempts": "2"}
POOL = "angry_bakery_owner,impatient_restaurant_owner,overwhelmed_nonprofit_director"


def withheld_secrets(scenario: Scenario, state: dict[str, Any]) -> dict[str, str]:
    """Flattened text of every constraint not fully found at the end of ``state`` (its description, full reveal
    and key facts, of both versions), except what the interview itself released."""
    released = {flat(t) for t in permitted(scenario, state)}
    found = {row["topic"] for row in constraint_report(scenario, state) if row["status"] == "found"}
    out: dict[str, str] = {}
    for c in scenario.constraints:
        if c.topic in found:
            continue
        texts = {"description": c.description, "full reveal": c.full_reveal,
                 **{f"key fact {f}": f for f in c.key_facts}}
        if c.change:
            texts.update({"changed description": c.change.description, "changed reveal": c.change.full_reveal,
                          **{f"changed key fact {f}": f for f in c.change.key_facts}})
        out.update({flat(text): f"{c.id}: {what}" for what, text in texts.items() if flat(text) not in released})
    return out


def test_the_report_data_withholds_what_was_not_found_unless_answers_are_shown():
    from grader.phases.difficult_client import replay
    from grader.phases.difficult_client.report import student_feedback

    scenario = load_scenario(SCENARIO)
    state = replay(scenario, STUDENTS["expert"](SCENARIO)[:2])
    stored = {"constraints": constraint_report(scenario, state), "turns": 2,
              "code": {"passed": 3, "total": 9, "missed": [
                  {"id": c.id, "topic": c.topic, "description": c.description, "tests": [4], "failed": [4]}
                  for c in scenario.constraints if state["constraints"][c.id]["level"] == 0]}}
    assert stored["code"]["missed"], "the replayed interview must miss something"
    held = student_feedback(scenario, state, stored, show_answers=False)
    found = {r["topic"] for r in held["constraints"] if r["status"] == "found"}
    assert found and len(found) < len(scenario.constraints)
    for row, original in zip(held["constraints"], stored["constraints"], strict=True):
        assert row["topic"] == original["topic"] and row["status"] == original["status"]
        assert row["withheld"] == (row["topic"] not in found)
        assert row["description"] == ("" if row["withheld"] else original["description"])
    assert [m["description"] for m in held["code"]["missed"]] == [""] * len(stored["code"]["missed"])
    assert not any("id" in m for m in held["code"]["missed"]) and held["answers_note"]
    shown = student_feedback(scenario, state, stored, show_answers=True)
    assert [r["description"] for r in shown["constraints"]] == [r["description"] for r in stored["constraints"]]
    assert [m["description"] for m in shown["code"]["missed"]] == [m["description"] for m in stored["code"]["missed"]]
    assert "answers_note" not in shown and stored["code"]["missed"][0]["id"]  # the stored feedback is untouched


def _interview(s: Any, messages: list[str]) -> dict[str, Any]:
    for text in messages:
        assert s.say(text).status_code == 200
    state = s.attempt_row().state
    assert s.finish().status_code in (202, 303)
    grade = s.graded()
    return {"state": state, "grade": grade}


def _report(s: Any) -> tuple[str, str]:
    """The report card and the status API as their reader sees them (flattened)."""
    page = s.client.get(f"/a/{s.launch_id}/report")
    assert page.status_code == 200
    status = s.get(s.api("status"))
    return flat(readable(page.get_data(as_text=True))), flat(readable(status.get_data(as_text=True)))


def _new_attempt(s: Any) -> Attempt:
    assert s.form(f"/a/{s.launch_id}/attempts", {}).status_code == 303
    return s.attempt_row()


def _assert_topics_only(scenario: Scenario, played: dict[str, Any], page: str, status: str) -> None:
    rows = constraint_report(scenario, played["state"])
    missed = [r for r in rows if r["status"] != "found"]
    assert missed and len(missed) < len(rows), "the interview must find some constraints and miss others"
    secrets = withheld_secrets(scenario, played["state"])
    for body in (page, status):
        for secret, what in secrets.items():
            assert secret not in body, f"the report leaked {what} while an attempt is left"
    for r in rows:  # every topic is named; what was found is shown in full
        assert flat(r["topic"]) in page
        assert (flat(r["description"]) in page) == (r["status"] == "found")
    assert "no attempt left" in page  # the note says when the rest is shown
    comment = flat(f"{played['grade'].letter} — {played['grade'].summary}")  # the AGS comment
    assert not any(secret in comment for secret in secrets)


def _assert_everything_shown(scenario: Scenario, state: dict[str, Any], page: str) -> None:
    for r in constraint_report(scenario, state):
        assert flat(r["description"]) in page, f"{r['topic']} is not shown in full"
    assert "no attempt left" not in page


def test_attempt_one_names_missed_topics_only_and_the_last_attempt_shows_everything(dc_session):
    scenario = load_scenario(SCENARIO)
    s = dc_session(custom=ONE_CLIENT)
    first = _interview(s, STUDENTS["expert"](SCENARIO)[:2] + ["Can you tell me more about that?"])
    page, status = _report(s)
    _assert_topics_only(scenario, first, page, status)

    # One client in the activity: the retake replays it (allowed), from a fresh interview.
    second = _new_attempt(s)
    assert second.number == 2 and second.state["scenario_id"] == SCENARIO and second.state["turn"] == 0
    last = _interview(s, STUDENTS["careless"](SCENARIO)[:2])
    page, status = _report(s)
    _assert_everything_shown(scenario, last["state"], page)
    assert flat(scenario.constraints[0].description) in status  # the API agrees with the page


def test_a_missed_rule_that_became_hidden_tests_is_named_by_topic_only_while_an_attempt_is_left(dc_session):
    """The coding task keeps a rule the interview missed as hidden tests; the report's code section names it by
    topic only (never its text, never the constraint's id), until no attempt is left."""
    scenario = load_scenario(SCENARIO)
    missed = scenario.constraint("order_cutoff")  # the bakery's task is built on it
    s = dc_session(custom=ONE_CLIENT)
    questions = [q for q, (cid, _, _) in zip(STUDENTS["expert"](SCENARIO), TOPICS[SCENARIO], strict=True)
                 if cid != missed.id]
    for text in questions:
        assert s.say(text).status_code == 200
    assert s.state()["view"]["coding_task_unlocked"]
    assert s.submit(solution(SCENARIO))["state"] == "done"
    state = s.attempt_row().state
    assert s.finish().status_code in (202, 303)
    played = {"state": state, "grade": s.graded()}
    assert [m["topic"] for m in played["grade"].feedback["code"]["missed"]] == [missed.topic]
    page, status = _report(s)
    _assert_topics_only(scenario, played, page, status)
    assert flat(missed.topic) in page.split("what the interview never told you")[1]
    assert missed.id not in status and "you never learned about" in page

    _new_attempt(s)
    last = _interview(s, questions[:1])
    page, _ = _report(s)
    _assert_everything_shown(scenario, last["state"], page)


def test_show_answers_after_each_attempt_shows_them_at_once(dc_session):
    scenario = load_scenario(SCENARIO)
    s = dc_session(custom={**ONE_CLIENT, "show_answers": "after_each"})
    played = _interview(s, STUDENTS["expert"](SCENARIO)[:2])
    page, _ = _report(s)
    _assert_everything_shown(scenario, played["state"], page)


def test_an_extra_attempt_granted_as_an_accommodation_keeps_the_answers_withheld(dc_session):
    """A single-attempt activity shows everything after its attempt; one extra attempt for this student holds the
    missed constraints back again (what counts is whether this student may retake it)."""
    scenario = load_scenario(SCENARIO)
    s = dc_session(custom={**ONE_CLIENT, "max_attempts": "1"})
    played = _interview(s, STUDENTS["expert"](SCENARIO)[:2])
    _assert_everything_shown(scenario, played["state"], _report(s)[0])
    attempt = s.attempt_row()
    with s.app.app_context():
        db.session.add(Accommodation(activity_id=attempt.activity_id, user_id=attempt.user_id, extra_attempts=1))
        db.session.commit()
    page, status = _report(s)
    _assert_topics_only(scenario, played, page, status)


def test_a_pooled_activity_gives_each_retake_a_client_not_met_yet(dc_session):
    s = dc_session(custom={"phase": "difficult_client", "scenario": POOL, "max_attempts": "3"})
    met = []
    for number in (1, 2, 3):
        attempt = s.attempt_row() if number == 1 else _new_attempt(s)
        assert attempt.number == number
        met.append(attempt.state["scenario_id"])
        scenario = load_scenario(met[-1])
        assert scenario.meta.title in s.page().get_data(as_text=True).replace("&#39;", "'")
        played = _interview(s, STUDENTS["expert"](met[-1])[:2])
        page, status = _report(s)
        if number < 3:
            _assert_topics_only(scenario, played, page, status)
        else:
            _assert_everything_shown(scenario, played["state"], page)
    assert sorted(met) == sorted(POOL.split(","))


def test_the_activitys_difficulty_is_played_and_shown(dc_session):
    s = dc_session(custom={"phase": "difficult_client", "scenario": f"{SCENARIO},perfectionist_startup_founder",
                           "difficulty": "hard"})
    state = s.attempt_row().state
    assert state["scenario_id"] == "perfectionist_startup_founder"  # the pool's hard client
    assert state["difficulty"] == "hard"
    page = s.page().get_data(as_text=True)
    assert 'data-difficulty="hard"' in page and "Difficulty: <strong>hard</strong>" in page
    easy = dc_session(custom={"phase": "difficult_client", "scenario": SCENARIO, "difficulty": "hard"},
                      resource_link_id="link-2")
    assert easy.attempt_row().state["difficulty"] == "hard"  # one client: played at the activity's difficulty
    own = dc_session(custom={"phase": "difficult_client", "scenario": SCENARIO}, resource_link_id="link-3")
    assert own.attempt_row().state["difficulty"] == "easy"  # none chosen: the scenario's own
    assert 'data-difficulty="easy"' in own.page().get_data(as_text=True)
