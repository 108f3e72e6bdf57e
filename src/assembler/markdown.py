"""Just enough Markdown for the rules: code to skip, headings, links, anchors.

This is a line scanner, not a full CommonMark parser: fenced code (``` and
~~~) and inline code spans are recognised so rules can skip them, ATX
headings (``# Title``) are found outside code, and links are
``[text](target)``, ``![alt](target)`` and ``[id]: target`` definitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Iterable

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# The text is optional and lazy, so `# #` is an empty heading with a closing sequence.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}")
_MARKUP = re.compile(r"[*_`]")
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_RULE_LINE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
TOC_TITLES = {"table of contents", "contents", "toc", "on this page"}
FENCE_TEXT = ("```", "~~~")  # a line holds one of these to be a fence


@dataclass(frozen=True)
class Heading:
    """An ATX heading: 1-based line, level 1–6, text as written, and its comparison key."""

    line: int
    level: int
    text: str

    @cached_property
    def key(self) -> str:
        return normalize(self.text)

    @property
    def marker(self) -> str:
        return f"{'#' * self.level} {self.text}"


@lru_cache(maxsize=4096)  # the same headings recur in every agent that shares a block
def normalize(text: str) -> str:
    """Heading text for comparison: no comments or emphasis marks, single spaces, case-folded."""
    text = _JINJA_COMMENT.sub("", _HTML_COMMENT.sub("", text))
    return " ".join(_MARKUP.sub("", text).split()).casefold()


def in_code(lines: list[str], fences: Iterable[int] | None = None) -> list[bool]:
    """For each line, whether it belongs to a fenced code block (fence lines included).

    ``fences``: the indices, in order, of the only lines that may be fences (those with
    three backticks or tildes); by default every line is tried.
    """
    flags = [False] * len(lines)
    fence: str | None = None
    opened = 0
    for index in range(len(lines)) if fences is None else fences:
        line = lines[index]
        match = _FENCE.match(line)
        if fence is None:
            # a backtick fence's info string holds no backtick (else it is inline code)
            if match and not (match.group(1)[0] == "`" and "`" in line[match.end():]):
                fence, opened = match.group(1), index
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line.strip(" \t\r\n").strip(fence[0]):  # only spaces and tabs may follow
            flags[opened:index + 1] = [True] * (index + 1 - opened)
            fence = None
    if fence is not None:  # never closed: code to the end
        flags[opened:] = [True] * (len(lines) - opened)
    return flags


def mask_inline_code(line: str) -> str:
    """The line with inline code spans blanked out, so columns stay where they were."""
    if "`" not in line:
        return line
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def inline_code_spans(line: str) -> list[tuple[int, str]]:
    """``(column, content)`` of each inline code span of a line (0-based column of the content)."""
    return [(m.start(2), m.group(2)) for m in _INLINE_CODE.finditer(line)]


def heading_text(line: str) -> str | None:
    """The text of the ATX heading on ``line``, without its marks, or None for any other line.

    Fenced code is not considered here: :func:`headings` skips the lines inside it.
    """
    match = _HEADING.match(line)
    return (match.group(2) or "").strip() if match else None


def headings(lines: list[str], first: int = 0, code: list[bool] | None = None,
             marked: Iterable[int] | None = None) -> list[Heading]:
    """The ATX headings outside code, from line index ``first`` on.

    ``code`` is ``in_code(lines)``; ``marked``, the indices (in order) of the only lines
    that may be headings (those with a ``#``); by default every line is tried.
    """
    code = in_code(lines) if code is None else code
    found = []
    for index in range(len(lines)) if marked is None else marked:
        if index < first or code[index]:
            continue
        match = _HEADING.match(lines[index])
        if match:
            found.append(Heading(index + 1, len(match.group(1)), (match.group(2) or "").strip()))
    return found


def is_blank(line: str) -> bool:
    """Blank for the purpose of "is this section empty": whitespace, comments, ``---``."""
    if "<!--" in line or "{#" in line:
        line = _JINJA_COMMENT.sub("", _HTML_COMMENT.sub("", line))
    stripped = line.strip()
    return not stripped or bool(_RULE_LINE.match(stripped))


def list_item(line: str) -> str | None:
    match = _LIST_ITEM.match(line)
    return match.group(1).strip() if match else None


def link_targets(line: str) -> list[tuple[int, str]]:
    """``(column, target)`` of every link on a (code-masked) line; column is 0-based."""
    found = [(m.start(1), m.group(1)) for m in LINK.finditer(line)]
    definition = LINK_DEFINITION.match(line)
    if definition:
        found.append((definition.start(1), definition.group(1)))
    return [(column, target.strip("<>")) for column, target in found]


def slug(text: str) -> str:
    """The anchor a heading gets on GitHub-style renderers (``## Foo bar`` → ``foo-bar``)."""
    text = normalize(text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(lines: list[str], code: list[bool] | None = None,
            marked: Iterable[int] | None = None) -> set[str]:
    """Every heading anchor of a document, with ``-1``, ``-2`` … for repeated headings."""
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(lines, 0, code, marked):
        base = slug(heading.text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result
