"""Which scenario a launch plays: the one the activity names, else one of its difficulty, else the default."""

from __future__ import annotations

import pytest

from grader.phases.difficult_client import list_scenarios


@pytest.mark.parametrize(("custom", "expected"), [
    ({"scenario": "impatient_restaurant_owner"}, "impatient_restaurant_owner"),
    ({"difficulty": "hard"}, "perfectionist_startup_founder"),
    ({"scenario": "no_such_scenario", "difficulty": "easy"}, "angry_bakery_owner"),
    ({"scenario": "../../etc/passwd"}, "angry_bakery_owner"),
    ({}, "angry_bakery_owner"),
])
def test_launch_custom_parameters_pick_the_scenario(dc_session, custom, expected):
    s = dc_session(custom={"phase": "difficult_client", **custom})
    view = s.state()["view"]
    assert view["scenario_id"] == expected
    meta = next(m for m in list_scenarios() if m.id == expected)
    assert meta.title in s.page().get_data(as_text=True).replace("&#39;", "'")
