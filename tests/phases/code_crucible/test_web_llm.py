"""The Code Crucible with an LLM configured (a scripted OpenAI-compatible server over real HTTP, the real local
sandbox, the in-process queue): a launch never waits for a model; it writes a request for a generated variant
that the first page view (or else the reconciler) queues and the worker verifies; later launches may be served
the accepted variant, whose reference passes its own hidden tests through the web; a proposal out of range is
refused and the stored variants go on being served; offline nothing of this happens. And a Submit's result
carries the model's review only when it passed its checks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import CrucibleVariant
from tests.phases.code_crucible.web_fixtures import (
    CC_CUSTOM,
    cc_session_fixture,  # noqa: F401  (the cc_session fixture)
    student_file,
)
from tests.support.fake_openai import FakeOpenAI

PARKING = {**CC_CUSTOM, "scenario": "parking_fees", "language": "python,javascript"}
NEW_VALUES = {"hourly_rate": 5, "daily_cap": 30, "free_minutes": 25}
REVIEW = ("Your receipt lines are built cleanly and both visible examples pass. The failing hidden tests are tagged "
          "requirement and rounding: reread the statement and check how you turn cents into dollars.")


def model(variant: dict | None = None, review: str = REVIEW):  # type: ignore[no-untyped-def]
    """A behaviour answering the variant generator and the reviewer, each by its own prompt."""

    def behaviour(body):  # type: ignore[no-untyped-def]
        system = body["messages"][0]["content"]
        if "new variant" in system:
            return 200, json.dumps({"values": variant or NEW_VALUES}), 0.0
        if "mentoring" in system:
            return 200, json.dumps({"review": review}), 0.0
        return 500, "", 0.0

    return behaviour


def llm_app(make_app, llm):  # type: ignore[no-untyped-def]
    return make_app(CR_LLM_PROVIDER="openai", CR_LLM_BASE_URL=llm.base_url, CR_LLM_MODEL="fake",
                    CR_LLM_TIMEOUT="5", CR_LLM_MAX_RETRIES="0")


def rows(app) -> list[CrucibleVariant]:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = db.session.query(CrucibleVariant).order_by(CrucibleVariant.id).all()
        db.session.expunge_all()
        return found


def work_the_queue(app) -> None:  # type: ignore[no-untyped-def]
    """What the reconciler does every few seconds: queue the rows no job carries yet; then let the queue run."""
    from worker.reconciler import reconcile

    with app.app_context():
        reconcile(get_dispatcher(app), timedelta(minutes=5))
    assert get_dispatcher(app).drain(120)


def test_a_generated_variant_is_verified_ahead_and_served_to_a_later_student(cc_session, make_app, monkeypatch,
                                                                            seed_launch):
    from lti_app.phases.code_crucible import variants

    with FakeOpenAI() as llm:
        llm.behaviour = model()
        app = llm_app(make_app, llm)
        first = cc_session(app, custom=PARKING)  # the launch: its attempt and a variant request, one transaction
        assert "generated" not in first.attempt_row().state  # nothing cached yet: a stored variant, no waiting
        (request,) = rows(app)
        assert request.status == "queued" and request.enqueued_at is None and request.task_id == "parking_fees"
        assert llm.requests == []
        assert first.page().status_code == 200  # the first page view queues the request
        assert get_dispatcher(app).drain(120)
        (done,) = rows(app)
        assert done.status == "done" and done.accepted, done.reason
        assert done.values == NEW_VALUES and len(done.variant["hidden"]) == len(first.exercise().hidden)

        monkeypatch.setattr(variants, "_draw", lambda key, stored, generated: stored)  # this student: generated
        second = cc_session(app, custom=PARKING)
        page = second.page().get_data(as_text=True)
        state = second.attempt_row().state
        assert state["generated"]["id"] == done.id and dict(second.exercise().values) == NEW_VALUES
        assert "$5 for every started hour" in page and "$30" in page and "first 25 minutes" in page
        assert "cr:param" not in page and second.exercise().reference.split("\n")[-3] not in page
        switched = second.switch("javascript")  # the same generated variant in another language
        assert switched.status_code == 200, switched.get_data(as_text=True)
        assert dict(second.exercise().values) == NEW_VALUES and second.exercise().language == "javascript"
        # The variant's own reference passes every hidden test through the web: its expected values are real.
        result = second.submit(second.exercise().reference)["result"]
        assert result["hidden"]["passed"] == result["hidden"]["total"]
        assert len(rows(app)) == 2  # still fewer than TARGET accepted: the second launch asked for one more
        inst = seed_launch(app, role="Instructor", custom=PARKING)
        looked = second.client.get(f"/i/{inst}/attempts/{second.attempt_row().id}").get_data(as_text=True)
        assert f"a variant generated by the LLM\n    and verified in the sandbox (request #{done.id})" in looked
        assert len([r for r in llm.requests if "new variant" in r["messages"][0]["content"]]) == 1


def test_a_proposal_out_of_range_is_refused_and_the_stored_variants_stay(cc_session, make_app, monkeypatch):
    from lti_app.phases.code_crucible import variants

    with FakeOpenAI() as llm:
        llm.behaviour = model({"hourly_rate": 999, "daily_cap": 30, "free_minutes": 25})
        app = llm_app(make_app, llm)
        cc_session(app, custom=PARKING)  # never viewed: the reconciler queues the launch's request
        work_the_queue(app)
        (refused,) = rows(app)
        assert refused.status == "done" and not refused.accepted and "invalid" in refused.reason
        assert refused.key is None and refused.variant is None
        monkeypatch.setattr(variants, "_draw", lambda key, stored, generated: stored + generated - 1)
        later = cc_session(app, custom=PARKING)
        later.page()
        assert "generated" not in later.attempt_row().state
        stored = [(3, 20, 15), (4, 25, 10), (2, 15, 20)]
        assert tuple(dict(later.exercise().values).values()) in stored
    assert len(refused.llm_calls) == 2  # asked, then asked once to repair


def test_offline_no_variant_is_requested_and_no_review_is_written(cc_session):
    s = cc_session(custom=PARKING)
    s.page()
    assert rows(s.app) == [] and "generated" not in s.attempt_row().state


@pytest.mark.parametrize("review, shown", [
    (REVIEW, True),
    ("You scored 40 points, a D. The failing hidden tests are tagged requirement; keep going and fix them.", False),
], ids=["checked", "grade-talk"])
def test_a_submit_carries_the_review_only_when_it_passes_its_checks(cc_session, make_app, review, shown):
    with FakeOpenAI() as llm:
        llm.behaviour = model(review=review)
        s = cc_session(llm_app(make_app, llm))
        s.page()
        result = s.submit(student_file("partial"))["result"]
        assert result["feedback"]  # the offline mentor's lines are always there
        assert ("review" in result) is shown and (result.get("review") == review) is shown
        asked = [r for r in llm.requests if "mentoring" in r["messages"][0]["content"]]
        assert len(asked) == 1 and "<<<CODE>>>" in asked[0]["messages"][1]["content"]
