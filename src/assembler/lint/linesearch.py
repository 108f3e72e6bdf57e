"""Finding the few lines of a text a rule needs to look at, without visiting every line.

Most rules look for something that cannot be there without some fixed text: a
link needs ``](``, a fence three backticks, a stamp the word ``verified``.
``str.find`` over the whole text finds those pieces at C speed, and only the
lines that hold one are then looked at in Python; on a large catalog that is
a small share of all lines.
"""

from __future__ import annotations

from typing import Iterable

# Characters (?i) matches to an ASCII letter although they are not ASCII, and the letter.
_CASE_TWINS = {"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"}


def fold_case(text: str) -> bytes:
    """``text`` as UTF-8 with ASCII letters in lower case, for finding lower-case ASCII words
    wherever ``(?i)`` would find them. Line breaks stay where they were, line for line."""
    if not text.isascii():
        for twin, letter in _CASE_TWINS.items():
            if twin in text:
                text = text.replace(twin, letter)
    return text.encode("utf-8", "surrogatepass").lower()


class LineSearch:
    """The lines of one text, searchable for fixed strings."""

    def __init__(self, lines: list[str], text: str | None = None):
        self.lines = lines
        self.text = "\n".join(lines) if text is None else text  # the lines joined by "\n"
        self._folded: bytes | None = None

    def containing(self, needles: Iterable[str] = (), any_case: Iterable[str] = ()) -> list[int]:
        """Indices, in order, of the lines that hold one of ``needles`` as written, or one of
        ``any_case`` (lower-case ASCII words) in any case. No needle holds a line break."""
        hits: set[int] = set()
        for needle in needles:
            _find(self.text, needle, "\n", hits)
        for word in any_case:
            if self._folded is None:
                self._folded = fold_case(self.text)
            _find(self._folded, word.encode("ascii"), b"\n", hits)
        return sorted(hits)


def _find(haystack, needle, newline, hits: set[int]) -> None:
    """Add the index of each line of ``haystack`` that holds ``needle``."""
    at = haystack.find(needle)
    line = counted = 0
    while at != -1:
        line += haystack.count(newline, counted, at)
        counted = at
        hits.add(line)
        end = haystack.find(newline, at)
        if end == -1:
            return
        at = haystack.find(needle, end + 1)  # on to the next line
