"""Text splicing: a bug is one edit of the original source's text, so formatting and comments stay as the
author wrote them. Offsets are Python string indices into the original."""

from __future__ import annotations

from dataclasses import dataclass

BUG_TYPES = ("syntax", "logic", "runtime", "type")


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "replacement": self.replacement}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Edit:
        return cls(int(data["start"]), int(data["end"]), str(data["replacement"]))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Candidate:
    """A place a bug of ``type`` could go, found by an injector: one edit inside one top-level function."""

    type: str
    function: str  # the Python name of the function (its tests' ``call``), or the source name of a helper
    edit: Edit
    description: str  # what the edit does, in words, for instructors


def apply(text: str, edits: list[Edit] | tuple[Edit, ...]) -> str:
    """``text`` with every edit applied. Edits must not overlap."""
    out, position = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < position:
            raise ValueError("overlapping edits")
        out += [text[position:edit.start], edit.replacement]
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def moved(offset: int, edits: list[Edit] | tuple[Edit, ...]) -> int:
    """Where ``offset`` of the original lands once ``edits`` are applied (an edit starting there counts as after)."""
    return offset + sum(len(e.replacement) - (e.end - e.start) for e in edits if e.end <= offset and e.start < offset)


def line_of(text: str, offset: int) -> int:
    """1-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


def lines_around(text: str, start: int, end: int) -> str:
    """The whole lines that ``text[start:end]`` touches (the line of ``start`` when the span is empty)."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", max(start, end - 1))
    return text[first:len(text) if last < 0 else last]
