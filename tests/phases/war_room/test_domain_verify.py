"""Every incident at every difficulty, verified in the real sandbox: the check fails on the broken system and
after a restart alone, passes after the reference fix (by an accepted fix), and (at medium) fails after each
brute-force move on top of the fix, naming it where the truth says so."""

from __future__ import annotations

import pytest

from grader.phases.options import DIFFICULTIES
from grader.phases.war_room import incident_ids, load_incident
from grader.phases.war_room.moves import COMMON_BRUTE_FORCE
from grader.phases.war_room.verify import verify


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
@pytest.mark.parametrize("incident_id", incident_ids())
def test_the_incident_is_verified(local_backend, incident_id, difficulty):
    incident = load_incident(incident_id)
    verdict = verify(local_backend, incident, difficulty, seed=11, brute_force=difficulty == "medium")
    assert verdict.accepted, verdict.reason
    checks = {s["step"]: s for s in verdict.steps if s["kind"] == "check"}
    assert checks["broken"]["passed"] is False and checks["restart only"]["passed"] is False
    assert checks["reference fix"]["passed"] is True
    assert checks["reference fix"]["fixed_by"] in incident.fix_ids
    if difficulty == "medium":
        moves = [m["id"] for m in (*COMMON_BRUTE_FORCE, *incident.data["brute_force"]) if m.get("verify")]
        assert [s["step"] for s in checks.values() if s["step"].startswith("brute force")] == \
            [f"brute force: {m}" for m in moves]
        assert all(not checks[f"brute force: {m}"]["passed"] for m in moves)
