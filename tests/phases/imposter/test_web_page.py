"""The Imposter's page and routes through the app (the in-process queue, the real local sandbox): the page with the
team, the history as a plain list and the graph API, diffs (the team's and the student's own), the author filter,
the terminal's git (bisect run, revert, push; a force push), pushes recorded after every command, the report with
each field's error, Finish and the grade read from the shared remote, the deadline, bad input, and the
instructor's section."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from lti_app.extensions import db
from lti_app.models import Attempt, Evaluation, GradeRow, utcnow
from tests.phases.imposter.test_web_support import (
    BISECT,
    IM_CUSTOM,
    im_session_fixture,  # noqa: F401  (the im_session fixture)
)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _items(row) -> dict[str, float]:
    return {i["item"]: i["points"] for i in row.breakdown}


def test_the_page_the_graph_diffs_and_the_author_filter(im_session):
    s = im_session()
    state = s.attempt_row().state
    page = s.page()
    assert page.status_code == 200
    text = _text(page)
    assert f"The Imposter: {state['title']}" in text and state["incident"] in text
    for member in state["team"]:
        assert member["name"] in text and member["email"] in text and member["habits"] in text
    for script in ("diff.bundle.js", "terminal.bundle.js", "terminal.js", "clock.js", "imposter.js",
                   "editor.bundle.js"):
        assert script in text
    assert "<script>" not in text  # no inline script: CSP script-src 'self'
    assert "data-terminal" in text and 'data-host="team-repo"' in text and "Time limit: 20 minutes." in text
    assert text.count('<tr data-commit="') == len(state["repo"]["commits"])  # the plain list, without JavaScript

    graph = s.graph()
    assert [c["sha"] for c in graph["commits"]][0] == state["repo"]["head"]
    assert len(graph["commits"]) == len(state["repo"]["commits"]) and graph["lanes"] >= 2
    assert any(c["merge"] for c in graph["commits"]) and graph["commits"][0]["refs"] == ["origin/main", "main", "HEAD"]
    assert {a["name"] for a in graph["authors"]} >= {m["name"] for m in state["team"]}

    target = graph["commits"][3]
    shown = s.diff(target["sha"][:8])
    assert shown.status_code == 200
    body = shown.get_json()
    assert body["sha"] == target["sha"] and body["author"] == target["author"]
    assert body["patch"].startswith("diff --git")
    assert body["files"] and all({"path", "added", "removed"} <= set(f) for f in body["files"])
    commit_page = s.page(f"/imposter/commits/{target['sha'][:10]}")  # the page version, for the plain list
    assert commit_page.status_code == 200 and target["subject"] in _text(commit_page)
    raw = commit_page.get_data(as_text=True)
    assert 'class="im-add"' in raw or 'class="im-del"' in raw
    merge = next(c for c in graph["commits"] if c["merge"])
    assert s.diff(merge["sha"]).get_json()["parents"] == merge["parents"]

    # Bad names: not hex, unknown, ambiguous (4 characters), too long.
    assert s.diff("zzzzzzz").status_code == 400 and s.diff("zzzzzzz").get_json()["error"] == "invalid_commit"
    unknown = s.diff("0000000")
    assert unknown.status_code == 404 and unknown.get_json() == {
        "error": "unknown_commit", "detail": "There is no commit 0000000 in this repository."}
    assert s.diff("a" * 65).status_code == 400

    # The author filter: recorded (API and the plain list's ?author=); an unknown author is refused.
    bob = next(a for a in graph["authors"] if a["name"].startswith("Bob"))
    chosen = s.post(s.api("imposter/filter"), {"author": bob["email"]})
    assert chosen.status_code == 200 and chosen.get_json() == {"author": bob["email"], "name": bob["name"]}
    assert s.post(s.api("imposter/filter"), {"author": "mallory@example.com"}).get_json()["error"] == "unknown_author"
    filtered = _text(s.page(f"?author={bob['email']}"))
    bobs = [c for c in graph["commits"] if c["email"] == bob["email"]]
    assert filtered.count('<tr data-commit="') == len(bobs) and f"by {bob['name']}" in filtered
    s.post(s.api("imposter/filter"), {"author": ""})
    explored = s.attempt_row().state["explored"]
    assert explored["opened"] == [target["sha"], merge["sha"]]
    assert explored["filters"] == [bob["name"], "everyone"]  # each change once


def test_bisect_revert_push_report_finish_and_the_grade(im_session):
    s = im_session()
    truth = s.truth()
    found = s.bisect()
    assert found == truth["sabotage"]  # the tests, bisected, point at it like at any commit
    assert s.run("python3 -m unittest 2>&1 | tail -1", ok=False)["output"].startswith("FAILED")
    reverted = s.run(f"git revert --no-edit {found[:10]} && python3 -m unittest 2>&1 | tail -1")
    assert reverted["output"].rstrip().endswith("OK") and reverted["remote_changed"] is False
    graph = s.graph()
    mine = [c for c in graph["commits"] if c["new"]]
    assert len(mine) == 1 and mine[0]["refs"] == ["main", "HEAD"] and mine[0]["author"] == "You"
    assert s.diff(mine[0]["sha"]).get_json()["patch"].startswith("diff --git")  # the student's own commit
    pushed = s.run("git push origin main 2>&1")
    assert pushed["remote_changed"] is True
    state = s.attempt_row().state
    (update,) = state["remote"]["updates"]
    assert update["fast_forward"] and not update["rewrote"] and update["after"] == mine[0]["sha"]
    assert state["remote"]["head"] == mine[0]["sha"] and update["command"] is not None
    assert s.graph()["commits"][0]["refs"] == ["origin/main", "main", "HEAD"]

    # The report: every wrong field named, what was typed kept as the draft; then a valid one.
    bad = s.report(imposter="you", commit=found[:5], resolution="pray", why="because")
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_report"
    errors = bad.get_json()["errors"]
    assert errors == {"imposter": "Name a teammate, not yourself.",
                      "commit": "Give at least 7 characters of the commit's sha.",
                      "resolution": "Say how you resolved it: revert, reset_soft, manual_fix, force_push, none.",
                      "why": "Say in a sentence or two why you resolved it this way."}
    assert s.attempt_row().state["report_draft"]["fields"]["commit"] == found[:5]
    assert s.report(imposter="bob", commit="0123456789", resolution="revert",
                    why="x" * 30).get_json()["errors"] == {"commit": "No commit of the team's history starts with "
                                                                     "0123456789."}
    huge = s.report(imposter="bob", commit=found[:8], resolution="revert", why="y" * 3000)
    assert huge.status_code == 400 and huge.get_json()["errors"] == {
        "why": "Keep the explanation under 2000 characters."}
    assert s.attempt_row().state["report_draft"]["fields"]["why"] == "y" * 3000  # nothing lost
    too_big = s.report(imposter="bob", commit=found[:8], resolution="revert", why="z" * 9000)
    assert too_big.status_code == 413 and too_big.get_json()["error"] == "why_too_long"
    imposter = next(m["name"] for m in s.attempt_row().state["team"] if m["id"] == truth["imposter"])
    saved = s.report(imposter=imposter, commit=found[:9], resolution="revert",
                     why="git revert keeps the shared history intact for everyone who pulled it.")
    assert saved.status_code == 200 and saved.get_json()["report"]["commit"] == found[:9]
    assert s.attempt_row().status == "open"  # saving does not close

    finished = s.finish()
    assert finished.status_code == 202 and finished.get_json()["status"] == "grading"
    graded = s.graded()
    assert _items(graded) == {"imposter": 35.0, "commit": 20.0, "resolution": 30.0, "time": 15.0}
    assert graded.score == 100.0 and graded.letter == "A+"
    assert graded.inputs["resolution"] == "revert" and graded.inputs["remote"]["tests"]["passed"] is True
    assert graded.inputs["explored"]["opened"] == [mine[0]["sha"]]
    assert graded.feedback["sabotage"]["sha"] == truth["sabotage"] and graded.feedback["commit"]["right"]
    report = _text(s.page("/report"))
    assert truth["sabotage"] in report and imposter in report and "right" in report

    # After the close: clear refusals, nothing changed.
    for answer in (s.queue("git log"), s.diff(found), s.report(imposter="bob"), s.finish(),
                   s.post(s.api("imposter/filter"), {"author": ""})):
        assert answer.status_code == 409 and answer.get_json()["error"] == "attempt_closed", answer.get_json()
    assert s.get(s.api("imposter/graph")).get_json()["error"] == "attempt_closed"


def test_a_force_push_is_detected_and_scored_minus_fifty_clamped_to_zero(im_session):
    s = im_session()
    truth = s.truth()
    pushed = s.run(f"git reset --hard -q {truth['sabotage_parent']} && git push -f origin main 2>&1")
    assert pushed["remote_changed"] is True
    # A later push cannot hide it: put the old history back on the remote.
    s.run(f"git reset --hard -q {s.attempt_row().state['remote']['original']} && git push -f origin main 2>&1")
    updates = s.attempt_row().state["remote"]["updates"]
    assert len(updates) == 2 and updates[0]["rewrote"] and updates[0]["dropped"]
    decoy = truth["decoys"][0]
    other = {"alice", "bob", "carol"} - {truth["imposter"]}
    sent = s.finish(report={"imposter": sorted(other)[0], "commit": decoy["sha"][:7], "resolution": "revert",
                            "why": "I reverted the decoy because its message was alarming."})
    assert sent.status_code == 202
    graded = s.graded()
    assert _items(graded) == {"imposter": 0.0, "commit": 0.0, "resolution": -50.0, "time": 0.0}
    assert graded.score == 0.0 and graded.letter == "F" and graded.inputs["resolution"] == "force_push"


def test_the_deadline_closes_and_grades_the_remote_as_it_was_with_the_draft(im_session):
    s = im_session(custom={**IM_CUSTOM, "time_limit": "5"})
    truth = s.truth()
    s.run(f"git revert --no-edit {truth['sabotage']} && git push -q origin main")
    imposter = next(m["id"] for m in s.attempt_row().state["team"] if m["id"] == truth["imposter"])
    draft = s.post(s.api("imposter/report/draft"), {"imposter": imposter, "commit": truth["sabotage"][:7],
                                                     "resolution": "revert", "why": "A revert keeps the history."},
                   method="PUT")
    assert draft.status_code == 200 and s.attempt_row().state.get("report") is None
    from lti_app.workbench.deadlines import sweep_deadlines

    with s.app.app_context():
        attempt = db.session.get(Attempt, s.attempt_row().id)
        attempt.started_at = utcnow() - timedelta(minutes=6)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        late = s.finish(report={"imposter": "alice", "commit": truth["sabotage"][:7], "resolution": "none",
                                "why": "Typed after the time was up, sent with Finish."})
        assert late.status_code == 409 and late.get_json()["error"] == "time_up"
        assert s.post(s.api("imposter/report"), {"imposter": "alice"}).get_json()["error"] == "time_up"
        assert sweep_deadlines() == [attempt.id]
    graded = s.graded()
    assert graded.inputs["reason"] == "deadline" and graded.inputs["resolution"] == "revert"
    # The draft counted (the clock must not lose it); reported at the deadline's end: no time points.
    assert _items(graded) == {"imposter": 35.0, "commit": 20.0, "resolution": 30.0, "time": 0.0}
    with s.app.app_context():
        assert db.session.query(Evaluation).one().reason == "deadline"


def test_bad_input_gets_clear_answers_and_nothing_is_lost(im_session):
    s = im_session()
    empty = s.queue("   ")
    assert empty.status_code == 400 and empty.get_json()["error"] == "empty_command"
    long = s.queue("echo " + "x" * 3000)
    assert long.status_code == 413 and long.get_json()["error"] == "command_too_long"
    no_token = s.client.post(s.api("imposter/report"), json={"imposter": "bob"})
    assert no_token.status_code in (400, 403)
    assert s.post(s.api("imposter/report"), {"why": 5}).get_json()["error"] == "invalid_why"
    assert s.post(s.api("imposter/filter"), {"author": "x" * 400}).status_code == 413
    # The plain form (no JavaScript): the page again, each field's sentence, what was typed.
    page = s.form(f"/a/{s.launch_id}/imposter/report", {"imposter": "carol", "commit": "beef",
                                                         "resolution": "revert", "why": "short"})
    text = _text(page)
    assert page.status_code == 400 and "Give at least 7 characters of the commit's sha." in text
    assert 'value="beef"' in text and ">short</textarea>" in text
    assert re.search(r'value="carol"\s+data-report-field\s+checked', text)
    # The editor: the project's files only, never git's own nor the shared remote.
    headers = {"X-CSRF-Token": s.csrf}
    files = s.get(s.api("workspace/files")).get_json()["entries"]
    readme = next(e["path"] for e in files if e["path"].startswith("repo/") and e["path"].endswith(".md"))
    opened = s.get(s.api(f"workspace/file?path={readme}")).get_json()
    assert opened["editable"] is True
    for path in ("repo/.git/config", "remote.git/config"):
        refused = s.client.put(s.api(f"workspace/file?path={path}"), json={"content": "x"}, headers=headers)
        assert refused.status_code == 403 and refused.get_json()["error"] == "not_editable"
    assert s.attempt_row().state["remote"]["updates"] == []
    # A valid report through the plain form: back to the page, which says so and keeps it in the form.
    sha = s.truth()["decoys"][0]["sha"]
    saved = s.form(f"/a/{s.launch_id}/imposter/report", {"imposter": "Carol", "commit": sha[:7], "resolution": "none",
                                                          "why": "I am not sure yet, so nothing was pushed."})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("?saved=1#im-report")
    shown = _text(s.page("?saved=1"))
    assert "Report saved. Your report was saved at" in shown and f'value="{sha[:7]}"' in shown


def test_the_instructor_sees_the_answer_what_was_explored_and_the_remote(im_session, seed_launch):
    s = im_session()
    truth = s.truth()
    s.diff(truth["sabotage"])
    s.diff(truth["decoys"][0]["sha"])
    s.run(BISECT)
    s.run(f"git revert --no-edit {truth['sabotage']} && git push -q origin main")
    teacher = seed_launch(s.app, role="Instructor", custom=dict(IM_CUSTOM))
    attempt_id = s.attempt_row().id
    before = _text(s.client.get(f"/i/{teacher}/attempts/{attempt_id}"))  # still open: what is recorded so far
    assert "Its history and tests are read when the attempt closes." in before and "No report saved yet." in before
    assert before.count("data-opened=") == 2 and 'data-update="fast-forward"' in before
    s.finish(report={"imposter": truth["imposter"], "commit": truth["sabotage"][:12], "resolution": "revert",
                     "why": "Reverting is safe on a shared branch: nobody's history changes."})
    graded = s.graded()
    with s.app.app_context():
        assert db.session.query(GradeRow).one().attempt_id == attempt_id
    page = s.client.get(f"/i/{teacher}/attempts/{attempt_id}")
    text = _text(page)
    assert page.status_code == 200 and f"data-truth-sabotage>{truth['sabotage']}" in page.get_data(as_text=True)
    assert text.count("data-opened=") == 2 and "sabotage" in text and "git bisect start" in text
    assert 'data-update="fast-forward"' in text and 'data-resolution="revert"' in text
    assert "undoes the sabotage" in text and "Reverting is safe" in text
    from grader.phases.imposter.personas import PERSONAS

    assert f"data-report-imposter>{PERSONAS[truth['imposter']].name}<" in text  # the name, not the form's id
    assert 'id="im-items"' in text and text.count("<td>imposter</td>") == 2 and graded.score == 100.0

    # A regrade: from the recorded inputs (the remote's snapshot, the report sent), without the workspace.
    from lti_app.models import WorkspaceRow
    from lti_app.security import csrf_token

    with s.app.app_context():
        db.session.query(WorkspaceRow).delete()
        db.session.commit()
    with s.app.test_request_context():
        token = csrf_token(teacher)
    asked = s.client.post(f"/i/{teacher}/attempts/{attempt_id}/regrade", data={"csrf_token": token})
    assert asked.status_code in (302, 303)
    again = s.graded()
    assert again.id != graded.id and again.score == graded.score and again.breakdown == graded.breakdown
    assert again.inputs["remote"] == graded.inputs["remote"] and again.inputs["reason"] == "regrade"
