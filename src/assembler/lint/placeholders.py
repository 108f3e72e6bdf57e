"""Placeholders: template syntax and fill-in markers that reached a generated file.

Checked in the rendered outputs, outside code (fenced blocks and inline code
spans), and reported at the manifest, block or config line they came from.
Manifests are not templates, so ``{{ vars.x }}`` written in a manifest field
arrives in the output as it is; that is the typical AA401.
"""

from __future__ import annotations

import re
from typing import Iterator

from .context import LintContext, Needs, prose_line_findings
from .rules import Finding, Rule

RULES = (
    Rule("AA401", "unrendered-template", "placeholders", "error",
         "`{{ … }}` or `{% … %}` left as text in a generated file"),
    Rule("AA402", "fill-in-placeholder", "placeholders", "error",
         "a fill-in marker such as `<FILL ME>`, `<TODO>` or `TODO:` left in a generated file"),
)

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\{%")
_FILL_IN = re.compile(
    r"<\s*(?:fill[\s_-]*(?:me|in)|todo|tbd|fixme|placeholder|change[\s_-]*me|insert\b[^<>\n]*)\s*>"
    r"|\[\s*(?:todo|tbd|fixme)\s*\]|lorem ipsum",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\b(?:TODO|FIXME|TBD|XXX)\b:")
# Every match holds one of these.
PLACEHOLDER_TEXT = Needs(("{{", "{%", "<", "[", "TODO:", "FIXME:", "TBD:", "XXX:"), ("lorem",))
LINE_NEEDS = (PLACEHOLDER_TEXT,)


def check(ctx: LintContext) -> Iterator[Finding]:
    found = prose_line_findings(ctx.outputs, PLACEHOLDER_TEXT, problems)
    if ctx.catalog.settings.config.block_syntax == "verbatim":  # `{{` there is meant literally
        return (finding for finding in found if finding.code != "AA401")
    return found


def problems(line: str) -> Iterator[tuple[str, int, str, str, str]]:
    """``(code, column, message, hint, matched text)`` for each placeholder on a prose line."""
    match = _TEMPLATE.search(line)
    if match:
        yield ("AA401", match.start() + 1,
               "template syntax `{{ … }}` / `{% … %}` was not rendered",
               "manifest and config text is not a template: write the value itself, or move "
               "the text into a block where `{{ vars.x }}` is rendered", match.group(0))
    for found in (*_FILL_IN.finditer(line), *_MARKER.finditer(line)):
        yield ("AA402", found.start() + 1, f"placeholder `{found.group(0)}` was never filled in",
               "replace it with the real text, or remove it", found.group(0))
