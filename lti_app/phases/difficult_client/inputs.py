"""What the chat sends: the message and the turn the page last saw."""

from __future__ import annotations

from typing import Any

from grader.phases.difficult_client import MAX_MESSAGE_CHARS
from lti_app.errors import Refusal
from lti_app.workbench.inputs import text_field


def chat_message(data: dict[str, Any]) -> str:
    return text_field(data, "message", max_chars=MAX_MESSAGE_CHARS).strip()


def expected_turn(data: dict[str, Any]) -> int | None:
    """The turn the page last saw (optional). A mismatch means a double or stale submit."""
    value = data.get("turn")
    if value is None or value == "":
        return None
    try:
        turn = int(value)
    except (TypeError, ValueError):
        raise Refusal(400, "invalid_turn", "turn must be a whole number") from None
    if turn < 0:
        raise Refusal(400, "invalid_turn", "turn must be a whole number")
    return turn


