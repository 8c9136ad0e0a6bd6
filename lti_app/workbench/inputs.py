"""Validation of what a student sends (JSON bodies, text fields, code). Each problem is a :class:`Refusal`
with a reason code and a sentence.

Checks run before anything is written or queued, so a rejected request changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter

from lti_app.errors import Refusal

MAX_BODY_BYTES = 256 * 1024  # any request larger than this is refused unread
MAX_SOURCE_CHARS = 64 * 1024
MAX_STDIN_CHARS = 64 * 1024
# C0 control characters other than tab, newline and carriage return mark binary data, not text.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ROW_ID = 2**31 - 1  # the largest id a row can have: ids are INTEGER columns (32 bits on PostgreSQL)


class RowIdConverter(IntegerConverter):
    """The app's ``<int:...>`` URL converter: a whole number beyond any row id is refused with a reason
    (404 ``id_out_of_range``) instead of reaching the database, which cannot even compare it."""

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if number > MAX_ROW_ID:
            raise Refusal(404, "id_out_of_range", f"there is no such record: ids are whole numbers up to {MAX_ROW_ID}")
        return number


def _reject_constant(name: str) -> Any:
    raise Refusal(400, "invalid_json", f"send standard JSON: {name} is not a JSON number")


def _check_unicode(data: Any) -> None:
    """JSON can spell a lone surrogate ("\\ud800"), which is not Unicode text: no database, page or stream
    could store or send it, so it is refused here, in keys and values alike."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise Refusal(400, "invalid_json", "send a JSON object that is not nested so deeply") from None
    except UnicodeEncodeError:
        raise Refusal(400, "invalid_text", "the request contains text that is not valid Unicode (a lone "
                                           "surrogate); send plain text") from None


def json_body(max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request's JSON object (or form fields), refusing oversized, non-UTF-8 or malformed bodies.

    A body announcing more than ``max_bytes`` (default ``MAX_BODY_BYTES``) is refused unread; one without a
    length (chunked) was read at most up to the app's body limit (``CR_MAX_REQUEST_KB``,
    lti_app.errors.register_body_limit), so a huge upload costs little.
    """
    too_large = Refusal(413, "request_too_large", f"requests are limited to {max_bytes // 1024} kB")
    if (request.content_length or 0) > max_bytes:
        raise too_large
    if not request.is_json:
        return request.form.to_dict()
    raw = request.get_data(cache=True)  # bounded: by the length checked above, or the app's body limit (chunked)
    if len(raw) > max_bytes:
        raise too_large
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "invalid_encoding", "the request is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)  # NaN, Infinity: Python reads them, JSON has none
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise Refusal(400, "invalid_json", "send a JSON object")
    _check_unicode(data)
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


def from_form() -> bool:
    """The page's plain form (no JavaScript) rather than its script: answered with a page, not JSON."""
    return not request.is_json and request.accept_mimetypes.best != "application/json"
