"""The terminal in a real browser (Debian Chromium through Playwright) against the real app on a live port, with the
embedded worker and the local sandbox: commands typed in the xterm.js terminal, their output read from the
screen, the line editor's keys, a reload that replays the log, and the keyboard leaving the terminal."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def live(terminal_registered, make_app) -> Iterator[tuple[Flask, LiveServer]]:  # type: ignore[no-untyped-def]
    from worker.embedded import start

    app = make_app(CR_RECONCILE_SECONDS="0.3")
    start(app)
    with LiveServer(app) as server:
        yield app, server
    app.extensions["cr_reconciler"].stop()


SCREEN = ("() => Array.from(document.querySelectorAll('.xterm-rows > div'))"
          ".map(d => d.textContent.replace(/\\u00a0/g, ' ').replace(/ +$/, '')).join('\\n')")


def _screen(page) -> str:  # type: ignore[no-untyped-def]
    """The terminal's visible rows as text (xterm's DOM renderer, one div per row)."""
    return page.evaluate(SCREEN)


def _wait_for(page, text: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Until ``text`` is on the terminal's screen. Polled from here: the page's CSP forbids eval, which
    Playwright's wait_for_function needs for every poll after the first."""
    deadline = time.monotonic() + timeout
    while text not in (screen := _screen(page)):
        assert time.monotonic() < deadline, f"{text!r} not on the terminal's screen:\n{screen}"
        page.wait_for_timeout(50)


def _assert_accessible(page, where: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    violations = Axe().run(page, options=options).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}" for v in violations
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"accessibility violations on {where}: {bad}"


def test_typing_commands_in_the_terminal(live, seed_launch, chromium):
    from playwright.sync_api import expect

    app, server = live
    launch_id = seed_launch(app, custom={"phase": "terminal_phase"})
    page = chromium.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/a/{launch_id}")
    expect(page.locator("[data-terminal-status]")).to_have_text("Ready.")
    expect(page.locator("[data-terminal-fallback]")).to_be_hidden()  # the plain form gives way to xterm
    _wait_for(page, "student@lab:~$")

    page.locator("[data-terminal-screen]").click()
    page.keyboard.type("ls")
    page.keyboard.press("Enter")
    _wait_for(page, "README.txt")
    expect(page.locator("[data-terminal-status]")).to_contain_text("Done: exit code 0")

    page.keyboard.type("cd notes")
    page.keyboard.press("Enter")
    _wait_for(page, "student@lab:~/notes$")
    page.keyboard.type("pwd; cat todo.txt")
    page.keyboard.press("Enter")
    _wait_for(page, "/tmp/ws/notes\n1. look around")

    # The line editor: Left inserts mid-line, Backspace deletes, Up recalls, Ctrl+C clears the line.
    page.keyboard.type("echo ac")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("b")
    page.keyboard.press("End")
    page.keyboard.type("dx")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    _wait_for(page, "echo abcd\nabcd")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    _wait_for(page, "~/notes$ pwd; cat todo.txt")
    page.keyboard.press("Control+c")
    _wait_for(page, "~/notes$ pwd; cat todo.txt^C")
    page.keyboard.type("echo $((6 * 7)) > answer.txt; service start")
    page.keyboard.press("Enter")
    _wait_for(page, "started")
    page.keyboard.type("curl -s 127.0.0.1:8000/ && cat answer.txt")
    page.keyboard.press("Enter")
    _wait_for(page, "<h1>hello from the site</h1>\n42")

    # A command that fails says so, and a long-running one can be stopped with Ctrl+C.
    page.keyboard.type("sleep 30")
    page.keyboard.press("Enter")
    expect(page.locator("[data-terminal-status]")).to_contain_text("Running")
    page.keyboard.press("Control+c")
    _wait_for(page, "Cancelled: the command was stopped")

    # A reload replays the log and keeps the directory.
    page.reload()
    expect(page.locator("[data-terminal-status]")).to_have_text("Ready.")
    _wait_for(page, "student@lab:~/notes$ pwd; cat todo.txt\n/tmp/ws/notes\n1. look around")
    _wait_for(page, "student@lab:~/notes$ echo abcd")
    assert _screen(page).rstrip().endswith("student@lab:~/notes$")
    page.locator("[data-terminal-screen]").click()
    page.keyboard.press("ArrowUp")
    _wait_for(page, "~/notes$ sleep 30\n")  # the history came back with the log (drawn on the last line)
    page.keyboard.press("Control+c")

    # The workspace editor: open a file, change it with the keyboard, save; the terminal notes it and sees it.
    page.get_by_label("File in the workspace").fill("notes/todo.txt")
    page.get_by_role("button", name="Open").click()
    expect(page.locator("[data-file-status]")).to_have_text("Opened notes/todo.txt.")
    editor = page.locator("#cr-files .cm-content")
    expect(editor).to_contain_text("1. look around")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("2. edited in the browser")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-file-status]")).to_have_text("Saved notes/todo.txt.")
    _wait_for(page, "# saved notes/todo.txt in the editor (+1 −0)\nstudent@lab:~/notes$")
    page.locator("[data-terminal-screen]").click()
    page.keyboard.type("tail -n 1 todo.txt; echo '3. from the terminal' >> todo.txt")
    page.keyboard.press("Enter")
    _wait_for(page, "\n2. edited in the browser\n")
    expect(editor).to_contain_text("3. from the terminal")  # the open file follows the command's change
    expect(page.locator("[data-file-status]")).to_contain_text("changed in the terminal")

    # The check button, and Tab leaves the terminal for it.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Run the check")).to_be_focused()
    page.keyboard.press("Enter")
    _wait_for(page, "# check passed")
    _assert_accessible(page, "the terminal page with a file open")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
