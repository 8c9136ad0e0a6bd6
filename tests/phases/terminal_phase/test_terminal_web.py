"""The terminal over real HTTP, from a dev-LMS launch, with the in-process queue and the local sandbox: commands and
their output, a service the phase's setup starts, a reload that shows the log, an editor save the next command
sees, the plain-form fallback, and bad input refused with a reason (never a 500)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from lti_app.extensions import db
from lti_app.models import Attempt, Submission, WorkspaceRow, utcnow
from lti_app.workbench.terminal import command_log
from tests.lti.conftest import plain_link
from tests.phases.terminal_phase.conftest import PHASE_ID, launch_student


def _log_text(page: str) -> str:
    match = re.search(r"<pre[^>]*data-terminal-log[^>]*>(.*?)</pre>", page, re.S)
    assert match, "the page shows the log for a reload without JavaScript"
    return html.unescape(match.group(1))


def test_commands_a_service_a_reload_and_an_editor_save(student):
    page = student.browser.get(student.page_url).text
    assert "data-terminal" in page and 'data-host="lab"' in page and "data-check-url" in page

    first = student.run("ls -R")
    assert first["outcome"] == "ok" and first["exit_code"] == 0 and "index.html" in first["output"]
    assert student.run("cd notes && ls")["output"] == "todo.txt\n"
    moved = student.run("pwd; cat todo.txt")
    assert moved["output"] == "/tmp/ws/notes\n1. look around\n" and moved["cwd"] == "notes"
    assert moved["started_in"] == "notes"

    # The phase's service: a flag file in the workspace, read by its setup before each command.
    assert student.run("curl -s -m 1 127.0.0.1:8000/ || echo down")["output"] == "down\n"
    assert student.run("service start")["output"] == "started\n"
    assert student.run("curl -s 127.0.0.1:8000/index.html")["output"] == "<h1>hello from the site</h1>\n"
    checked = student.post("terminal/check")
    assert checked.status_code == 202
    verdict = student.wait(checked.json()["submission"])["result"]
    assert verdict["kind"] == "check" and verdict["passed"] is True

    # The editor opens a file, saves it; the next command sees the change; the save is recorded with its diff.
    opened = student.get_file("notes/todo.txt")
    assert opened.status_code == 200 and opened.json()["content"] == "1. look around\n"
    saved = student.put_file("notes/todo.txt", {"content": "1. look around\n2. fix it\n",
                                                "base_sha": opened.json()["sha"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["changed"] is True and saved.json()["edit"]["added"] == 1
    assert student.run("cat todo.txt")["output"] == "1. look around\n2. fix it\n"
    created = student.put_file("site/new.html", {"content": "<p>new</p>\n"})
    assert created.status_code == 200 and created.json()["edit"]["created"] is True
    assert student.run("curl -s 127.0.0.1:8000/new.html")["output"] == "<p>new</p>\n"
    same = student.put_file("site/new.html", {"content": "<p>new</p>\n"})
    assert same.status_code == 200 and same.json()["changed"] is False

    # A reload: the log (API and page) has every command, output and save, in order.
    log = student.browser.get(student.api("terminal/log")).json()
    kinds = [(e["kind"], e.get("command") or e.get("path") or "") for e in log["entries"]]
    assert kinds[:3] == [("command", "ls -R"), ("command", "cd notes && ls"), ("command", "pwd; cat todo.txt")]
    assert ("edit", "notes/todo.txt") in kinds and ("check", "") in kinds
    assert log["cwd"] == "notes" and log["prompt"] == {"user": "student", "host": "lab"} and log["pending"] is None
    text = _log_text(student.browser.get(student.page_url).text)
    assert "student@lab:~/notes$ cat todo.txt\n1. look around\n2. fix it\n" in text
    assert "# saved notes/todo.txt in the editor (+1 −0)" in text

    with student.app.app_context():
        attempt = db.session.query(Attempt).one()
        row = db.session.get(WorkspaceRow, attempt.id)
        assert row.cwd == "notes" and row.revision > 1
        entries = command_log(attempt.id)  # the instructor's record: times, outputs and diffs
        edit = next(e for e in entries if e["kind"] == "edit")
        assert "+2. fix it" in edit["diff"] and edit["at"].endswith("Z")
        assert all(e["finished_at"] for e in entries)


def test_files_of_the_workspace(student):
    student.run("printf 'a\\000b' > blob.bin; mkdir -p empty; ln -s README.txt link; "
                "head -c 300000 /dev/zero | tr '\\0' x > big.txt")
    listing = student.browser.get(student.api("workspace/files")).json()
    assert {e["path"]: e["kind"] for e in listing["entries"]}["link"] == "link"
    for path, status, reason in [
        ("nope.txt", 404, "file_unknown"), ("empty", 409, "not_a_file"), ("link", 409, "not_a_file"),
        ("blob.bin", 415, "binary_file"), ("big.txt", 413, "file_too_large"),
        ("../../etc/passwd", 400, "invalid_path"), ("/etc/passwd", 400, "invalid_path"), ("", 400, "invalid_path"),
        ("notes/../../x", 400, "invalid_path"), ("a\x01b", 400, "invalid_path"),
    ]:
        got = student.get_file(path)
        assert (got.status_code, got.json()["error"]) == (status, reason), (path, got.text)
    for path, body, status, reason in [
        ("../escape.txt", {"content": "x"}, 400, "invalid_path"),
        ("notes", {"content": "x"}, 409, "not_a_file"),
        ("link", {"content": "x"}, 409, "not_a_file"),
        ("link/inside.txt", {"content": "x"}, 409, "workspace_refused"),
        ("blob.bin", {"content": "text now"}, 415, "binary_file"),
        (".service-on", {"content": ""}, 403, "not_editable"),
        ("a.txt", {"content": "nul\x00"}, 400, "binary_content"),
        ("a.txt", {"content": 42}, 400, "invalid_content"),
        ("a.txt", {}, 400, "invalid_content"),
        ("a.txt", {"content": "x" * (256 * 1024 + 1)}, 413, "content_too_long"),
        ("README.txt", {"content": "new", "base_sha": "0" * 64}, 409, "file_changed"),
    ]:
        got = student.put_file(path, body)
        assert (got.status_code, got.json()["error"]) == (status, reason), (path, got.text)
    no_token = student.put_file("a.txt", {"content": "x"}, csrf=False)
    assert no_token.status_code == 403
    with student.app.app_context():
        assert db.session.query(Submission).filter_by(kind="edit").count() == 0


def test_bad_commands_are_refused_with_a_reason(student):
    for body, status, reason in [
        ({"command": ""}, 400, "empty_command"),
        ({"command": "   \n"}, 400, "empty_command"),
        ({}, 400, "empty_command"),
        ({"command": "x" * 2001}, 413, "command_too_long"),
        ({"command": "echo \x00"}, 400, "binary_command"),
        ({"command": "echo \x1b[31m"}, 400, "binary_command"),
        ({"command": ["ls"]}, 400, "invalid_command"),
        ({"command": "echo \ud800"}, 400, "invalid_text"),
    ]:
        got = student.post("terminal/commands", body)
        assert (got.status_code, got.json()["error"]) == (status, reason), (body, got.text)
    not_json = student.browser.post(student.api("terminal/commands"), data=b"\xff\xfe",
                                    headers={"X-CSRF-Token": student.csrf, "Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_encoding"
    huge = student.browser.post(student.api("terminal/commands"), data=b"{" + b" " * 300_000 + b"}",
                                headers={"X-CSRF-Token": student.csrf, "Content-Type": "application/json"})
    assert huge.status_code == 413
    assert student.post("terminal/commands", {"command": "ls"}, csrf=False).status_code == 403
    assert student.post("terminal/commands", {"command": "x" * 2000 + " "}).status_code == 413
    # The longest command that is allowed runs (and fails as bash says).
    longest = student.run("#" + "x" * 1999)
    assert longest["outcome"] == "ok"
    with student.app.app_context():
        assert db.session.query(Submission).filter_by(kind="command").count() == 1


def test_one_command_at_a_time_cancel_and_a_binary_output(student):
    running = student.post("terminal/commands", {"command": "echo started > started.txt; sleep 30"})
    assert running.status_code == 202
    view = running.json()["submission"]
    assert view["cancel_url"] and view["limit_seconds"] == 10.0
    second = student.post("terminal/commands", {"command": "ls"})
    assert second.status_code == 409 and second.json()["error"] == "submission_pending"
    assert second.json()["submission"]["id"] == view["id"]
    save = student.put_file("README.txt", {"content": "while running"})
    assert save.status_code == 409 and save.json()["error"] == "submission_pending"
    cancelled = student.browser.post(student.tool_url + view["cancel_url"], headers={"X-CSRF-Token": student.csrf})
    assert cancelled.status_code == 202
    done = student.wait(view)
    assert done["result"]["outcome"] == "cancelled"
    assert student.run("ls started.txt || echo nothing kept")["output"].endswith("nothing kept\n")
    binary = student.run("printf '\\000\\377\\033[31mred\\n'")
    assert binary["output"] == "\u2400\ufffd\x1b[31mred\n"  # NUL shown as ␀, invalid UTF-8 replaced


def test_the_plain_form_without_javascript(student):
    form = student.browser.post(f"{student.tool_url}/a/{student.launch_id}/terminal",
                                data={"command": "echo from the form", "csrf_token": student.csrf},
                                allow_redirects=False)
    assert form.status_code == 303 and form.headers["Location"].endswith(f"/a/{student.launch_id}#cr-terminal")
    with student.app.app_context():
        row = db.session.query(Submission).filter_by(kind="command").one()
        view = {"state": "queued", "url": f"/api/a/{student.launch_id}/submissions/{row.id}"}
    student.wait(view)
    text = _log_text(student.browser.get(student.page_url).text)
    assert "student@lab:~$ echo from the form\nfrom the form\n" in text
    refused = student.browser.post(f"{student.tool_url}/a/{student.launch_id}/terminal",
                                   data={"command": "ls"}, allow_redirects=False)
    assert refused.status_code == 403


def test_every_route_refuses_after_the_time_limit_and_after_close(student):
    student.run("echo before > before.txt")
    with student.app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.deadline_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    timed_out = student.post("terminal/commands", {"command": "ls"})
    assert (timed_out.status_code, timed_out.json()["error"]) == (409, "time_up")
    assert student.put_file("before.txt", {"content": "x"}).json()["error"] == "time_up"
    assert student.browser.get(student.api("terminal/log")).status_code == 200  # reading stays possible
    with student.app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.status = "closed"
        db.session.commit()
    for response in (student.post("terminal/commands", {"command": "ls"}), student.post("terminal/check"),
                     student.put_file("before.txt", {"content": "x"}), student.get_file("before.txt"),
                     student.browser.get(student.api("terminal/log")),
                     student.browser.get(student.api("workspace/files"))):
        assert (response.status_code, response.json()["error"]) == (409, "attempt_closed"), response.text


def test_each_learner_has_a_workspace_of_their_own(terminal_registered, make_tool, make_lms, browser):
    from tests.support.browser import Browser

    tool = make_tool()
    lms = make_lms("moodle", tool)
    link = plain_link(lms, phase=PHASE_ID)
    alice = launch_student(browser, tool, lms, link, user=1)
    with Browser() as other:
        bob = launch_student(other, tool, lms, link, user=2)
        assert alice.run("echo alice > mine.txt; ls")["output"].count("mine.txt") == 1
        assert bob.run("ls mine.txt || echo none")["output"].endswith("none\n")
        assert bob.get_file("mine.txt").status_code == 404
        # Alice's submission ids mean nothing in Bob's launch.
        with tool.app.app_context():
            mine = db.session.query(Submission).filter_by(kind="command").order_by(Submission.id).first()
        peek = bob.browser.get(f"{tool.url}/api/a/{bob.launch_id}/submissions/{mine.id}")
        assert peek.status_code == 404
        cancel = bob.browser.post(f"{tool.url}/api/a/{bob.launch_id}/submissions/{mine.id}/cancel",
                                  headers={"X-CSRF-Token": bob.csrf})
        assert cancel.status_code == 404
        # And a launch's CSRF token is no good in another launch.
        assert alice.browser.post(alice.api("terminal/commands"), json={"command": "ls"},
                                  headers={"X-CSRF-Token": bob.csrf}).status_code == 403
