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
SIMILAR = 0.6  # SequenceMatcher ratio from which two variants count as near-duplicates


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
class NearDuplicate:
    """Variants of one section that differ a little, with the files using each."""

    heading: str
    common: str  # the most used variant
    common_files: tuple[str, ...]
    variant: str
    variant_files: tuple[str, ...]

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            (self.common + "\n").splitlines(keepends=True),
            (self.variant + "\n").splitlines(keepends=True),
            f"a/{self.common_files[0]}", f"b/{self.variant_files[0]}"))


def near_duplicates(bodies: dict[str, list[Section]]) -> list[NearDuplicate]:
    """Sections under the same heading whose texts differ a little.

    Each variant is compared with the variant most files use; they are
    reported, never merged: which one is right is for a person to decide.
    """
    users: dict[str, dict[str, list[str]]] = {}
    for source, sections in bodies.items():
        for section in sections:
            if section.heading is None or section.heading.strip() in PER_AGENT_HEADINGS:
                continue
            key = " ".join(section.heading.split()).lower()
            files = users.setdefault(key, {}).setdefault(section.text, [])
            if source not in files:
                files.append(source)
    found = []
    for variants in users.values():
        if len(variants) < 2:
            continue
        ranked = sorted(variants.items(), key=lambda item: (-len(item[1]), item[0]))
        common, common_files = ranked[0]
        for text, files in ranked[1:]:
            if difflib.SequenceMatcher(None, common, text, autojunk=False).ratio() >= SIMILAR:
                found.append(NearDuplicate(common.split("\n", 1)[0], common, tuple(common_files),
                                           text, tuple(files)))
    return sorted(found, key=lambda d: (d.heading, d.variant_files))
