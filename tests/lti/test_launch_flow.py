"""Full LTI 1.3 round trips over real HTTP between the tool and a Canvas- or Moodle-shaped platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from grader.scoring import band_for, letter_for
from lti_app.lti.ags import AgsTarget, ScoreToSend, send_score
from lti_app.lti.launch_store import load_launch
from lti_app.lti.nrps import fetch_roster
from lti_app.models.lti import LtiLaunch, LtiUsedNonce
from tests.lti.conftest import add_activity


def _launch_id_from(response) -> str:
    assert response.status_code == 302, response.text[:500]
    location = response.headers["Location"]
    assert "launch_id=" in location or "/" in location
    return location.split("launch_id=")[-1].split("&")[0] if "launch_id=" in location else location.rsplit("/", 1)[-1]


def _latest_context(tool, user_sub: str):
    from lti_app.extensions import db

    with tool.app.app_context():
        record = db.session.scalars(
            db.select(LtiLaunch).filter_by(user_sub=user_sub, message_type="LtiResourceLinkRequest")
            .order_by(LtiLaunch.created_at.desc())
        ).first()
        assert record is not None
        return load_launch(record.launch_id)


def test_deep_link_then_student_and_instructor_launches(tool, lms, browser):
    link_id = add_activity(browser, lms, phase="difficult_client", difficulty="hard", time_limit="45",
                           max_attempts="3", grade_policy="latest", title="Week 1 orientation")
    link = lms.store.state.links[link_id]
    # The ltiResourceLink came back with custom parameters naming the activity (only the options its phase
    # honours: the Difficult Client's coding task in the picker's first language, Python) and a line item.
    assert {k: v for k, v in link.custom.items() if k != "activity_key"} == {
        "phase": "difficult_client", "difficulty": "hard", "time_limit": "45", "max_attempts": "3",
        "grade_policy": "latest", "submission_policy": "best", "max_submits": "10", "language": "python"}
    assert len(link.custom["activity_key"]) == 36
    lineitem = lms.store.state.lineitems[link.lineitem_id]
    assert (lineitem.score_maximum, lineitem.label, lineitem.resource_id, lineitem.tag) == (
        100, "Week 1 orientation", link.custom["activity_key"], "coderesidency")
    assert link.url == f"{tool.url}/lti/launch"

    student = lms.users[1]
    response = browser.launch(lms.base_url, student.id, link=link_id)
    assert response.status_code == 302, response.text[:500]
    ctx = _latest_context(tool, student.id)
    assert ctx.user_sub == student.id and ctx.user_name == student.name and ctx.user_email == student.email
    assert not ctx.is_instructor
    assert ctx.platform_family == lms.shape
    assert ctx.issuer == lms.issuer and ctx.client_id == lms.client_id and ctx.deployment_id == lms.deployment_id
    assert ctx.resource_link_id == link_id and ctx.context_id == "course-se101"
    assert ctx.custom["activity_key"] == link.custom["activity_key"]
    assert ctx.ags_lineitem_url == lms.lineitem_url(link.lineitem_id)
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in ctx.ags_scopes
    assert ctx.nrps_memberships_url == lms.memberships_url
    assert ctx.return_url == lms.url("/")
    assert ctx.launch_id in response.headers["Location"]

    instructor = lms.users[0]
    response = browser.launch(lms.base_url, instructor.id, link=link_id)
    assert response.status_code == 302, response.text[:500]
    assert _latest_context(tool, instructor.id).is_instructor


def test_ags_score_reaches_platform_with_letter_in_band(tool, lms, browser):
    link_id = add_activity(browser, lms)
    student = lms.users[2]
    browser.launch(lms.base_url, student.id, link=link_id)
    ctx = _latest_context(tool, student.id)
    target = AgsTarget(ctx.issuer, ctx.client_id, ctx.deployment_id, ctx.ags_lineitem_url, ctx.user_sub,
                       ctx.platform_family)
    score = 87.5
    letter = letter_for(score)
    now = datetime.now(UTC).replace(microsecond=0)
    with tool.app.app_context():
        result = send_score(target, ScoreToSend(
            score_given=score, score_maximum=100, comment=f"Grade {letter}: solid orientation",
            timestamp=now.isoformat(), canvas_submission={"submitted_at": now.isoformat()},
        ))
    assert result.ok, result.detail
    received = lms.store.state.scores[-1]
    assert received.status == 200 and received.user_id == student.id
    low, high = band_for(received.payload["comment"].split()[1].rstrip(":"))
    assert low <= received.payload["scoreGiven"] < high or received.payload["scoreGiven"] == 100
    assert received.payload["comment"].startswith(f"Grade {letter}:")
    assert received.payload["scoreMaximum"] == 100
    assert received.payload["activityProgress"] == "Completed"
    assert received.payload["gradingProgress"] == "FullyGraded"
    assert received.payload["timestamp"] == now.isoformat()
    has_canvas_ext = "https://canvas.instructure.com/lti/submission" in received.payload
    assert has_canvas_ext == (lms.shape == "canvas")

    # Same timestamp again: Moodle answers 409 ("not newer"), Canvas accepts an equal one.
    with tool.app.app_context():
        again = send_score(target, ScoreToSend(90, 100, "Grade A: again", now.isoformat()))
    if lms.shape == "moodle":
        assert (again.ok, again.conflict, again.status_code, again.retryable) == (False, True, 409, False)
    else:
        assert again.ok
    # An older timestamp: Canvas answers 400, which is not retryable and not a conflict.
    with tool.app.app_context():
        older = send_score(target, ScoreToSend(90, 100, "Grade A: old", (now - timedelta(hours=1)).isoformat()))
    assert not older.ok and not older.retryable
    assert older.status_code == (409 if lms.shape == "moodle" else 400)
    assert older.conflict == (lms.shape == "moodle")
    # Everything was recorded by the platform, refused ones included.
    assert [s.status for s in lms.store.state.scores] == (
        [200, 409, 409] if lms.shape == "moodle" else [200, 200, 400]
    )


def test_nrps_roster_follows_pagination(tool, lms, browser):
    link_id = add_activity(browser, lms)
    browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    ctx = _latest_context(tool, lms.users[0].id)
    with tool.app.app_context():
        roster = fetch_roster(ctx.issuer, ctx.client_id, ctx.deployment_id, ctx.nrps_memberships_url)
    assert [m.user_sub for m in roster] == [u.id for u in lms.users]  # 4 members over 2 pages of 2
    assert roster[1].name == lms.users[1].name and roster[1].email == lms.users[1].email
    assert any(r.endswith("#Instructor") for r in roster[0].roles)
    assert all(any(r.endswith("#Learner") for r in m.roles) for m in roster[1:])


def test_platform_key_rotation_is_picked_up_by_one_refetch(tool, lms, browser):
    link_id = add_activity(browser, lms)
    lms.store.rotate_key()  # the tool still caches the old key set
    response = browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    assert response.status_code == 302, response.text[:500]


def test_tool_key_rotation_keeps_old_key_published_until_retired(tool, lms, browser):
    first = browser.get(f"{tool.url}/lti/jwks.json").json()["keys"]
    assert len(first) == 1 and first[0]["alg"] == "RS256" and "d" not in first[0]
    rotated = tool.cli("keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    kids = [k["kid"] for k in browser.get(f"{tool.url}/lti/jwks.json").json()["keys"]]
    assert kids[0] == first[0]["kid"] and len(kids) == 2
    # Signing uses the new key: a deep-linking response verifies against the published set.
    link_id = add_activity(browser, lms)
    assert link_id in lms.store.state.links
    retired = tool.cli("keys", "retire", f"--kid={first[0]['kid']}")
    assert retired.exit_code == 0, retired.output
    assert [k["kid"] for k in browser.get(f"{tool.url}/lti/jwks.json").json()["keys"]] == kids[1:]
    refused = tool.cli("keys", "retire", "--kid", kids[1])
    assert refused.exit_code != 0 and "active key" in refused.output


def test_deep_link_response_is_signed_by_the_tool(tool, lms, browser):
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    from tests.support.browser import forms_in

    response = browser.submit_form(picker, {"phase": "acknowledge", "max_attempts": "1"})
    token = forms_in(response.text)[0]["fields"]["JWT"]
    header = jwt.get_unverified_header(token)
    keys = {k["kid"]: k for k in browser.get(f"{tool.url}/lti/jwks.json").json()["keys"]}
    key = jwt.PyJWK(keys[header["kid"]]).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=lms.issuer)
    assert claims["iss"] == lms.client_id
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"]["opaque"]  # echoed back
    item = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["type"] == "ltiResourceLink" and item["lineItem"]["scoreMaximum"] == 100


def test_nonce_and_launch_rows_written_once_per_launch(tool, lms, browser):
    link_id = add_activity(browser, lms)
    before = (tool.count(LtiLaunch), tool.count(LtiUsedNonce))
    browser.launch(lms.base_url, lms.users[3].id, link=link_id)
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == (before[0] + 1, before[1] + 1)
