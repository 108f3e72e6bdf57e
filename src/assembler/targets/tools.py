"""One tool vocabulary in manifests, translated per target.

Manifests name tools as Claude Code does (``Read``, ``Edit``, ``Bash``,
``mcp__github__create_issue``, …). Each target translates that list into its
own words (:func:`translate`); a tool a target has no word for is reported at
the manifest line, never dropped. Targets with no tool list at all (Cursor,
Codex) express what they can: an agent that cannot change anything is
read-only there (:func:`read_only`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog
    from .base import Target

# Every tool a manifest may name: Claude Code's own tool names.
CANONICAL = (
    "Agent", "Task", "Bash", "PowerShell", "Read", "Write", "Edit", "NotebookEdit", "Glob",
    "Grep", "LSP", "WebFetch", "WebSearch", "Skill", "TodoWrite", "TaskCreate", "TaskGet",
    "TaskList", "TaskUpdate", "TaskStop", "Monitor", "ToolSearch", "SendMessage", "ListAgents",
    "EnterWorktree", "ExitWorktree", "AskUserQuestion", "EnterPlanMode", "ExitPlanMode",
    "Artifact", "CronCreate", "CronDelete", "CronList",
)
# Tools that change files or run commands: an agent without them cannot change anything.
WRITING = frozenset({"Bash", "PowerShell", "Write", "Edit", "NotebookEdit"})
_MCP = re.compile(r"^mcp__(?P<server>[A-Za-z0-9_-]+?)(?:__(?P<tool>[A-Za-z0-9_*-]+))?$")

Table = dict[str, tuple[str, ...]]  # canonical name -> the target's names (empty: none)
McpNamer = Callable[[str, "str | None"], "str | None"]  # (server, tool or None) -> name


def mcp_parts(tool: str) -> tuple[str, str | None] | None:
    """``("github", "create_issue")`` for ``mcp__github__create_issue``; None if not MCP."""
    match = _MCP.match(tool)
    if match is None:
        return None
    name = match["tool"]
    return match["server"], None if name in (None, "*") else name


def read_only(tools: list[str]) -> bool:
    """True when a tool list is given and holds nothing that writes or runs commands."""
    return bool(tools) and not WRITING.intersection(tools) and not any(
        t.startswith("mcp__") for t in tools)


def translate(agent: "Agent", target: str, table: Table, mcp: McpNamer | None,
              diagnostics: "Diagnostics | None", withheld: dict[str, str] | None = None
              ) -> list[str]:
    """The agent's tools in ``target``'s words, in order, without duplicates.

    A tool with no counterpart is reported at its manifest line (when
    ``diagnostics`` is given) and left out of the result. ``withheld`` names the
    tools the target has but never gives a subagent, each with the reason; they
    are reported the same way, with that reason.
    """
    out: list[str] = []
    for index, tool in enumerate(agent.manifest.tools):
        if withheld and tool in withheld:
            if diagnostics is not None:
                diagnostics.error(
                    agent.source, *agent.document.locate(("tools", index), value=True),
                    f"tool `{tool}` is not available to subagents in target {target}: "
                    f"{withheld[tool]}",
                    f"remove it, or switch the target off for this agent: "
                    f"[targets.{target}] enabled = false")
            continue
        parts = mcp_parts(tool)
        if parts is not None:
            name = mcp(*parts) if mcp is not None else None
            names: tuple[str, ...] = (name,) if name else ()
        else:
            names = table.get(tool, ())
        if not names:
            if diagnostics is not None:
                diagnostics.error(
                    agent.source, *agent.document.locate(("tools", index), value=True),
                    f"tool `{tool}` has no counterpart in target {target}",
                    f"remove it, list the tool's own names in [targets.{target}] tools, or "
                    f"switch the target off for this agent: [targets.{target}] enabled = false")
            continue
        for name in names:
            if name not in out:
                out.append(name)
    return out


def check_tool_list(target: "Target", catalog: "Catalog", agent: "Agent", table: Table,
                    mcp: McpNamer | None, native_problem: "NativeProblem", withheld: dict[str, str],
                    diagnostics: "Diagnostics") -> None:
    """The tools of a target with a tool list: its own names in `[targets.<name>] tools`
    (each checked by ``native_problem``), or the manifest's, translated; a misspelt
    manifest tool is reported once, as a misspelling."""
    from ..diagnostics import Diagnostics
    from .options import fields

    if "tools" in fields(target, catalog.settings, agent):
        check_native(target, catalog, agent, "tools", native_problem, diagnostics)
        return
    misspelt = Diagnostics()
    unknown_tools(agent, misspelt)
    diagnostics.extend(misspelt)
    if not misspelt:
        translate(agent, target.name, table, mcp, diagnostics, withheld)


def unknown_tools(agent: "Agent", diagnostics: "Diagnostics") -> None:
    """Tools outside the canonical vocabulary are misspellings, whatever the target."""
    from ..diagnostics import did_you_mean

    for index, tool in enumerate(agent.manifest.tools):
        if tool not in CANONICAL and mcp_parts(tool) is None:
            diagnostics.error(
                agent.source, *agent.document.locate(("tools", index), value=True),
                f"unknown tool `{tool}`",
                did_you_mean(tool, CANONICAL, "tools")
                or "tools are named as in Claude Code (`Read`, `Bash`, `mcp__server__tool`)")


NativeProblem = Callable[[str], "tuple[str, str] | None"]  # a name -> (message, hint) or None


def check_native(target: "Target", catalog: "Catalog", agent: "Agent", key: str,
                 problem: NativeProblem, diagnostics: "Diagnostics") -> None:
    """Each name of a `[targets.<name>] <key>` list (the tool's own tool names) that
    ``problem`` refuses, at its line in the manifest or the config."""
    from .options import fields, where

    values = fields(target, catalog.settings, agent).get(key)
    if not isinstance(values, list):
        return
    kind, loc = where(target, catalog.settings, agent, key)
    document = agent.document if kind == "manifest" else catalog.settings.document
    if document is None:
        return
    path = agent.source if kind == "manifest" else document.path
    for index, name in enumerate(values):
        found = problem(name) if isinstance(name, str) else None
        if found is not None:
            diagnostics.error(path, *document.locate((*loc, index), value=True), *found)
def check_tools(agent: "Agent", target: str, table: Table, mcp: McpNamer | None,
                diagnostics: "Diagnostics", hint: "Callable[[str], str] | None" = None) -> None:
    """Report, once each, the manifest's tools that ``target`` cannot carry.

    A tool outside the canonical vocabulary is a misspelling (with a
    did-you-mean); a known tool without a word in ``table`` (or an MCP tool
    ``mcp`` has no name for) has no counterpart, and ``hint(tool)``, when
    given, says what to do instead.
    """
    from ..diagnostics import did_you_mean

    for index, tool in enumerate(agent.manifest.tools):
        at = agent.document.locate(("tools", index), value=True)
        parts = mcp_parts(tool)
        if tool not in CANONICAL and parts is None:
            diagnostics.error(
                agent.source, *at, f"unknown tool `{tool}`",
                did_you_mean(tool, CANONICAL, "tools")
                or "tools are named as in Claude Code (`Read`, `Bash`, `mcp__server__tool`)")
            continue
        if parts is not None:
            known = mcp is not None and bool(mcp(*parts))
        else:
            known = bool(table.get(tool))
        if not known:
            diagnostics.error(
                agent.source, *at, f"tool `{tool}` has no counterpart in target {target}",
                (hint(tool) if hint is not None else None)
                or f"remove it, or switch the target off for this agent: "
                   f"[targets.{target}] enabled = false")
