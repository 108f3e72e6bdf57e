"""Frontmatter that strict YAML readers refuse.

The frontmatter the tool writes is quoted where YAML needs it, but a catalog
that keeps an older generator's bytes (``[layout] quote_frontmatter =
false``, or a layout of its own) can write ``description: a: b``: Claude Code
reads it, strict readers such as the Gemini CLI's reject the whole file.
"""

from __future__ import annotations

from typing import Iterator

from ..sources.yaml import FrontmatterError, parse_yaml_mapping
from .context import LintContext
from .rules import Finding, Rule

RULES = (
    Rule("AA106", "invalid-frontmatter", "structure", "warning",
         "a generated file's frontmatter is not valid YAML"),
)


def check(ctx: LintContext) -> Iterator[Finding]:
    for output in ctx.outputs:
        header = header_of(output.lines)
        if header is None:
            continue
        try:
            parse_yaml_mapping(header)
        except FrontmatterError as exc:
            key = header.splitlines()[exc.line - 1].split(":", 1)[0] \
                if 0 < exc.line <= len(header.splitlines()) else ""
            document = output.agent.document
            at = document.locate((key,), value=True) if key in document.data else (1, 1)
            yield Finding(
                "AA106", output.agent.source, *at,
                f"the frontmatter of `{output.path}` is not valid YAML (line {exc.line + 1}: "
                f"{exc}): strict readers, such as the Gemini CLI's, reject the file",
                "reword the value (a `: ` or a leading `#`, `*`, `&`, `[` make YAML misread it), "
                "or let the tool quote it: `[layout] quote_frontmatter = true`",
                "warning")


def header_of(lines: list[str]) -> str | None:
    """``split_frontmatter(text).header`` of the text ``lines`` make, read from the first
    lines alone: joining all of a large output's lines for its few header lines would
    copy the whole file."""
    if len(lines) < 2 or lines[0] != "---":
        return None
    end = next((index for index in range(1, len(lines)) if lines[index] == "---"), None)
    return None if end is None else "".join(line + "\n" for line in lines[1:end])
