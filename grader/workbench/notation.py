"""Values written the way the student's language writes them: Python ``True``/``None``/``'a'``, JavaScript
and Java ``true``/``null``/``"a"``. Test inputs, expected and actual values are JSON-like data; a student
reading Python should not have to translate JSON's ``true``."""

from __future__ import annotations

import json
import math
from typing import Any


def literal(value: Any, language: str) -> str:
    if language == "python":
        return _python(value)
    return _c_like(value, language)


def call(function_name: str, args: list[Any], language: str) -> str:
    return f"{function_name}({', '.join(literal(a, language) for a in args)})"


def _python(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "float('nan')" if math.isnan(value) else ("float('inf')" if value > 0 else "-float('inf')")
    if isinstance(value, bool | int | float | str) or value is None:
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_python(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_python(k)}: {_python(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _c_like(value: Any, language: str) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        names = {"javascript": ("NaN", "Infinity"), "java": ("Double.NaN", "Double.POSITIVE_INFINITY")}
        nan, inf = names.get(language, ("NaN", "Infinity"))
        return nan if math.isnan(value) else (inf if value > 0 else "-" + inf)
    if isinstance(value, int | float | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        inner = ", ".join(_c_like(v, language) for v in value)
        return ("List.of(" + inner + ")") if language == "java" else "[" + inner + "]"
    if isinstance(value, dict):
        if language == "java":
            pairs = (f"{_c_like(k, language)}, {_c_like(v, language)}" for k, v in value.items())
            return "Map.of(" + ", ".join(pairs) + ")"
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_c_like(v, language)}" for k, v in value.items()) + "}"
    return json.dumps(value, default=str)
