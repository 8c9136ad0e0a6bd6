"""Bad input to the Difficult Client API: each gets a 4xx with a reason code, and nothing is lost."""

from __future__ import annotations

import json
import threading

import requests

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Message, Submission
from tests.phases.difficult_client.conftest import parse_sse
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE
from tests.support.live_server import LiveServer


def _messages(session) -> int:
    with session.app.app_context():
        return db.session.query(Message).count()


def _reason(response) -> str:
    return response.get_json()["error"]


def test_empty_enormous_and_binary_messages_are_refused_and_change_nothing(dc_session):
    s = dc_session()
    url = f"/api/a/{s.launch_id}/dc/messages"
    cases = [
        (s.say(""), 400, "empty_message"),
        (s.say("   \n\t "), 400, "empty_message"),
        (s.say("x" * 2001), 413, "message_too_long"),
        (s.say("hello\x00\x01\x02 world"), 400, "binary_message"),
        (s.post(url, {"message": ["not", "text"]}), 400, "invalid_message"),
        (s.post(url, raw=b'{"message": "caf\xe9"}'), 400, "invalid_encoding"),
        (s.post(url, raw=b"\x89PNG\r\n\x1a\n\x00\x00"), 400, "invalid_encoding"),
        (s.post(url, raw=b"not json at all"), 400, "invalid_json"),
        (s.post(url, raw=b"[1, 2, 3]"), 400, "invalid_json"),
        (s.post(url, raw=json.dumps({"message": "y" * 400_000}).encode()), 413, "request_too_large"),
        (s.say("A fine question?", turn=-3), 400, "invalid_turn"),
    ]
    for response, status, reason in cases:
        assert response.status_code == status, (reason, response.get_data(as_text=True)[:200])
        assert _reason(response) == reason
        assert response.get_json()["detail"]
    assert _messages(s) == 0
    assert s.state()["view"]["turn"] == 0

    # Nothing was lost: the conversation carries on normally afterwards.
    ok = s.say(EXPERT[0], turn=0)
    assert ok.status_code == 200 and ok.get_json()["turn"] == 1
    assert _messages(s) == 2


def test_an_enormous_chunked_body_without_a_length_is_refused_unread(dc_session):
    s = dc_session()

    def chunks():
        yield b'{"message": "'
        for _ in range(64):
            yield b"z" * 65536

    with LiveServer(s.app) as server:  # real HTTP: requests sends a generator with chunked transfer encoding
        response = requests.post(f"{server.url}/api/a/{s.launch_id}/dc/messages", data=chunks(), timeout=30,
                                 headers={"X-CSRF-Token": s.csrf, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "request_too_large"
    assert _messages(s) == 0


def test_requests_without_the_launch_csrf_token_or_launch_are_refused(dc_session):
    s = dc_session()
    response = s.client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": "hello?"})
    assert response.status_code == 403 and _reason(response) == "csrf_invalid"
    other = dc_session(app=s.app, resource_link_id="link-other")
    response = s.client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": "hello?"},
                             headers={"X-CSRF-Token": other.csrf})
    assert response.status_code == 403
    response = s.client.get("/api/a/no-such-launch/dc/state")
    assert response.status_code == 401 and _reason(response) == "launch_expired"
    assert _messages(s) == 0


def test_double_submit_of_a_message_applies_once(dc_session):
    s = dc_session()
    first = s.say(EXPERT[0], turn=0)
    again = s.say(EXPERT[0], turn=0)  # the same click delivered twice
    assert first.status_code == 200
    assert again.status_code == 409 and _reason(again) == "stale_turn" and again.get_json()["turn"] == 1
    assert _messages(s) == 2 and s.state()["view"]["turn"] == 1


def test_a_reply_overtaken_by_another_message_is_not_stored_and_says_so(dc_session):
    """Two turns computed from the same state: the first to commit wins, the streamed one reports a conflict."""
    s = dc_session()
    streamed = s.client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": EXPERT[0]}, buffered=False,
                             headers={"X-CSRF-Token": s.csrf, "Accept": "text/event-stream"})
    assert streamed.status_code == 200 and streamed.mimetype == "text/event-stream"
    # The stream has been computed from turn 0 but not stored yet; another tab answers first.
    other_tab = s.say(EXPERT[1])
    assert other_tab.status_code == 200
    events = parse_sse(b"".join(streamed.response).decode())
    streamed.close()
    assert events[-1] == ("error", {"error": "turn_conflict", "detail": events[-1][1]["detail"]})
    assert "done" not in [name for name, _ in events]
    assert _messages(s) == 2 and s.state()["view"]["turn"] == 1
    with s.app.app_context():
        assert [m.body for m in db.session.query(Message).order_by(Message.id)][0] == EXPERT[1]


def test_a_reply_overtaken_by_the_end_of_the_session_says_the_session_ended(dc_session):
    s = dc_session()
    streamed = s.client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": EXPERT[0]}, buffered=False,
                             headers={"X-CSRF-Token": s.csrf, "Accept": "text/event-stream"})
    assert s.finish().status_code == 202
    events = parse_sse(b"".join(streamed.response).decode())
    streamed.close()
    assert events[-1][0] == "error" and events[-1][1]["error"] == "attempt_closed"
    assert _messages(s) == 0


def test_a_page_that_goes_away_mid_reply_still_gets_its_turn_recorded(dc_session):
    s = dc_session()
    streamed = s.client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": EXPERT[0]}, buffered=False,
                             headers={"X-CSRF-Token": s.csrf, "Accept": "text/event-stream"})
    first = next(iter(streamed.response))
    assert first.startswith(b"event: chunk")
    streamed.close()  # the browser tab closed before the reply finished
    assert _messages(s) == 2 and s.state()["view"]["turn"] == 1
    assert s.state()["view"]["messages"][-1]["role"] == "client"


def test_concurrent_messages_from_two_threads_store_exactly_one_turn_each(dc_session):
    s = dc_session()
    results: list[int] = []

    def send(text: str) -> None:
        client = s.app.test_client()
        response = client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": text, "turn": 0},
                               headers={"X-CSRF-Token": s.csrf})
        results.append(response.status_code)

    threads = [threading.Thread(target=send, args=(m,)) for m in EXPERT[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert _messages(s) == 2 and s.state()["view"]["turn"] == 1


def _unlock(s) -> None:
    for text in EXPERT[:4]:
        assert s.say(text).status_code == 200
    assert s.state()["view"]["coding_task_unlocked"]


def test_code_requests_are_validated_before_anything_is_queued(dc_session):
    s = dc_session()
    locked = s.queue("submit", GOOD_CODE)
    assert locked.status_code == 409 and _reason(locked) == "task_locked"
    _unlock(s)
    for response, status, reason in [
        (s.queue("run", ""), 400, "empty_source"),
        (s.queue("submit", "   "), 400, "empty_source"),
        (s.queue("submit", "x = 1\n" * 20_000), 413, "source_too_long"),
        (s.queue("run", "print(1)\x00\x07"), 400, "binary_source"),
        (s.queue("run", "print(1)", stdin="\x00\xff\x01"), 400, "binary_stdin"),
        (s.post(f"/api/a/{s.launch_id}/code/run", raw=b"\xff\xfe"), 400, "invalid_encoding"),
    ]:
        assert response.status_code == status, (reason, response.get_data(as_text=True)[:200])
        assert _reason(response) == reason
    with s.app.app_context():
        assert db.session.query(Submission).count() == 0


def test_double_submit_of_code_queues_one_job_and_finish_waits_for_it(dc_session):
    s = dc_session()
    _unlock(s)
    slow = "import time\ntime.sleep(1.5)\n" + GOOD_CODE
    first = s.queue("submit", slow)
    assert first.status_code == 202
    again = s.queue("submit", slow)
    assert again.status_code == 409 and _reason(again) == "submission_pending"
    assert again.get_json()["submission"]["id"] == first.get_json()["submission"]["id"]
    early = s.finish()
    assert early.status_code == 409 and _reason(early) == "submission_pending"
    done = s.wait(first.get_json()["submission"])
    assert done["state"] == "done" and done["result"]["hidden"] == {"passed": 13, "total": 13}
    with s.app.app_context():
        assert db.session.query(Submission).count() == 1


def test_nothing_is_accepted_after_the_session_ended(dc_session):
    s = dc_session()
    _unlock(s)
    finished = s.finish()
    assert finished.status_code == 202
    assert s.finish().status_code == 409  # double click on "End"
    assert _reason(s.finish()) == "attempt_closed"
    assert get_dispatcher(s.app).drain(30)
    for response in (s.say("One more question?"), s.say("Another?", stream=True), s.queue("submit", GOOD_CODE),
                     s.queue("run", GOOD_CODE)):
        assert response.status_code == 409 and _reason(response) == "attempt_closed"
    assert _messages(s) == 8
    assert s.status()["grade"]["letter"]


def test_another_learners_submission_cannot_be_read(dc_session):
    s = dc_session()
    _unlock(s)
    mine = s.queue("run", GOOD_CODE).get_json()["submission"]
    s.wait(mine)
    other = dc_session(app=s.app)
    response = other.get(f"/api/a/{other.launch_id}/submissions/{mine['id']}")
    assert response.status_code == 404 and _reason(response) == "submission_unknown"


def test_after_the_time_limit_only_ending_the_session_is_accepted(dc_session):
    from datetime import timedelta

    from lti_app.models import Attempt

    s = dc_session(custom={"phase": "difficult_client", "scenario": "angry_bakery_owner", "time_limit": "20"})
    _unlock(s)
    page = s.page().get_data(as_text=True)
    assert "Time limit: 20 minutes." in page and "minutes left." in page
    with s.app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.deadline_at -= timedelta(minutes=21)
        db.session.commit()
    for response in (s.say("One more question?"), s.queue("run", GOOD_CODE), s.queue("submit", GOOD_CODE)):
        assert response.status_code == 409 and _reason(response) == "time_up"
    assert _messages(s) == 8
    assert s.finish().status_code == 202
    assert get_dispatcher(s.app).drain(30)
    assert s.status()["grade"]["letter"]


def test_a_lone_surrogate_is_refused_as_text_that_is_not_unicode(dc_session, database_url, make_app):
    """JSON can spell a lone surrogate ("\\ud800"); no database, page or stream can store or send it."""
    s = dc_session(app=make_app(CR_DATABASE_URL=database_url))
    url = f"/api/a/{s.launch_id}/dc/messages"
    for body in (b'{"message": "hello \\ud800 there"}', b'{"message": "hi", "\\udfff": 1}',
                 b'{"message": "hi \\udc00\\ud800 reversed"}'):
        for headers in (None, {"Accept": "text/event-stream"}):
            response = s.post(url, raw=body, headers=headers)
            assert response.status_code == 400, response.get_data(as_text=True)[:300]
            assert _reason(response) == "invalid_text" and "Unicode" in response.get_json()["detail"]
    # A real astral character (a surrogate pair in JSON) is text like any other.
    ok = s.post(url, raw=b'{"message": "Who uses it? \\ud83d\\ude00"}')
    assert ok.status_code == 200 and ok.get_json()["turn"] == 1
    assert _messages(s) == 2


def test_a_turn_that_is_not_a_small_whole_number_is_refused(dc_session):
    s = dc_session()
    url = f"/api/a/{s.launch_id}/dc/messages"
    for raw in (b"1e400", b"-1e400", b"1.5", b"true", b'"3x"', b"18446744073709551616", b"-0.5", b"[0]"):
        response = s.post(url, raw=b'{"message": "A fine question?", "turn": ' + raw + b"}")
        assert response.status_code == 400, (raw, response.get_data(as_text=True)[:200])
        assert _reason(response) == "invalid_turn" and response.get_json()["detail"]
    for raw in (b"NaN", b"Infinity", b"-Infinity"):  # not JSON at all (RFC 8259), though Python reads them
        response = s.post(url, raw=b'{"message": "A fine question?", "turn": ' + raw + b"}")
        assert response.status_code == 400 and _reason(response) == "invalid_json", raw
    for depth in (100_000, 5_000):  # nested beyond the parser's recursion limit
        nested = b'{"message": "hi?", "x": ' + b"[" * depth + b"]" * depth + b"}"
        response = s.post(url, raw=nested)
        assert response.status_code == 400 and _reason(response) == "invalid_json", depth
    assert s.say("A fine question?", turn=0).status_code == 200  # 0 and "0" are fine
    assert s.post(url, raw=b'{"message": "Another one?", "turn": "1"}').status_code == 200
    assert s.post(url, raw=b'{"message": "And one more?", "turn": 2.0}').status_code == 200
    assert _messages(s) == 6


def test_ids_beyond_any_row_id_are_refused_not_crashed_on(dc_session, database_url, make_app):
    s = dc_session(app=make_app(CR_DATABASE_URL=database_url))
    huge = "99999999999999999999"
    for path in (f"/api/a/{s.launch_id}/submissions/{huge}", f"/api/a/{s.launch_id}/submissions/{huge}/events",
                 f"/api/a/{s.launch_id}/submissions/{2**63}", f"/api/a/{s.launch_id}/submissions/{2**31}"):
        response = s.get(path)
        assert response.status_code == 404, (path, response.get_data(as_text=True)[:200])
        assert _reason(response) == "id_out_of_range" and response.get_json()["detail"]
    response = s.post(f"/api/a/{s.launch_id}/submissions/{huge}/cancel", {})
    assert response.status_code == 404 and _reason(response) == "id_out_of_range"
    teacher = dc_session(app=s.app, role="Instructor")
    for path in (f"/api/i/{teacher.launch_id}/attempts/{huge}/status",
                 f"/api/i/{teacher.launch_id}/dc/attempts/{huge}"):
        response = teacher.get(path)
        assert response.status_code == 404 and _reason(response) == "id_out_of_range", path
    response = teacher.post(f"/i/{teacher.launch_id}/grades/{huge}/resend", {})
    assert response.status_code == 404 and _reason(response) == "id_out_of_range"
    # The largest id a row can have is an ordinary unknown id.
    response = s.get(f"/api/a/{s.launch_id}/submissions/{2**31 - 1}")
    assert response.status_code == 404 and _reason(response) == "submission_unknown"
    # Ids in bodies: a draft's revision beyond any counter.
    response = s.client.put(f"/api/a/{s.launch_id}/draft", json={"source": "x = 1", "revision": 2**64},
                            headers={"X-CSRF-Token": s.csrf})
    assert response.status_code == 400 and _reason(response) == "invalid_revision"


def test_a_stream_that_fails_while_storing_the_turn_ends_with_an_error_event(dc_session, monkeypatch):
    """Whatever goes wrong after the stream has started, the page hears about it in an event."""
    from lti_app.phases.difficult_client import views

    def broken(*args, **kwargs):  # e.g. the database refusing what it was given
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views, "commit_turn", broken)
    s = dc_session()
    streamed = s.client.post(f"/api/a/{s.launch_id}/dc/messages", json={"message": EXPERT[0]}, buffered=False,
                             headers={"X-CSRF-Token": s.csrf, "Accept": "text/event-stream"})
    assert streamed.status_code == 200
    events = parse_sse(b"".join(streamed.response).decode())
    streamed.close()
    assert events[-1][0] == "error" and events[-1][1]["error"] == "internal_error"
    assert "done" not in [name for name, _ in events]
    assert _messages(s) == 0
