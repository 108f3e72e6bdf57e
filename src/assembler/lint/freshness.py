"""Freshness: ``verified`` stamps that are too old to trust, and deprecations without an end.

Dates are compared with ``ctx.today``, which the command line sets from
``--today`` or the system date; rules never read the clock themselves.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from .context import LintContext, Needs, prose_line_findings
from .rules import Finding, Rule

RULES = (
    Rule("AA501", "stale-verified-stamp", "freshness", "warning",
         "a `verified YYYY-MM` stamp older than `freshness_months`"),
    Rule("AA502", "undatable-verified-stamp", "freshness", "warning",
         "a `verified` stamp without a year, with an impossible month, or in the future"),
    Rule("AA503", "removal-date-passed", "freshness", "error",
         "a deprecated agent or block is still here after its `removed_after` date"),
    Rule("AA504", "deprecated-without-date", "freshness", "warning",
         "an agent or block is marked deprecated but has no `removed_after` date"),
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")], start=1)
    for name in names
}
_STAMP = re.compile(
    r"\bverified\b[:\s]+(?:(?P<year>\d{4})[-/](?P<month>\d{1,2})(?:[-/]\d{1,2})?\b"
    r"|(?P<name>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b(?:,?\s+(?P<named_year>\d{4})\b)?)",
    re.IGNORECASE,
)


STAMP_TEXT = Needs(any_case=("verified",))  # every stamp says it
LINE_NEEDS = (STAMP_TEXT,)


def check(ctx: LintContext) -> Iterator[Finding]:
    yield from _stamps(ctx)
    yield from _deprecations(ctx)


def _stamps(ctx: LintContext) -> Iterator[Finding]:
    return prose_line_findings(
        ctx.outputs, STAMP_TEXT,
        lambda line: judge_stamps(line, ctx.today, ctx.config.freshness_months))


def judge_stamps(line: str, today: date, limit: int) -> Iterator[tuple[str, int, str, str, str]]:
    """``(code, column, message, hint, stamp)`` for each stamp on a line that is a problem."""
    now = today.year * 12 + today.month
    for match in _STAMP.finditer(line):
        stamp, column = match.group(0), match.start() + 1
        if match.group("year"):
            year, month = int(match.group("year")), int(match.group("month"))
        elif match.group("named_year"):
            year, month = int(match.group("named_year")), MONTHS[match.group("name").lower()]
        else:
            yield ("AA502", column, f"`{stamp}` has no year, so its age is unknown",
                   "write the full date it was checked, e.g. `verified 2026-03`", stamp)
            continue
        if not 1 <= month <= 12:
            yield ("AA502", column, f"`{stamp}` is not a real month",
                   "write the date as `verified YYYY-MM`", stamp)
            continue
        age = now - (year * 12 + month)
        if age < 0:
            yield ("AA502", column, f"`{stamp}` lies in the future",
                   "correct the date to when the fact was checked", stamp)
        elif age > limit:
            yield ("AA501", column, f"`{stamp}` is {age} months old (limit: {limit})",
                   "check the fact again against its source and update the date, or remove the fact",
                   stamp)


def _deprecations(ctx: LintContext) -> Iterator[Finding]:
    for agent in ctx.catalog.agents:
        manifest = agent.manifest
        if not (manifest.deprecated or manifest.removed_after):
            continue
        document = agent.document
        key = "removed_after" if manifest.removed_after else "deprecated"
        yield from deprecation(ctx, f"agent `{agent.id}`", agent.source,
                                document.locate((key,), value=key == "removed_after"),
                                manifest.removed_after, f"`removed_after = {example(ctx)}`")
    for name, block in sorted(ctx.catalog.blocks.items()):
        meta = block.meta
        if not (meta.deprecated or meta.removed_after):
            continue
        key = "removed_after" if meta.removed_after else "deprecated"
        file = ctx.files.get(block.path)
        lines = file.lines if file is not None else []
        line = next((n + 1 for n, text in enumerate(lines[: block.body_line])
                     if text.startswith(f"{key}:")), 1)
        yield from deprecation(ctx, f"block `{name}`", block.path, (line, 1),
                                meta.removed_after, f"`removed_after: {example(ctx)}` to its frontmatter")


def deprecation(ctx: LintContext, what: str, path: str, at: tuple[int, int],
                removed_after: date | None, example: str) -> Iterator[Finding]:
    """AA504 for a deprecation without a date, AA503 once ``removed_after`` has passed."""
    if removed_after is None:
        yield Finding("AA504", path, *at, f"{what} is deprecated but has no removal date",
                      f"add {example}, so readers know when it goes")
    elif ctx.today > removed_after:
        yield Finding("AA503", path, *at,
                      f"{what} was due for removal after {removed_after.isoformat()}",
                      "remove it (and everything that refers to it), or set a new date "
                      "with the reason it stays")


def example(ctx: LintContext) -> str:
    """A removal date to suggest: the first of the month three months from today."""
    year, month = divmod(ctx.today.year * 12 + ctx.today.month - 1 + 3, 12)
    return date(year, month + 1, 1).isoformat()
