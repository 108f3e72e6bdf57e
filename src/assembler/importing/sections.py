"""Markdown sections of agent bodies, and which of them several files share.

A section is a heading line and everything up to the next heading (at any
level; headings inside fenced code do not count: :mod:`assembler.markdown`
finds them, as it does for the linter). The text before the first heading is
the intro. Sections keep every byte; the newlines between them are counted
separately, because the layout puts exactly one blank line there.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

from ..markdown import heading_text, headings
from ..sources.schema import slugify

# Sections every agent has in its own words: never reported as near-duplicates.
PER_AGENT_HEADINGS = {"# ROLE", "# DOMAIN SCOPE", "# HANDOFFS", "# OUTPUT FORMAT",
                      "# FORBIDDEN", "# REFERENCES"}
SIMILAR = 0.6  # share of lines (or of word pairs) from which two variants are near-duplicates


@dataclass(frozen=True)
class Section:
    """One section: its text without trailing newlines, and the newlines after it."""

    text: str
    heading: str | None  # the heading line, or None for the intro
    gap: int  # newlines after the text (2 = one blank line; 0 = end of file, no newline)

    @property
    def title(self) -> str:
        """The heading's text without its marks; empty for the intro."""
        return heading_text(self.heading or "") or ""


def split_sections(text: str) -> tuple[int, list[Section]]:
    """The number of newlines before the first section, and the sections."""
    lead = len(text) - len(text.lstrip("\n"))
    chunks: list[list[str]] = []
    heading_lines: list[str | None] = []
    lines = text[lead:].splitlines(keepends=True)
    starts = {heading.line - 1 for heading in headings(lines)}
    for index, line in enumerate(lines):
        if index in starts:
            chunks.append([])
            heading_lines.append(line.rstrip("\n"))
        if not chunks:
            chunks.append([])
            heading_lines.append(None)
        chunks[-1].append(line)
    sections = []
    for chunk, heading in zip(chunks, heading_lines):
        raw = "".join(chunk)
        core = raw.rstrip("\n")
        sections.append(Section(core, heading, len(raw) - len(core)))
    return lead, sections


def heading_slug(title: str) -> str:
    """A block name or text key from a heading title: lowercase words joined by hyphens.

    At most 60 characters, which leaves room for the ``-2``, ``-3`` … that
    tell apart sections with the same title.
    """
    return slugify(title, "section", limit=60)


def shared_texts(bodies: dict[str, list[Section]], min_shared: int) -> set[str]:
    """Texts of headed sections that appear in at least ``min_shared`` files."""
    counts: Counter[str] = Counter()
    for sections in bodies.values():
        counts.update({s.text for s in sections if s.heading is not None})
    return {text for text, count in counts.items() if count >= min_shared}


@dataclass(frozen=True)
class Variant:
    """One text of a section, and the files that use it."""

    text: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class NearDuplicate:
    """Variants of one section that differ a little: the most used one, and the others."""

    heading: str
    common: Variant
    variants: tuple[Variant, ...]

    @property
    def files(self) -> int:
        """Files involved (each counted once)."""
        return len({f for v in (self.common, *self.variants) for f in v.files})

    @property
    def common_files(self) -> tuple[str, ...]:
        return self.common.files

    @property
    def variant_files(self) -> tuple[str, ...]:
        return self.variants[0].files

    def diff(self, variant: Variant | None = None) -> str:
        """A unified diff from the common text to ``variant`` (the first by default), with
        trailing spaces, tabs and carriage returns made visible on changed lines."""
        other = variant or self.variants[0]
        lines = difflib.unified_diff(
            (self.common.text + "\n").splitlines(keepends=True),
            (other.text + "\n").splitlines(keepends=True),
            f"a/{self.common.files[0].lstrip('/')}", f"b/{other.files[0].lstrip('/')}")
        return "".join(_visible(line) for line in lines)

    def diffs(self) -> list[str]:
        return [self.diff(variant) for variant in self.variants]


_VISIBLE = {" ": "\u00b7", "\t": "\u2192", "\r": "\u240d"}


def _visible(line: str) -> str:
    """A changed diff line with its invisible characters shown: trailing spaces as `·`,
    tabs as `→`, a carriage return as `␍`."""
    if line[:1] not in "-+" or line.startswith(("---", "+++")):
        return line
    body = line[1:].rstrip("\n")
    core = body.rstrip(" \t\r")
    shown = core.replace("\t", _VISIBLE["\t"]).replace("\r", _VISIBLE["\r"]) + "".join(
        _VISIBLE[ch] for ch in body[len(core):])
    return line[0] + shown + "\n"


FEW = 8  # up to this many variants of a heading are all compared with each other
POSTINGS = 64  # a line in more variants than this says nothing about similarity
LINE_SHARE = 0.5  # variants sharing this share of their lines are compared


def _normal(line: str) -> str:
    return " ".join(line.split()).lower()


def near_duplicates(bodies: dict[str, list[Section]]) -> list[NearDuplicate]:
    """Sections under the same heading whose texts differ a little, in groups.

    Candidates are found in linear time: each distinct text is cut into normalised
    lines (spaces collapsed, lowercase), an index maps each line to the texts holding
    it, and only texts that share at least half their lines (or are equal once
    normalised) are compared. Similar texts join one group, reported against the
    variant most files use; a file is never compared with itself. Reported, never
    merged: which one is right is for a person to decide.
    """
    users: dict[str, dict[str, list[str]]] = {}
    for source, sections in bodies.items():
        for section in sections:
            if section.heading is None or section.heading.strip() in PER_AGENT_HEADINGS:
                continue
            key = " ".join(section.heading.split()).lower()
            files = users.setdefault(key, {}).setdefault(section.text, [])
            if not files or files[-1] != source:
                files.append(source)
    found = []
    for variants in users.values():
        if len(variants) >= 2:
            found += _groups(variants)
    return sorted(found, key=lambda d: (-d.files, d.heading, d.common.files))


def _groups(variants: dict[str, list[str]]) -> list[NearDuplicate]:
    texts = list(variants)
    lines = [{_normal(line) for line in text.split("\n")[1:] if line.strip()} for text in texts]
    exact: dict[str, list[int]] = {}
    index: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        body = " ".join(_normal(text.split("\n", 1)[1] if "\n" in text else "").split())
        exact.setdefault(body, []).append(i)
        # Each normalised line, and the first and last words of the body, point at the text:
        # a text edited in one line still shares the others, a one-line text its two ends.
        for key in (*lines[i], "^" + body[:ANCHOR], "$" + body[-ANCHOR:]):
            index.setdefault(key, []).append(i)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for same in exact.values():
        for j in same[1:]:
            parent[root(j)] = root(same[0])
    pairs: set[tuple[int, int]] = set()
    if len(texts) <= FEW:  # a handful of variants: compare them all
        pairs = {(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))}
    else:
        for holders in index.values():
            if 1 < len(holders) <= POSTINGS:
                pairs.update((holders[a], holders[b]) for a in range(len(holders))
                             for b in range(a + 1, len(holders)))
    for i, j in sorted(pairs):
        if root(i) != root(j) and _similar(texts[i], texts[j], lines[i], lines[j]):
            parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(texts)):
        members.setdefault(root(i), []).append(i)
    out = []
    for group in members.values():
        if len(group) < 2:
            continue
        ranked = sorted(group, key=lambda i: (-len(variants[texts[i]]), texts[i]))
        common = Variant(texts[ranked[0]], tuple(variants[texts[ranked[0]]]))
        others = []
        for i in ranked[1:]:
            files = tuple(f for f in variants[texts[i]] if f not in common.files)
            if files:
                others.append(Variant(texts[i], files))
        if others:
            out.append(NearDuplicate(common.text.split("\n", 1)[0], common, tuple(others)))
    return out


ANCHOR = 48  # characters of a body's start and end that index it


def _similar(a: str, b: str, lines_a: set[str], lines_b: set[str]) -> bool:
    """Most lines in common (normalised), or most pairs of consecutive words: a word
    changed in a long paragraph leaves almost all of them."""
    if (lines_a or lines_b) and \
            2 * len(lines_a & lines_b) >= SIMILAR * (len(lines_a) + len(lines_b)):
        return True
    words_a, words_b = _pairs(a), _pairs(b)
    return bool(words_a or words_b) and \
        2 * len(words_a & words_b) >= SIMILAR * (len(words_a) + len(words_b))


def _pairs(text: str) -> set[tuple[str, str]]:
    words = text.lower().split()
    return set(zip(words, words[1:]))
