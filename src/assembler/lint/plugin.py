"""Plugin agents: fields Claude Code ignores when an agent comes from a plugin.

A catalog with a ``[plugin]`` table is meant to be shipped with
``assembler build --plugin``. Claude Code does not apply ``hooks``,
``mcpServers`` or ``permissionMode`` to a plugin's agents; set for one of them,
the field does nothing there, silently. The rule says so at the line that sets it.
"""

from __future__ import annotations

from typing import Iterator

from ..targets.options import fields, where
from ..targets.registry import get
from .context import LintContext
from .rules import Finding, Rule

IGNORED = ("hooks", "mcpServers", "permissionMode")

RULES = (
    Rule("AA805", "plugin-ignored-field", "consistency", "warning",
         "a catalog shipped as a Claude Code plugin sets a field plugin agents ignore"),
)


def check(ctx: LintContext) -> Iterator[Finding]:
    catalog = ctx.catalog
    settings = catalog.settings
    if settings.config.plugin is None:
        return
    target = get("claude-code")
    reported: set[tuple[str, str]] = set()
    for agent in catalog.agents:
        if not target.renders(agent):
            continue
        values = fields(target, settings, agent)
        for key in IGNORED:
            if key not in values:
                continue
            kind, loc = where(target, settings, agent, key)
            document = agent.document if kind == "manifest" else settings.document
            if document is None or (document.path, key) in reported and kind == "config":
                continue
            reported.add((document.path, key))
            yield Finding(
                "AA805", document.path, *document.locate(loc),
                f"`{key}` is ignored for the agents of a Claude Code plugin (this catalog has a "
                "[plugin] table)",
                "move the setting to the project's or user's Claude Code settings, or remove it; "
                "it still applies to the agents in the project's own folder")
