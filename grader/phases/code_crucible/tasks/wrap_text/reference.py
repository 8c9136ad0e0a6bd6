"""Wraps a museum label's text into lines that fit the label printer's card."""

import re

WHITESPACE = re.compile(r"[ \t\n\r]+")


def split_long_word(word: str, width: int) -> list[str]:
    """The word cut into pieces of width characters (the last piece may be shorter)."""
    # >>> TODO: cut the word every width characters
    return [word[start : start + width] for start in range(0, len(word), width)]
    # <<<


def words_of(text: str, width: int) -> list[str]:
    """The words of the text, with every word longer than width already cut into pieces."""
    return [piece for word in WHITESPACE.split(text) if word for piece in split_long_word(word, width)]


def wrap_text(text: str, width: int) -> list[str]:
    """Greedy wrapping: each line takes as many words as fit, with single spaces between them."""
    if width < 1:
        return []
    lines: list[str] = []
    current: list[str] = []
    current_length = 0
    for word in words_of(text, width):
        # >>> TODO: start a new line when the word does not fit after the current line's words
        if current and current_length + 1 + len(word) > width:
            lines.append(" ".join(current))
            current, current_length = [], 0
        current_length += len(word) + (1 if current else 0)
        current.append(word)
        # <<<
    if current:
        lines.append(" ".join(current))
    return lines
