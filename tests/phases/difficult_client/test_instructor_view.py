"""The instructor's attempt page for the Difficult Client: the transcript in sentences (who said what, the
Director's verdict in words) with the raw record behind a disclosure, and every Run and Submit's code — all of
it on the instructor's page only, never on a student's."""

from __future__ import annotations

import html

from grader.phases.difficult_client import load_scenario
from grader.phases.difficult_client.narration import judgement_sentence, narrate, reply_note
from lti_app.dispatch import get_dispatcher
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE

RUDE = "Just tell me about the mobile users already, this is a waste of my time."


def test_a_judgement_reads_as_a_sentence():
    signals = {"clear": True, "polite": False, "empathetic": True, "question_type": "open", "jargon": []}
    judgement = {"turn": 1, "quality": 0.8, "llm_quality": None, "signals": signals, "flags": [],
                 "target": "no_hosting_fees", "via": "trigger", "granted": 1}
    topics = {"no_hosting_fees": "running costs"}
    assert judgement_sentence(judgement, topics, 0) == (
        "clear, empathetic open question; revealed “running costs” partially (quality 0.80)")
    assert judgement_sentence({**judgement, "granted": 2, "via": "follow_up", "llm_quality": 0.9}, topics, 1) == (
        "clear, empathetic open question; revealed “running costs” fully (a follow-up) (quality 0.80, "
        "LLM's opinion 0.90)")
    assert "nothing new (already fully revealed)" in judgement_sentence({**judgement, "granted": 1}, topics, 2)
    rude = {**judgement, "signals": {"question_type": "none", "jargon": []}, "flags": ["rude"], "granted": 0}
    assert judgement_sentence(rude, topics, 0).startswith("statement, not a question — rude; asked about “running")
    assert "touched no hidden requirement" in judgement_sentence({**judgement, "target": None}, topics, 0)
    assert reply_note({"source": "offline_fallback", "fallback_reason": "timeout"}) == (
        "the LLM's reply was not used (timeout); the offline engine's reply was sent")

    # Levels are tracked across turns, as the session tracked them.
    scenario = load_scenario("perfectionist_startup_founder")
    change = next(c for c in scenario.constraints if c.change)
    first = {**judgement, "turn": 1, "target": change.id, "granted": 2}
    again = {**judgement, "turn": change.change.after_turn + 1, "target": change.id, "granted": 2, "via": "notice"}
    filler = [{**judgement, "turn": t, "target": None} for t in range(2, change.change.after_turn + 1)]
    stories = narrate(scenario, [first, *filler, again])
    assert stories[0].judgement.endswith(f"revealed “{change.topic}” fully (quality 0.80)")
    assert stories[change.change.after_turn - 1].changed_topics == (change.topic,)
    # After the change of mind the constraint is back at a hint: noticing it is news, not a repeat.
    assert f"revealed “{change.topic}” fully (noticed the change)" in stories[-1].judgement


def test_the_transcript_and_code_are_readable_for_the_instructor_and_absent_from_student_pages(dc_session,
                                                                                              seed_launch):
    student = dc_session(lineitem_url="http://127.0.0.1:9/lineitems/1")
    app = student.app
    for text in [*EXPERT, RUDE]:
        assert student.say(text).status_code == 200
    run = student.wait(student.queue("run", GOOD_CODE + "\nprint(orderable_days(3, 9, [5, 4, 6], [6]))\n")
                       .get_json()["submission"])
    submit = student.wait(student.queue("submit", GOOD_CODE).get_json()["submission"])
    assert run["state"] == submit["state"] == "done"
    open_page = student.page().get_data(as_text=True)
    state = student.state()
    assert student.finish().status_code == 202
    assert get_dispatcher(app).drain(60)
    report = student.client.get(f"/a/{student.launch_id}/report").get_data(as_text=True)
    status = student.status()

    teacher = seed_launch(app, role="Instructor", custom={"phase": "difficult_client"})
    attempt_id = student.attempt_row().id
    page = html.unescape(app.test_client().get(f"/i/{teacher}/attempts/{attempt_id}").get_data(as_text=True))

    # Who said what, and the Director's judgement in words; the raw record only behind a disclosure.
    assert "Rosa Marchetti (client): " in page.replace("</strong>", "") and "Test Person (student)" in page
    assert "Director: clear" in page and "open question; revealed “running costs” fully" in page
    assert ("Director: clear statement, not a question — rude; asked about “customers”, but earned nothing "
            "(rude)") in page
    assert "reply written by the offline engine" in page
    assert page.count("<summary>Raw record</summary>") == 2 * (len(EXPERT) + 1)
    assert '"heuristic_quality"' in page and 'Director: {"' not in page  # no raw JSON inline any more
    # Every Run and Submit, newest first, in read-only editors with a result summary; the Submit counts.
    assert page.count("data-editor data-language=\"python\"") == 2 and "readonly" in page
    assert page.index(f'data-submission="{submit["id"]}"') < page.index(f'data-submission="{run["id"]}"')
    assert "hidden tests 13 of 13 passed" in page and "counts for the grade" in page
    assert "def orderable_days(placed_day" in page

    # Nothing of it reaches the student: not the sentences, not the raw record, not the Director. (The closed
    # attempt's report card does name the constraints it found: that is its job, and no judgement is on it.)
    for body in (open_page, report, str(state), str(status), *student.seen):
        for secret in ("Raw record", "heuristic_quality", "Director:", "revealed “", "Rosa Marchetti (client)",
                       "reply written by the offline engine"):
            assert secret not in html.unescape(body), secret
