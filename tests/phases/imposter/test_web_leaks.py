"""The truth stays on the server: no response a student receives before the report card — the page, the graph data,
every diff (the plain page too), the author filter, the terminal's output (the remote's metadata, git's config, the
environment, the setup's log), the workspace's files, the log, the status, the report's answers — names the
imposter as the answer, the sabotage commit as the answer, or any of the truth's fields, whatever the student
runs or asks for. The names and every sha are on the page by design (it is the team's history); what must never
be there is which one is the answer.

What the student sends comes back to them (their report's draft, their commands): the scan leaves out what they
typed."""

from __future__ import annotations

import json
import re

import pytest

from grader.phases.imposter import load_scenario
from tests.phases.imposter.test_web_support import (
    IM_CUSTOM,
    ImSession,
    im_session_fixture,  # noqa: F401  (the im_session fixture)
)
from tests.support.leaks import LeakScanner, readable

# Words only the truth uses, anywhere (the phase's own name, "The Imposter", is on every page by design).
WORDS = re.compile(r"sabotag|saboteur|decoy|\btruth\b|bug_kind|bug_change|culprit|guilty", re.I)
# The truth's fields as data.
FIELDS = re.compile(r'"(truth|sabotage|sabotage_parent|decoys|sabotage_change|bug_change|work|imposter_id)"\s*:')


class Scanner(LeakScanner):
    def __init__(self, session: ImSession) -> None:
        super().__init__(session)
        state = session.attempt_row().state
        truth = state["truth"]
        self.sha = truth["sabotage"]
        member = next(m for m in state["team"] if m["id"] == truth["imposter"])
        names = {member["id"], member["name"], member["name"].split()[0], member["email"]}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        self.shapes = [
            # The imposter named as the answer, in words or as data.
            re.compile(rf"impost[eo]r\W{{0,12}}(was|is|=|:)\W{{0,12}}({alternatives})\b", re.I),
            re.compile(rf'"impost[eo]r"\s*:\s*"({alternatives})"', re.I),
            re.compile(rf"\b({alternatives})\W{{0,20}}(is|was) the impost[eo]r", re.I),
            # The sabotage commit named as the answer.
            re.compile(rf"(impost[eo]r|answer|broke (it|production)|the bad commit is)\W{{1,40}}{self.sha[:7]}", re.I),
            re.compile(rf"{self.sha[:7]}[0-9a-f]*\W{{1,20}}(is|was) the (answer|impost[eo]r)", re.I),
        ]
        self.secrets = {load_scenario(state["scenario"]).bug[:60].lower(): "the bug's explanation",
                        "an alarming message over a harmless change": "what a decoy is",
                        "a refactor touching the": "what a decoy is"}

    def check_body(self, body: str) -> None:
        text = readable(body)
        for typed in self.typed:  # the student's own words come back to them
            text = text.replace(typed, " ")
        for match in (WORDS.search(text), FIELDS.search(text)):
            assert match is None, f"leaked {match.group(0)!r} in {body[:300]!r}"
        for shape in self.shapes:
            assert not shape.search(text), f"leaked the answer ({shape.pattern}) in {body[:400]!r}"
        lowered = text.lower()
        for secret, what in self.secrets.items():
            assert secret not in lowered, f"leaked {what} in {body[:300]!r}"


COMMANDS = [
    "git log --all --graph --format='%H %P %an <%ae> %ad %cn <%ce>%n%B' | head -300",
    "git ls-remote origin; git for-each-ref; git notes list; git stash list; git tag -l; git branch -a -vv",
    "cat ../remote.git/config ../remote.git/HEAD ../remote.git/description ../remote.git/packed-refs ~/.gitconfig "
    ".git/config 2>&1",
    "find .. -path '*/objects' -prune -o -print | sort | head -200",
    "env | sort; ls -la /tmp; cat /tmp/.cr-setup.log 2>&1; ps -ef 2>&1 | head -20",
    "git reflog --all | head -50; git config --list --show-origin",
    "git remote show origin 2>&1; git log origin/main --format='%H %an %s' | head -60",
    "python3 -m unittest 2>&1 | tail -30",
]


@pytest.mark.parametrize("scenario", ["catalogue_pages", "rates_cache"])
def test_nothing_before_the_report_card_names_the_answer(im_session, scenario):
    s = im_session(custom={**IM_CUSTOM, "scenario": scenario})
    scan = Scanner(s)
    truth = s.truth()
    s.everything()
    scan.check()

    graph = s.graph()
    for commit in graph["commits"]:  # every diff, as the page opens them
        assert s.diff(commit["sha"]).status_code == 200
    s.page(f"/imposter/commits/{truth['sabotage'][:8]}")
    for author in graph["authors"]:
        s.post(s.api("imposter/filter"), {"author": author["email"]})
        s.page(f"?author={author['email']}")
    s.diff("0000000")
    s.diff("nothex")
    scan.check()

    for command in COMMANDS:
        s.run(command, ok=False)
    found = s.bisect()
    s.run(f"git show --stat {found[:10]}; git blame -s $(git show --name-only --format= {found} | head -1) | head -40")
    for path in ("remote.git/config", "remote.git/HEAD", "repo/.git/config", ".gitconfig", "remote.git/packed-refs"):
        s.get(s.api(f"workspace/file?path={path}"))
    s.everything()
    scan.check()

    # The student's own resolution and report: what comes back is theirs.
    s.run(f"git revert --no-edit {found[:10]} && git push origin main 2>&1")
    s.run("git log --format='%H %an %s' origin/main | head -5; cat ../remote.git/refs/heads/main 2>&1")
    guess = {"imposter": "carol" if truth["imposter"] != "carol" else "alice", "commit": truth["decoys"][0]["sha"][:7],
             "resolution": "revert", "why": "A revert keeps the shared history intact."}
    scan.typed += list(guess.values())
    s.post(s.api("imposter/report/draft"), guess, method="PUT")
    s.report(**guess)
    s.report(imposter="nobody", commit="abc", resolution="", why="")
    s.everything()
    scan.check()
    assert scan.scanned > 60
    assert s.attempt_row().status == "open"  # all of it before the close


def test_the_scan_sees_a_leak(im_session):
    """The scan is not blind: the raw state, the answer in words and the truth's fields are caught."""
    s = im_session()
    scan = Scanner(s)
    state = s.attempt_row().state
    member = next(m for m in state["team"] if m["id"] == state["truth"]["imposter"])
    leaks = [json.dumps(state), json.dumps({"imposter": member["id"]}), f"<p>The imposter was {member['name']}.</p>",
             f"the answer: {state['truth']['sabotage'][:10]}", json.dumps({"decoys": []}),
             json.dumps({k: v for k, v in state.items() if k != "truth"} | {"work": {}})]
    for leak in leaks:
        s.seen[:] = [leak]
        with pytest.raises(AssertionError):
            scan.check()
