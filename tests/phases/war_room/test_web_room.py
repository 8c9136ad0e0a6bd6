"""The War Room's web half over HTTP (Flask's test client, the in-process queue, the real local sandbox): the page,
commands over the incident's workspace, an editor save of the config, a restart, the check, the CTO's channel,
the report (validated, a draft kept as typed), Finish with the final check, the deadline closing an idle
attempt by itself (driven like the reconciler does), a regrade from the record, and bad input refused with a
reason and a sentence — nothing the student typed lost."""

from __future__ import annotations

import html
import re

from lti_app.extensions import db
from lti_app.models import Evaluation, Message, Submission
from tests.phases.war_room.test_web_helpers import (
    BROKEN,
    FIXED,
    GOOD_REPORT,
    PROBE,
    WR_CUSTOM,
    wr_session_fixture,  # noqa: F401  (the wr_session fixture)
)


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_student_fixes_the_incident_reports_and_finishes(wr_session, database_url, make_app):
    s = wr_session(make_app(CR_DATABASE_URL=database_url))
    page = s.page()
    assert page.status_code == 200
    text = _text(page)
    assert "The War Room: 404 for all customers" in text and "It is 2:47 AM and production is down." in text
    assert "Time limit: 15 minutes." in text  # the phase's default
    body = page.get_data(as_text=True)
    assert 'data-host="shop-prod-1"' in body and "data-check-url" in body and "data-workspace-editor" in body
    assert "Dana Whitfield" in text and "storefront answers 404" in text  # the CTO's opening line

    # Look first, then fix the config in the editor, restart, verify, run the check.
    assert "route_prefix" in s.run("cat config/service.ini")["output"]
    assert "404" in s.run("tail -n 20 logs/app.log")["output"]
    assert s.run(PROBE)["output"] == "404\n"
    assert s.open_file("logs/app.log").get_json()["editable"] is False
    refused = s.save_file("logs/app.log", "erased\n")
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_editable"
    saved = s.edit("config/service.ini", BROKEN, FIXED)
    assert saved.get_json()["edit"]["added"] == 1
    assert s.run(PROBE)["output"] == "404\n"  # the running service keeps what it loaded
    failing = s.check()
    assert failing["passed"] is False and failing["output"].startswith("FAIL")
    restarted = s.run("bin/service restart")
    assert restarted["service"] == "running"
    assert s.run(PROBE)["output"] == "200\n"
    passing = s.check()
    assert passing["passed"] is True and passing["output"].startswith("PASS")
    assert "Passed" in _text(s.page())  # the last check's verdict on a reload

    # The CTO: a question gets the offline reply; both are Message rows.
    answer = s.say("What changed recently?")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    entries = answer.get_json()["entries"]
    assert [e["from"] for e in entries] == ["student", "cto"] and "2.7.1" in entries[1]["text"] + "02:31"
    assert all("judgement" not in e for e in entries)

    saved_report = s.report(GOOD_REPORT)
    assert saved_report.status_code == 200, saved_report.get_data(as_text=True)
    assert s.attempt().status == "open"  # saving the report does not close the attempt
    finished = s.finish()
    assert finished.status_code == 202 and finished.get_json()["report_url"].endswith("/report")
    grade = s.graded()
    assert grade.score == 100, grade.breakdown
    items = {i["item"]: i for i in grade.breakdown}
    assert items["fix_quality"]["points"] == items["fix_quality"]["max_points"]
    assert grade.inputs["final_check"]["passed"] is True and grade.inputs["reason"] == "finish"
    with s.app.app_context():
        checks = db.session.query(Submission).filter_by(kind="check").order_by(Submission.id).all()
        assert len(checks) == 3 and checks[-1].result["final"] is True and checks[-1].result["passed"] is True
        assert [m.role for m in db.session.query(Message).order_by(Message.id)] == ["student", "actor"]
    report = _text(s.client.get(f"/a/{s.launch_id}/report"))
    assert "What really happened" in report and "trailing slash" in report  # the truth, after the close


def test_bad_input_gets_a_reason_and_a_sentence_and_nothing_typed_is_lost(wr_session, seed_launch):
    s = wr_session()
    # The terminal: an empty or a huge command, a non-JSON body.
    for payload, status, reason in (({"command": "   "}, 400, "empty_command"),
                                    ({"command": "x" * 2001}, 413, "command_too_long"),
                                    ({"command": 7}, 400, "invalid_command")):
        refused = s.post(s.api("terminal/commands"), payload)
        assert (refused.status_code, refused.get_json()["error"]) == (status, reason), refused.get_json()
        assert refused.get_json()["detail"]
    assert s.post(s.api("terminal/commands"), raw=b"{").status_code == 400

    # The CTO's channel: empty, too long, not text; the page's plain form keeps what was typed.
    assert (s.say("  ").status_code, s.say("  ").get_json()["error"]) == (400, "empty_message")
    long = s.say("Status? " * 200)
    assert long.status_code == 413 and long.get_json()["error"] == "message_too_long"
    assert "1000" in long.get_json()["detail"]
    assert s.say(["a list"]).get_json()["error"] == "invalid_message"
    typed = "Is it " + "really " * 200 + "down?"
    page = s.form(f"/a/{s.launch_id}/wr/messages", {"message": typed})
    assert page.status_code == 413 and "message is limited to 1000 characters" in _text(page)
    assert html.escape(typed) in page.get_data(as_text=True)  # the text is back in the form
    sent = s.form(f"/a/{s.launch_id}/wr/messages", {"message": "Any ETA on the fix?"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("#wr-chat")
    assert "Any ETA on the fix?" in _text(s.page())

    # The report: the required fields missing or too short, a field too long — every error at once; what was
    # typed is kept as the draft and comes back on a reload.
    bad = {"what_broke": "404s", "why": "", "what_changed": "x" * 2500, "prevention": "Smoke tests."}
    refused = s.report(bad)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_report"
    errors = refused.get_json()["errors"]
    assert set(errors) == {"what_broke", "why", "what_changed"} and "2,000" in errors["what_changed"]
    page = s.page().get_data(as_text=True)
    assert "x" * 2500 in page and ">Smoke tests.</textarea>" in page and "kept as a draft" in _text(s.page())
    form = s.form(f"/a/{s.launch_id}/wr/report", {**bad, "why": "short"})
    assert form.status_code == 400 and 'aria-invalid="true"' in form.get_data(as_text=True)
    assert "say it in at least a sentence" in _text(form) and "x" * 2500 in form.get_data(as_text=True)
    huge = s.report({**GOOD_REPORT, "prevention": "y" * 9000})
    assert huge.status_code == 413 and huge.get_json()["error"] == "prevention_too_long"
    assert s.report({"what_broke": 5}).get_json()["error"] == "invalid_what_broke"
    ok = s.form(f"/a/{s.launch_id}/wr/report", GOOD_REPORT)
    assert ok.status_code == 303 and ok.headers["Location"].endswith("#wr-report")
    assert "Report saved at" in _text(s.page())

    # The instructor may look while the attempt is open: the truth, the log so far, no check yet.
    inst = seed_launch(s.app, role="Instructor", custom=WR_CUSTOM)
    looked = s.client.get(f"/i/{inst}/attempts/{s.attempt().id}")
    assert looked.status_code == 200 and 'id="wr-i-cause"' in looked.get_data(as_text=True)
    assert "No check has run yet (the final check runs when the attempt closes)" in _text(looked)

    # Without the CSRF token nothing changes.
    assert s.post(s.api("wr/report"), {"fields": GOOD_REPORT}, csrf=False).status_code in (400, 403)

    # After the close: every write refused with its reason; reads still answer.
    assert s.finish().status_code == 202
    for response in (s.finish(), s.say("hello?"), s.report(GOOD_REPORT), s.draft(GOOD_REPORT),
                     s.post(s.api("terminal/commands"), {"command": "ls"}), s.post(s.api("terminal/check")),
                     s.save_file("config/service.ini", "x = 1\n")):
        assert response.status_code == 409 and response.get_json()["error"] == "attempt_closed", response.get_json()
    assert s.chat()["status"] in ("grading", "closed")
    grade = s.graded()
    assert grade.inputs["report"]["what_broke"] == GOOD_REPORT["what_broke"]


def test_finish_waits_for_a_running_command(wr_session):
    s = wr_session()
    queued = s.post(s.api("terminal/commands"), {"command": "sleep 1.5; echo done"})
    assert queued.status_code == 202
    early = s.finish()
    assert early.status_code == 409 and early.get_json()["error"] == "submission_pending"
    s.wait(queued.get_json()["submission"])
    assert s.finish().status_code == 202


def test_the_cto_s_pressure_lines_follow_the_server_s_deadline(wr_session):
    s = wr_session()
    first = s.chat()
    assert [e["kind"] for e in first["entries"]] == ["opening"] and first["next_in"] > 60
    # 100 s in all: 80 % of the time left at 20 s, 50 % at 50 s, 10 % at 90 s. 55 s have passed.
    s.move_clock(started_ago=55, deadline_in=45)
    due = s.chat(after=1)
    assert [e["kind"] for e in due["entries"]] == ["pressure", "pressure"] and due["from"] == 1
    assert 30 < due["next_in"] <= 35
    assert s.chat(after=3)["entries"] == []  # sent once; a reload shows them where they belong
    page = s.page().get_data(as_text=True)
    assert page.count('data-kind="pressure"') == 2
    with s.app.app_context():
        lines = db.session.query(Message).filter_by(role="actor").all()
        assert sorted(m.judgement["id"] for m in lines) == ["pressure-50", "pressure-80"]
    # A page that is behind (another tab, a lost connection) gets what it missed; an unknown position: all.
    assert len(s.chat(after=0)["entries"]) == 3 and s.chat(after=99)["from"] == 0


def _expire(s, seconds_ago: float = 5) -> None:
    s.move_clock(started_ago=15 * 60 + seconds_ago, deadline_in=-seconds_ago)


def _sweep(s) -> list[int]:
    from lti_app.workbench.deadlines import sweep_deadlines

    with s.app.app_context():
        return sweep_deadlines()


def test_an_idle_attempt_closes_at_the_deadline_and_is_graded_on_the_system_then(wr_session):
    s = wr_session()
    s.page()  # opened, never touched: not even a command, so no workspace was stored
    _expire(s)
    refused = s.post(s.api("terminal/commands"), {"command": "ls"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "time_up"
    (closed,) = _sweep(s)
    grade = s.graded()
    assert grade.inputs["reason"] == "deadline" and grade.inputs["final_check"]["passed"] is False
    items = {i["item"]: i["points"] for i in grade.breakdown}
    assert items == {"root_cause": 0.0, "fix_quality": 0.0, "time": 0.0, "systematic": 0.0}
    with s.app.app_context():
        (final,) = db.session.query(Submission).filter_by(kind="check").all()
        assert final.result["final"] is True and final.result["closed_by"] == "deadline"
        assert db.session.query(Evaluation).one().reason == "deadline"
    assert _sweep(s) == []


def test_the_deadline_grades_the_fix_it_finds_and_the_report_draft_then_a_regrade_reuses_the_check(
        wr_session, database_url, make_app):
    from lti_app.grading import request_evaluation
    from lti_app.models import Attempt

    s = wr_session(make_app(CR_DATABASE_URL=database_url), custom={**WR_CUSTOM, "time_limit": "20"})
    assert "Time limit: 20 minutes." in _text(s.page())
    s.run("cat config/service.ini; tail -n 5 logs/app.log")
    s.edit("config/service.ini", BROKEN, FIXED)
    s.run("bin/service restart && " + PROBE)
    assert s.draft(GOOD_REPORT).status_code == 200  # typed, never saved: the deadline takes it (it is complete)
    s.move_clock(started_ago=20 * 60 + 5, deadline_in=-5)
    (closed,) = _sweep(s)
    grade = s.graded()
    items = {i["item"]: i["points"] for i in grade.breakdown}
    assert grade.inputs["final_check"]["passed"] is True and items["fix_quality"] == 20.0
    assert items["root_cause"] == 30.0 and items["time"] < 35.0  # no check before the close: timed at the close
    with s.app.app_context():
        checks = db.session.query(Submission).filter_by(kind="check").count()
        request_evaluation(db.session.get(Attempt, closed), reason="regrade")
    again = s.graded()
    assert again.id != grade.id and again.score == grade.score and again.inputs["reason"] == "regrade"
    with s.app.app_context():
        assert db.session.query(Submission).filter_by(kind="check").count() == checks == 1


def test_the_cto_in_character_through_an_llm_and_never_the_cause(wr_session, make_app):
    """With an OpenAI-compatible model configured (a scripted one over real HTTP) the CTO's offline draft is
    rephrased in character; a rephrasing that says the cause is replaced by the draft (and recorded as such)."""
    from tests.support.fake_openai import FakeOpenAI

    mode = {"leak": False}

    def behaviour(body):  # type: ignore[no-untyped-def]
        if mode["leak"]:
            return 200, "Honestly it's the trailing slash on the route prefix. Fix that.", 0.0
        draft = body["messages"][-1]["content"].split("DRAFT reply to rewrite:\n")[-1]
        return 200, "Listen. " + draft, 0.0

    with FakeOpenAI() as llm:
        llm.behaviour = behaviour
        app = make_app(CR_LLM_PROVIDER="openai", CR_LLM_BASE_URL=llm.base_url, CR_LLM_MODEL="fake",
                       CR_LLM_TIMEOUT="5", CR_LLM_MAX_RETRIES="0")
        s = wr_session(app)
        rephrased = s.say("What changed recently?").get_json()["entries"][1]["text"]
        assert rephrased.startswith("Listen. ") and "2.7.1" in rephrased
        mode["leak"] = True
        guarded = s.say("Any idea what it is?").get_json()["entries"][1]["text"]
        assert "slash" not in guarded.lower() and "prefix" not in guarded.lower()
        assert len(llm.requests) == 2
    with app.app_context():
        notes = [m.judgement for m in db.session.query(Message).filter_by(role="actor").order_by(Message.id)]
        student = [m.judgement for m in db.session.query(Message).filter_by(role="student").order_by(Message.id)]
    assert [n["source"] for n in notes] == ["llm", "offline_fallback"] and notes[1]["fallback_reason"] == "leak"
    assert student[1]["refused"] is True  # the Director pushed back on a request for the answer
