"""The Imposter's web tests' shared parts (a seeded launch driven through the HTTP API, with every body it received
kept for the leak scan), and the tests of what the phase offers: its registry line, its picker options, a launch
that honours them.

Import the fixture into a test module: ``from tests.phases.imposter.test_web_support import im_session_fixture  #
noqa: F401`` (it is named ``im_session``; kept out of conftest.py, which the domain tests own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from tests.support.phase_session import PhaseSession, session_fixture

SCENARIO = "catalogue_pages"
IM_CUSTOM = {"phase": "imposter", "scenario": SCENARIO, "difficulty": "medium", "max_attempts": "2"}
BISECT = ("git bisect start HEAD $(git rev-list --max-parents=0 HEAD) >/dev/null && "
          "git bisect run python3 -m unittest 2>/dev/null | grep 'is the first bad commit'; "
          "git bisect reset >/dev/null 2>&1")


@dataclass
class ImSession(PhaseSession):
    """One learner's Imposter launch (tests/support/phase_session.py), with the phase's own routes."""

    finish_prefix: ClassVar[str] = "imposter"
    wait_timeout: ClassVar[float] = 60
    poll_seconds: ClassVar[float] = 0.03

    def graph(self) -> dict[str, Any]:
        answer = self.get(self.api("imposter/graph"))
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        return answer.get_json()

    def diff(self, sha: str) -> Any:
        return self.get(self.api(f"imposter/commits/{sha}"))

    def queue(self, command: str) -> Any:
        return self.post(self.api("terminal/commands"), {"command": command})

    def run(self, command: str, ok: bool = True) -> dict[str, Any]:
        """A terminal command, waited for: its stored result."""
        done = self.job(self.queue(command))
        assert done["state"] == "done", done
        if ok:
            assert done["result"]["outcome"] == "ok", done["result"]
        return done["result"]

    def bisect(self) -> str:
        out = self.run(BISECT)["output"]
        found = re.search(r"([0-9a-f]{40}) is the first bad commit", out)
        assert found, out
        return found.group(1)

    def report(self, **fields: str) -> Any:
        return self.post(self.api("imposter/report"), fields)

    def log(self) -> dict[str, Any]:
        return self.get(self.api("terminal/log")).get_json()

    def everything(self) -> None:
        """Every student-facing read the page makes."""
        self.page()
        self.graph()
        self.log()
        for path in ("status", "clock", "workspace/files"):
            self.get(self.api(path))

    def truth(self) -> dict[str, Any]:
        return self.attempt_row().state["truth"]


im_session_fixture = session_fixture(ImSession, IM_CUSTOM, "im_session")


# ----- what the phase offers ---------------------------------------------------------------------------------
def test_the_imposter_is_registered_last_with_its_options():
    from lti_app.phases.registry import PHASE_IDS, get_phase

    phase = get_phase("imposter")
    assert phase is not None and PHASE_IDS.index("imposter") > PHASE_IDS.index("bug_hunt")
    assert phase.info.options == {"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy", "seeding"}
    assert phase.info.defaults == {"time_limit": "20", "seeding": "student"}
    assert phase.adapter.scenario_pool is True and phase.adapter.terminal_host == "team-repo"


def test_seeding_gives_a_repository_per_student_or_one_for_the_activity(im_session, make_app, seed_launch):
    from lti_app.errors import Refusal

    app = make_app()
    pool = "catalogue_pages,invoice_rounding,notes_permissions"
    seeded = [im_session(app, custom={**IM_CUSTOM, "scenario": pool}, resource_link_id="seeded") for _ in range(5)]
    states = [s.attempt_row().state for s in seeded]
    assert {s["scenario"] for s in states} <= set(pool.split(","))
    assert len({(s["scenario"], s["seed"]) for s in states}) > 1  # classmates get different repositories
    assert all(s["difficulty"] == "medium" and s["rev"] == 0 for s in states)
    assert states[0]["explored"] == {"opened": [], "filters": []}
    shared = {"phase": "imposter", "difficulty": "hard", "seeding": "shared"}
    heads = {im_session(app, custom=shared, resource_link_id="shared").attempt_row().state["repo"]["head"]
             for _ in range(3)}
    assert len(heads) == 1
    with pytest.raises(Refusal) as refused:
        seed_launch(app, custom={**IM_CUSTOM, "scenario": "no_such_project"}, resource_link_id="unknown")
    assert refused.value.code == 409 and refused.value.reason == "no_scenario"
    assert "this Imposter cannot start" in refused.value.detail and "no_such_project" in refused.value.detail
