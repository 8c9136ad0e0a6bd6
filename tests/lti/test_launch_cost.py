"""What a launch costs the database: one commit per request, one read per launch (the platform looked up once), no
savepoint, no signing key loaded (a launch only verifies), and no purge of expired rows on the way (the reconciler
does that)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urljoin

import pytest
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from lti_app.models.lti import LtiLoginState, utcnow
from tests.lti.conftest import plain_link


class _Ledger:
    """SQL statements and commits made while the tool answered requests, by request path."""

    def __init__(self) -> None:
        self.statements: dict[str, list[str]] = {}
        self.commits: dict[str, int] = {}

    def _path(self) -> str | None:
        return request.path if has_request_context() else None

    def statement(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        path = self._path()
        if path is not None:
            self.statements.setdefault(path, []).append(" ".join(statement.split()))

    def commit(self, _conn) -> None:  # type: ignore[no-untyped-def]
        path = self._path()
        if path is not None:
            self.commits[path] = self.commits.get(path, 0) + 1

    def clear(self) -> None:
        self.statements.clear()
        self.commits.clear()


@pytest.fixture
def ledger() -> Iterator[_Ledger]:
    book = _Ledger()
    event.listen(Engine, "before_cursor_execute", book.statement)
    event.listen(Engine, "commit", book.commit)
    yield book
    event.remove(Engine, "before_cursor_execute", book.statement)
    event.remove(Engine, "commit", book.commit)


@pytest.mark.parametrize("shape", ["canvas", "moodle"])
def test_login_and_launch_commit_once_each(tool, make_lms, browser, ledger, shape):
    from lti_app.extensions import db

    lms = make_lms(shape, tool)
    link_id = plain_link(lms, phase="difficult_client")
    with tool.app.app_context():  # an expired login left behind: the login must not pay for deleting it
        db.session.add(LtiLoginState(state="state-old", nonce="n", issuer=lms.issuer, client_id=lms.client_id,
                                     login_params={}, created_at=utcnow() - timedelta(hours=1),
                                     expires_at=utcnow() - timedelta(minutes=50)))
        db.session.commit()
    browser.launch(lms.base_url, lms.users[0].id, link=link_id)  # the first launch fetches the platform's keys
    ledger.clear()

    for student in lms.users[1:3]:
        first = browser.launch(lms.base_url, student.id, link=link_id)  # a student's first launch: a new attempt
        assert first.status_code == 302, first.text[:300]
        page = browser.get(urljoin(tool.url, first.headers["Location"]))
        assert page.status_code == 200
        again = browser.launch(lms.base_url, student.id, link=link_id)  # the same attempt again
        assert again.status_code == 302

        assert ledger.commits == {"/lti/login": 2, "/lti/launch": 2}, ledger.commits  # none for the page
        launch_sql = ledger.statements["/lti/launch"]
        reads = [s for s in launch_sql if s.startswith("SELECT")]
        # One read per launch: the nonce, the login state, the platform with the deployment, and what the launch
        # leads to (course, activity, user, latest attempt, accommodation).
        assert len(reads) == 2
        assert all(all(table in s for table in ("lti_used_nonces", "lti_login_states", "lti_platforms",
                                                "lti_deployments", "course", "user_account", "attempt",
                                                "accommodation")) for s in reads)
        assert not any("lti_tool_keys" in s for s in launch_sql)  # verifying needs no signing key
        assert not any("SAVEPOINT" in s for s in launch_sql)  # new rows: INSERT … ON CONFLICT DO NOTHING
        assert not any("FROM accommodation" in s for s in launch_sql)  # read with the launch's rows
        # The first page reads its launch with the accommodation, and whether there is a grade, a submission or a
        # draft (there is none yet): none of them is looked up on its own.
        page_sql = ledger.statements[first.headers["Location"]]
        assert not any(table in s for s in page_sql[1:] for table in ("FROM accommodation", "FROM draft",
                                                                       "FROM grade", "FROM passback", "count(",
                                                                       "FROM submission"))
        login_sql = ledger.statements["/lti/login"]
        assert not any(s.startswith("DELETE") for s in login_sql)
        assert sum("FROM lti_platforms" in s for s in login_sql) == 2
        ledger.clear()

    with tool.app.app_context():
        assert db.session.get(LtiLoginState, "state-old") is not None  # left to the reconciler
