"""Structure: required sections, their order, duplicated, empty and skipped-level headings.

All checks run on the rendered outputs, because that is what an agent reads;
findings about a heading move to the block or manifest line it came from.
"""

from __future__ import annotations

from itertools import islice
from typing import Iterator

from .context import LintContext, Output
from ..markdown import Heading, is_blank, normalize
from .rules import Finding, Rule

RULES = (
    Rule("AA101", "missing-section", "structure", "error",
         "a generated file lacks a section that [lint.required_sections] requires"),
    Rule("AA102", "section-order", "structure", "warning",
         "required sections appear in a different order than configured"),
    Rule("AA103", "duplicate-heading", "structure", "warning",
         "the same heading appears twice at the same level in one generated file"),
    Rule("AA104", "empty-section", "structure", "warning",
         "a heading with nothing under it"),
    Rule("AA105", "heading-level-skip", "structure", "warning",
         "a heading more than one level deeper than the one before it"),
)


def check(ctx: LintContext) -> Iterator[Finding]:
    required = ctx.config.required_sections.agent
    repeats: dict[int, tuple[list[Heading], list[tuple[Heading, Heading]]]] = {}
    blank: dict[str, bool] = {}  # is_blank of each distinct line asked about
    for output in ctx.outputs:
        found = output.body_headings
        yield from _required(output, found, required)
        yield from _duplicates(output, _repeated(found, repeats))
        yield from _empty(output, found, blank)
        yield from _skips(output, found)


def matches_section(heading: Heading, wanted: str) -> bool:
    """``# ESCALATION — when attempts keep failing`` counts as section ``Escalation``."""
    key, want = heading.key, normalize(wanted)
    return key == want or (key.startswith(want) and not key[len(want)].isalnum())


def _manifest_at(output: Output, key: str) -> tuple[int, int]:
    document = output.agent.document
    return document.locate((key,)) if key in document.data else (1, 1)


def _required(output: Output, found: list[Heading], required: list[str]) -> Iterator[Finding]:
    source = output.agent.source
    positions: list[tuple[str, Heading]] = []
    for wanted in required:
        heading = next((h for h in found if matches_section(h, wanted)), None)
        if heading is None:
            yield Finding(
                "AA101", source, *_manifest_at(output, "blocks"),
                f"`{output.path}` has no `{wanted}` section, which [lint.required_sections] "
                "requires in every agent",
                f"add a block that starts with a `{wanted}` heading to this manifest's `blocks` "
                "(or to its role)")
        else:
            positions.append((wanted, heading))
    for (first, earlier), (second, later) in zip(positions, positions[1:]):
        if later.line < earlier.line:
            yield Finding(
                "AA102", source, *_manifest_at(output, "blocks"),
                f"in `{output.path}`, section `{second}` comes before `{first}`; "
                "[lint.required_sections] lists them the other way round",
                "reorder this manifest's `blocks`, or the list in [lint.required_sections]")
            break


def _repeated(found: list[Heading], known: dict[int, tuple[list[Heading], list]]
              ) -> list[tuple[Heading, Heading]]:
    """Each heading that repeats an earlier one of the same level, with that earlier one.

    Outputs that agree on their headings share one list of them (see
    :meth:`~.context.SharedWork.body_headings`), so the answer is kept by the
    list's identity; ``known`` holds the list too, which keeps that identity."""
    entry = known.get(id(found))
    if entry is None:
        seen: dict[tuple[int, str], Heading] = {}
        pairs = []
        for heading in found:
            first = seen.setdefault((heading.level, heading.key), heading)
            if first is not heading:
                pairs.append((heading, first))
        entry = known[id(found)] = (found, pairs)
    return entry[1]


def _duplicates(output: Output, repeats: list[tuple[Heading, Heading]]) -> Iterator[Finding]:
    for heading, first in repeats:
        origin = output.origin(heading.line - 1)
        if origin is not None and origin == output.origin(first.line - 1):
            continue  # one block rendered twice: AA804 reports the cause
        yield _at_heading(
            "AA103", output, heading,
            f"heading `{heading.marker}` repeats an earlier heading of the same level",
            "rename one of the two sections, or merge them")


def _empty(output: Output, found: list[Heading], blank: dict[str, bool]) -> Iterator[Finding]:
    """``blank``: :func:`is_blank` of lines already asked about; outputs share their lines."""
    lines = output.lines
    for index, heading in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else None
        if following is not None and following.level > heading.level:
            continue  # it has subsections; those are checked on their own
        end = following.line - 1 if following is not None else len(lines)
        for line in islice(lines, heading.line, end):
            empty = blank.get(line)
            if empty is None:
                empty = blank[line] = is_blank(line)
            if not empty:
                break
        else:
            yield _at_heading("AA104", output, heading, f"section `{heading.marker}` is empty",
                              "write its content, or remove the heading")


def _skips(output: Output, found: list[Heading]) -> Iterator[Finding]:
    for previous, heading in zip(found, found[1:]):
        if heading.level > previous.level + 1:
            yield _at_heading(
                "AA105", output, heading,
                f"heading `{heading.marker}` skips from level {previous.level} "
                f"to level {heading.level}",
                f"use {'#' * (previous.level + 1)} for this heading, or add the missing level above it")


def _at_heading(code: str, output: Output, heading: Heading, message: str, hint: str) -> Finding:
    snippet = heading.text or heading.marker
    column = output.lines[heading.line - 1].find(snippet) + 1
    return Finding(code, output.path, heading.line, column, message, hint, snippet=snippet)
