"""Values shown to students in their own language's notation."""

from __future__ import annotations

import pytest

from grader.workbench.notation import call, literal


@pytest.mark.parametrize(("value", "python", "javascript", "java"), [
    (True, "True", "true", "true"),
    (None, "None", "null", "null"),
    ("a'b", '"a\'b"', '"a\'b"', '"a\'b"'),
    ([1, False, "x"], "[1, False, 'x']", '[1, false, "x"]', 'List.of(1, false, "x")'),
    ({"k": 1.5}, "{'k': 1.5}", '{"k": 1.5}', 'Map.of("k", 1.5)'),
    (float("inf"), "float('inf')", "Infinity", "Double.POSITIVE_INFINITY"),
])
def test_each_language_writes_values_its_own_way(value, python, javascript, java):
    assert literal(value, "python") == python
    assert literal(value, "javascript") == javascript
    assert literal(value, "java") == java


def test_a_call_is_written_with_its_arguments():
    assert call("accept_order", [1, True, None], "python") == "accept_order(1, True, None)"
    assert call("acceptOrder", [1, True, None], "javascript") == "acceptOrder(1, true, null)"
