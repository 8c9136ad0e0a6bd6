"""The AGS client's failure classification and token cache, against real HTTP servers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from lti_app.lti.ags import AgsTarget, ScoreToSend, scores_url, send_score
from tests.lti.conftest import add_activity
from tests.support.live_server import LiveServer


def _outage_app(status: int):
    def app(environ, start_response):
        start_response(f"{status} Whatever", [("Content-Type", "text/plain")])
        return [b"platform trouble"]

    return app


@pytest.fixture
def graded(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    link_id = add_activity(browser, lms)
    link = lms.store.state.links[link_id]
    target = AgsTarget(lms.issuer, lms.client_id, lms.deployment_id, lms.lineitem_url(link.lineitem_id),
                       lms.users[1].id, "moodle")
    return lms, target


def _score(offset_seconds: int = 0, **kw) -> ScoreToSend:
    when = datetime.now(UTC) + timedelta(seconds=offset_seconds)
    return ScoreToSend(**{"score_given": 72.0, "score_maximum": 100.0, "comment": "Grade C: ok",
                          "timestamp": when.isoformat(), **kw})


def test_token_is_cached_between_sends(tool, graded):
    lms, target = graded
    with tool.app.app_context():
        assert send_score(target, _score(0)).ok
        assert send_score(target, _score(2)).ok
    assert lms.store.state.tokens_issued == 1
    assert [s.status for s in lms.store.state.scores] == [200, 200]


def test_a_worker_thread_reuses_its_connection_to_the_platform(tool, graded):
    """A burst of grades to one platform goes over the thread's kept-alive connection, token request included."""
    from lti_app.lti import ags

    lms, target = graded
    ags._thread_http.__dict__.pop("session", None)  # this thread starts without one
    with tool.app.app_context():
        assert all(send_score(target, _score(n)).ok for n in range(3))
    session = ags.thread_session()
    manager = session.get_adapter(target.lineitem_url).poolmanager
    port = urlsplit(target.lineitem_url).port
    pools = [manager.pools[key] for key in manager.pools.keys() if key.key_port == port]  # noqa: SIM118 - no __iter__
    used = [(p.num_requests, p.num_connections) for p in pools if p.num_requests]
    assert used == [(4, 1)]  # the token and three scores, over one connection
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(ags.thread_session()))
    worker.start()
    worker.join()
    assert seen and seen[0] is not session  # another thread, another session: a Session is not shared


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (429, True), (500, True), (403, False), (422, False)])
def test_platform_errors_are_classified(tool, graded, status, retryable):
    _, target = graded
    with LiveServer(_outage_app(status)) as outage, tool.app.app_context():
        result = send_score(_retarget(target, f"{outage.url}/lineitems/1"), _score())
    assert (result.ok, result.status_code, result.retryable, result.conflict) == (False, status, retryable, False)
    assert "platform trouble" in result.detail


def test_network_error_is_retryable_and_unknown_lineitem_is_not(tool, graded):
    lms, target = graded
    with LiveServer(_outage_app(200)) as closed:
        dead_url = f"{closed.url}/lineitems/1"
    with tool.app.app_context():
        result = send_score(_retarget(target, dead_url), _score())
        assert (result.ok, result.status_code, result.retryable) == (False, None, True)
        missing = send_score(_retarget(target, lms.lineitem_url("nope")), _score())
        assert (missing.ok, missing.status_code, missing.retryable) == (False, 404, False)


def test_bad_scores_are_refused_before_any_request(tool, graded):
    lms, target = graded
    with tool.app.app_context():
        assert not send_score(target, _score(timestamp="2024-01-01T00:00:00")).ok  # no timezone
        assert not send_score(target, _score(timestamp="yesterday")).ok
        assert not send_score(target, _score(score_given=101.0)).ok
    assert lms.store.state.scores == [] and lms.store.state.tokens_issued == 0


def test_unregistered_platform_is_not_retryable(tool, graded):
    _, target = graded
    stranger = AgsTarget("https://nobody.example", "x", "1", target.lineitem_url, target.user_sub)
    with tool.app.app_context():
        result = send_score(stranger, _score())
    assert not result.ok and not result.retryable and "not registered" in result.detail


def test_scores_url_keeps_the_query_string():
    assert scores_url("https://canvas.example/api/lti/courses/1/line_items/2?x=1") == \
        "https://canvas.example/api/lti/courses/1/line_items/2/scores?x=1"
    assert scores_url("https://moodle.example/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3") == \
        "https://moodle.example/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=3"


def _retarget(target: AgsTarget, url: str) -> AgsTarget:
    return AgsTarget(target.issuer, target.client_id, target.deployment_id, url, target.user_sub,
                     target.platform_family)


def test_refused_cached_token_is_replaced_once(tool, graded):
    lms, target = graded
    with tool.app.app_context():
        assert send_score(target, _score(0)).ok
        lms.store.rotate_key()  # the platform no longer honours tokens it signed before
        result = send_score(target, _score(2))
    assert result.ok, result.detail
    assert lms.store.state.tokens_issued == 2
    assert [s.status for s in lms.store.state.scores] == [200, 200]


def test_platform_registered_again_gets_a_token_from_its_new_server(tool, make_lms, browser):
    """Every Canvas shares one issuer: a registration moved to another token URL must not reuse a token
    the old authorisation server minted."""
    before = make_lms("canvas", tool)
    link = before.store.state.links[add_activity(browser, before)]
    with tool.app.app_context():
        assert send_score(AgsTarget(before.issuer, before.client_id, before.deployment_id,
                                    before.lineitem_url(link.lineitem_id), before.users[1].id, "canvas"), _score()).ok

    after = make_lms("canvas", tool)  # `flask platforms add` again: same issuer and client id, new URLs and keys
    assert (after.issuer, after.client_id) == (before.issuer, before.client_id)
    link = after.store.state.links[add_activity(browser, after)]
    with tool.app.app_context():
        assert send_score(AgsTarget(after.issuer, after.client_id, after.deployment_id,
                                    after.lineitem_url(link.lineitem_id), after.users[1].id, "canvas"), _score(2)).ok
    assert (after.store.state.tokens_issued, after.store.state.tokens_refused) == (1, 0)
    assert [s.status for s in after.store.state.scores] == [200]
