"""What the chat sends: the message and the turn the page last saw."""

from __future__ import annotations

import re
from typing import Any

from grader.phases.difficult_client import MAX_MESSAGE_CHARS
from lti_app.errors import Refusal
from lti_app.workbench.inputs import text_field


def chat_message(data: dict[str, Any]) -> str:
    return text_field(data, "message", max_chars=MAX_MESSAGE_CHARS).strip()


MAX_TURN = 2**31 - 1  # far beyond any conversation, small enough for every database and comparison


def expected_turn(data: dict[str, Any]) -> int | None:
    """The turn the page last saw (optional): a whole number (JSON number or digits, as a form sends it).
    A mismatch means a double or stale submit."""
    value = data.get("turn")
    if value is None or value == "":
        return None
    turn: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        turn = value
    elif isinstance(value, float) and value.is_integer():  # 2.0; never 1e400, -Infinity or 1.5
        turn = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,10}", value.strip()):
        turn = int(value.strip())
    if turn is None or not 0 <= turn <= MAX_TURN:
        raise Refusal(400, "invalid_turn", "turn must be a whole number: the turn the page last saw")
    return turn


