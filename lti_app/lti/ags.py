"""AGS score passback for the worker: ``send_score(target, score) -> SendResult``.

AGS has no letter field: the caller puts the letter in ``comment`` and a score inside the letter's band.
The result says whether to retry: network/5xx/429 yes, other 4xx no; Moodle's 409 ("not newer than the
last score") is reported as ``conflict=True`` so the caller can treat the platform as already up to date.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from lti_app.lti.service_token import ServiceTokenError, access_token, forget_token

log = logging.getLogger("lti_app.lti.ags")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
CANVAS_SUBMISSION_EXTENSION = "https://canvas.instructure.com/lti/submission"
HTTP_TIMEOUT = 20
# One HTTP session per worker thread (a Session is not meant to be shared between threads): a burst of grades to one
# platform reuses its connections instead of opening one per score. A connection the platform has closed is noticed
# before reuse; one lost in flight is a network error, which the passback retries.
_thread_http = threading.local()


def thread_session() -> requests.Session:
    session = getattr(_thread_http, "session", None)
    if session is None:
        session = _thread_http.session = requests.Session()
    return session


@dataclass(frozen=True)
class AgsTarget:
    issuer: str
    client_id: str
    deployment_id: str
    lineitem_url: str
    user_sub: str
    platform_family: str = "generic"


@dataclass(frozen=True)
class ScoreToSend:
    score_given: float
    score_maximum: float
    comment: str
    timestamp: str  # ISO 8601 with a timezone; must increase between sends for the same user and line item
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"
    # Sent as https://canvas.instructure.com/lti/submission on Canvas only (e.g. submitted_at, new_submission).
    canvas_submission: dict[str, Any] | None = field(default=None)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None
    retryable: bool
    detail: str
    conflict: bool = False  # Moodle 409: the platform already holds a score at least as new


def scores_url(lineitem_url: str) -> str:
    """The line item URL with ``/scores`` appended to its path (query string preserved, as Canvas needs)."""
    base, sep, query = lineitem_url.partition("?")
    return f"{base.rstrip('/')}/scores" + (f"?{query}" if sep else "")


def score_payload(target: AgsTarget, score: ScoreToSend) -> dict[str, Any]:
    _check_timestamp(score.timestamp)
    payload: dict[str, Any] = {
        "userId": target.user_sub,
        "scoreGiven": score.score_given,
        "scoreMaximum": score.score_maximum,
        "comment": score.comment,
        "timestamp": score.timestamp,
        "activityProgress": score.activity_progress,
        "gradingProgress": score.grading_progress,
    }
    if score.canvas_submission and target.platform_family == "canvas":
        payload[CANVAS_SUBMISSION_EXTENSION] = score.canvas_submission
    return payload


def _check_timestamp(value: str) -> None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {value!r} is not ISO 8601") from None
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no timezone")


def send_score(target: AgsTarget, score: ScoreToSend, session: requests.Session | None = None) -> SendResult:
    """POST one score to the line item. Never raises for platform or network trouble; see SendResult."""
    if not 0 <= score.score_given <= score.score_maximum or score.score_maximum <= 0:
        return SendResult(False, None, False, f"score {score.score_given}/{score.score_maximum} is out of range")
    try:
        payload = score_payload(target, score)
    except ValueError as exc:
        return SendResult(False, None, False, str(exc))
    session = session or thread_session()
    for attempt in (1, 2):  # one retry with a fresh token when the cached one was refused
        try:
            token = access_token(target.issuer, target.client_id, [SCORE_SCOPE], session)
        except ServiceTokenError as exc:
            return SendResult(False, exc.status_code, exc.retryable, f"access token: {exc}")
        try:
            response = session.post(
                scores_url(target.lineitem_url),
                data=json.dumps(payload),
                headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
                timeout=HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            return SendResult(False, None, True, f"network error: {exc}")
        if response.status_code == 401 and attempt == 1:
            forget_token(target.issuer, target.client_id, [SCORE_SCOPE])
            continue
        break
    return _classify(target, response)


def _classify(target: AgsTarget, response: requests.Response) -> SendResult:
    code = response.status_code
    body = response.text[:500]
    if 200 <= code < 300:
        return SendResult(True, code, False, body or "accepted")
    if code == 409:
        # Moodle: timestamp not newer than the stored one. Not an error to retry: the platform is ahead.
        return SendResult(False, code, False, f"not newer than the platform's score: {body}", conflict=True)
    retryable = code >= 500 or code == 429
    log.warning("AGS score refused issuer=%s status=%s body=%s", target.issuer, code, body)
    return SendResult(False, code, retryable, f"HTTP {code}: {body}")
