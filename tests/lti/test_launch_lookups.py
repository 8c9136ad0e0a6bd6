"""What a launch reads in one query, and a page with its launch's rows, is read afresh by every request: a
registration or deployment removed since the last launch is refused, and an accommodation or grade written
since (or earlier in the same request) is what the page goes by."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import delete, update

from lti_app.extensions import db
from lti_app.models import Accommodation, Activity, Attempt, Draft, GradeRow, User
from lti_app.models.lti import LtiDeployment, LtiLaunch, LtiPlatform, LtiUsedNonce
from tests.lti.conftest import plain_link
from tests.lti.test_rejections import _assert_refused, _legit_form


def _launch_counts(tool) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return tool.count(LtiLaunch), tool.count(LtiUsedNonce)


@pytest.mark.parametrize("removed, code", [
    ((LtiDeployment,), "unknown_deployment"),  # the deployment only
    ((LtiDeployment, LtiPlatform), "unknown_issuer"),  # the whole registration
], ids=["deployment", "registration"])
def test_a_registration_changed_after_the_login_is_refused_at_the_launch(tool, lms, browser, removed, code):
    link_id = plain_link(lms)
    assert browser.launch(lms.base_url, lms.users[0].id, link=link_id).status_code == 302  # the lookups are warm
    fields, action = _legit_form(browser, lms, link_id)  # the login is accepted: the deployment is registered
    with tool.app.app_context():
        for model in removed:
            db.session.execute(db.delete(model))
        db.session.commit()
    counts = _launch_counts(tool)
    response = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, response, code, 403)
    assert _launch_counts(tool) == counts


def _ids(app, launch_id: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
        assert attempt is not None
        return attempt.activity_id, attempt.user_id


def test_an_accommodation_given_between_two_page_loads_counts_on_the_second(make_app, seed_launch):
    app = make_app()
    launch_id = seed_launch(app)  # acknowledge, two attempts
    client = app.test_client()
    page = html.unescape(client.get(f"/a/{launch_id}").get_data(as_text=True))
    assert "This is attempt 1 of 2; you can start 1 more after it." in page
    activity_id, user_id = _ids(app, launch_id)
    with app.app_context():
        db.session.add(Accommodation(activity_id=activity_id, user_id=user_id, extra_attempts=2))
        db.session.commit()
    page = html.unescape(client.get(f"/a/{launch_id}").get_data(as_text=True))
    assert "This is attempt 1 of 4; you can start 3 more after it." in page


def test_rows_kept_for_a_request_follow_what_it_writes(make_app, seed_launch):
    """An accommodation, grade or draft written after the launch's rows were read, through the unit of work or by
    a statement, is never answered from what was kept."""
    from lti_app.access import kept_accommodation, kept_attempt_facts, kept_graded, require_launch
    from lti_app.workbench.accommodations import accommodation_for
    from lti_app.workbench.drafts import draft_of

    app = make_app()
    launch_id = seed_launch(app)
    activity_id, user_id = _ids(app, launch_id)
    with app.test_request_context():
        require_launch(launch_id)
        assert kept_accommodation(activity_id, user_id) == (True, None)  # read with the launch: there is none
        assert kept_graded(activity_id, user_id) is False
        assert kept_accommodation(activity_id, user_id + 1) == (False, None)  # another learner: not kept

        row = Accommodation(activity_id=activity_id, user_id=user_id, extra_attempts=1)
        db.session.add(row)  # pending, not yet flushed: not answered from the kept rows
        assert kept_accommodation(activity_id, user_id) == (False, None)
        assert accommodation_for(activity_id, user_id) is row  # the query's autoflush writes it
        db.session.commit()

        require_launch(launch_id)
        assert accommodation_for(activity_id, user_id).extra_attempts == 1  # type: ignore[union-attr]
        db.session.execute(update(Accommodation).where(Accommodation.id == row.id).values(extra_attempts=3))
        assert kept_accommodation(activity_id, user_id) == (False, None)  # a statement on the table
        assert accommodation_for(activity_id, user_id).extra_attempts == 3  # type: ignore[union-attr]

        assert kept_graded(activity_id, user_id) is False
        db.session.execute(update(GradeRow).where(GradeRow.id == -1).values(score=0))
        assert kept_graded(activity_id, user_id) is None  # ask the database again
        db.session.rollback()

        require_launch(launch_id)
        attempt = _latest_attempt_id()
        assert kept_attempt_facts(attempt) == (False, False)  # no submission, no draft
        assert draft_of(attempt) is None
        draft = Draft(attempt_id=attempt, source="print(1)", stdin="", revision=1)
        db.session.add(draft)
        assert kept_attempt_facts(attempt) == (None, None)  # a draft waits unflushed
        assert draft_of(attempt) is draft
        db.session.commit()
        require_launch(launch_id)
        assert kept_attempt_facts(attempt) == (False, True)
        db.session.execute(delete(Draft).where(Draft.attempt_id == attempt))
        assert kept_attempt_facts(attempt) == (None, None)  # a statement on the table
        assert draft_of(attempt) is None
        db.session.rollback()


def _latest_attempt_id() -> int:
    return db.session.scalars(db.select(Attempt.id).order_by(Attempt.id.desc())).first()  # type: ignore[return-value]


def test_the_launch_inserts_new_rows_once_and_tolerates_them_taken(make_app, seed_launch):
    """A learner's row made by a concurrent launch (the insert finds it taken) is found and used."""
    from lti_app.launches import _insert_unless_taken

    app = make_app()
    seed_launch(app, sub="learner-1")
    with app.app_context():
        activity = db.session.scalars(db.select(Activity)).one()
        values = {"issuer": "https://platform.example", "sub": "learner-1", "name": "x", "email": ""}
        assert _insert_unless_taken(User, values) is None  # taken: nothing written, nothing raised
        made = _insert_unless_taken(User, {**values, "sub": "learner-2"})
        assert made is not None and made.id and made in db.session and not db.session.dirty
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
        # The one open attempt per learner: a second open one is not inserted.
        first = db.session.scalars(db.select(Attempt)).one()
        again = {"activity_id": activity.id, "user_id": first.user_id, "number": 2, "status": "open",
                 "state": {}, "started_at": first.started_at, "deadline_at": None, "closed_at": None}
        assert _insert_unless_taken(Attempt, again) is None
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1
