"""Validation of what a student sends (JSON bodies, text fields, code). Each problem is a :class:`Refusal`
with a reason code and a sentence.

Checks run before anything is written or queued, so a rejected request changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from lti_app.errors import Refusal

MAX_BODY_BYTES = 256 * 1024  # any request larger than this is refused unread
MAX_SOURCE_CHARS = 64 * 1024
MAX_STDIN_CHARS = 64 * 1024
# C0 control characters other than tab, newline and carriage return mark binary data, not text.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def json_body() -> dict[str, Any]:
    """The request's JSON object (or form fields), refusing oversized, non-UTF-8 or malformed bodies.

    At most ``MAX_BODY_BYTES + 1`` bytes are read, so a huge (or chunked, length-less) upload costs nothing.
    """
    too_large = Refusal(413, "request_too_large", f"requests are limited to {MAX_BODY_BYTES // 1024} kB")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise too_large
    if not request.is_json:
        return request.form.to_dict()
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise too_large
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "invalid_encoding", "the request is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Refusal(400, "invalid_json", "send a JSON object")
    return data


def text_field(data: dict[str, Any], name: str, *, max_chars: int, required: bool = True) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refusal(400, f"invalid_{name}", f"{name} must be text")
    if _BINARY.search(value):
        raise Refusal(400, f"binary_{name}", f"{name} contains binary data; send plain text")
    if len(value) > max_chars:
        raise Refusal(413, f"{name}_too_long", f"{name} is limited to {max_chars} characters")
    if required and not value.strip():
        raise Refusal(400, f"empty_{name}", f"{name} is empty")
    return value


def code_source(data: dict[str, Any]) -> str:
    return text_field(data, "source", max_chars=MAX_SOURCE_CHARS)


def program_input(data: dict[str, Any]) -> str:
    return text_field(data, "stdin", max_chars=MAX_STDIN_CHARS, required=False)
