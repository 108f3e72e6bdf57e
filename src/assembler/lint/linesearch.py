"""Finding the few lines of a text a rule needs to look at, without visiting every line.

Most rules look for something that cannot be there without some fixed text: a
link needs ``](``, a fence three backticks, a stamp the word ``verified``.
``str.find`` over the whole text finds those pieces at C speed, and only the
lines that hold one are then looked at in Python; on a large catalog that is
a small share of all lines.
"""

from __future__ import annotations

from typing import Iterable, Sequence

# Characters (?i) matches to an ASCII letter although they are not ASCII, and the letter.
_CASE_TWINS = {"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"}


def fold_case(text: str | bytes) -> bytes:
    """``text`` (or its UTF-8) with ASCII letters in lower case, for finding lower-case ASCII
    words wherever ``(?i)`` would find them. Line breaks stay where they were, line for line."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if not data.isascii():
        for twin, letter in _CASE_TWINS.items():
            data = data.replace(twin.encode("utf-8"), letter.encode("ascii"))
    return data.lower()


class LineSearch:
    """The lines of one text, searchable for fixed strings.

    The text is kept as UTF-8: one character beyond Latin-1 anywhere (a dash) would
    make a joined ``str`` take two or four bytes for every character."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.data = b"\n".join(line.encode("utf-8", "surrogatepass") for line in lines)

    def containing(self, needles: Iterable[str] = (), any_case: Iterable[str] = ()) -> list[int]:
        """Indices, in order, of the lines that hold one of ``needles`` as written, or one of
        ``any_case`` (lower-case ASCII words) in any case. No needle holds a line break."""
        return self.containing_each([(tuple(needles), tuple(any_case))])[0]

    def containing_each(self, needs: Sequence[tuple[Sequence[str], Sequence[str]]]
                        ) -> list[list[int]]:
        """:meth:`containing` for each ``(needles, any_case)`` of ``needs``: the text is
        folded to lower case once for all of them, not once for each."""
        folded = fold_case(self.data) if any(any_case for _, any_case in needs) else b""
        found = []
        for needles, any_case in needs:  # `folded` is not kept: it is as large as the text
            hits: set[int] = set()
            for needle in needles:
                _find(self.data, needle.encode("utf-8", "surrogatepass"), b"\n", hits)
            for word in any_case:
                _find(folded, word.encode("ascii"), b"\n", hits)
            found.append(sorted(hits))
        return found


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
