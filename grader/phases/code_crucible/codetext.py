"""Reading C-like source text (JavaScript, Java) without a parser: comments and literals blanked out, braces
matched, names spelled per language. Plain text in, plain text out; linear in the input and never raises on
malformed code (student code is analysed with it too), so an unterminated string simply runs to the end.
"""

from __future__ import annotations

import re

# After one of these characters (or at the start), a "/" in JavaScript starts a regular expression literal.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw",
                   "instanceof", "yield", "await"}


def camel_name(name: str) -> str:
    """The JavaScript and Java spelling of a Python name: format_receipt -> formatReceipt."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _previous_word(out: list[str]) -> str:
    text = "".join(out[-12:]).rstrip()
    match = re.search(r"([A-Za-z_$][\w$]*)$", text)
    return match.group(1) if match else ""


def blank_code(source: str, language: str) -> str:
    """``source`` with the contents of comments, strings, character, template and regular-expression literals
    replaced by spaces (newlines kept), so offsets and line numbers stay the same and every brace, parenthesis
    and keyword left is code. ``language``: "javascript" or "java"."""
    out: list[str] = []
    n = len(source)
    i = 0
    templates: list[int] = []  # JavaScript: brace depth at which each open ${...} resumes its template
    depth = 0
    last_significant = ""

    def blank(text: str) -> None:
        out.append("".join("\n" if c == "\n" else " " for c in text))

    while i < n:
        c = source[i]
        nxt = source[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            end = source.find("\n", i)
            end = n if end < 0 else end
            blank(source[i:end])
            i = end
            continue
        if c == "/" and nxt == "*":
            end = source.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(source[i:end])
            i = end
            continue
        if language == "java" and source.startswith('"""', i):
            end = source.find('"""', i + 3)
            end = n if end < 0 else end + 3
            blank(source[i:end])
            last_significant = '"'
            i = end
            continue
        if c in "\"'" or (c == "`" and language == "javascript"):
            j = i + 1
            while j < n:
                if source[j] == "\\":
                    j += 2
                    continue
                if source[j] == c:
                    j += 1
                    break
                if c == "`" and source.startswith("${", j):
                    break
                if source[j] == "\n" and c != "`":
                    break  # an unterminated string ends with its line
                j += 1
            if c == "`" and source.startswith("${", j):
                blank(source[i:j])
                out.append("  ")
                templates.append(depth)
                depth += 1
                i = j + 2
                last_significant = "{"
                continue
            blank(source[i:min(j, n)])
            last_significant = '"'
            i = j
            continue
        if language == "javascript" and c == "/" and (
                last_significant in _REGEX_AFTER or last_significant == ""
                or (last_significant.isalpha() and _previous_word(out) in _REGEX_KEYWORDS)):
            j = i + 1
            in_class = False
            while j < n and source[j] != "\n":
                if source[j] == "\\":
                    j += 2
                    continue
                if source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                elif source[j] == "/" and not in_class:
                    j += 1
                    break
                j += 1
            while j < n and (source[j].isalnum()):
                j += 1  # flags
            blank(source[i:j])
            last_significant = '"'
            i = j
            continue
        if c == "}" and templates and templates[-1] == depth - 1:
            # the end of a ${...}: back inside the template literal
            depth -= 1
            templates.pop()
            j = i + 1
            while j < n:
                if source[j] == "\\":
                    j += 2
                    continue
                if source[j] == "`":
                    j += 1
                    break
                if source.startswith("${", j):
                    break
                j += 1
            if source.startswith("${", j):
                blank(source[i:j])
                out.append("  ")
                templates.append(depth)
                depth += 1
                i = j + 2
                last_significant = "{"
                continue
            blank(source[i:min(j, n)])
            last_significant = '"'
            i = j
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        out.append(c)
        if not c.isspace():
            last_significant = c
        i += 1
    return "".join(out)


def matching_brace(code: str, open_index: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``open_index`` in blanked code, or -1 if it never closes."""
    depth = 0
    for index in range(open_index, len(code)):
        char = code[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def line_of(text: str, index: int) -> int:
    """1-based line number of ``index`` in ``text``."""
    return text.count("\n", 0, index) + 1
