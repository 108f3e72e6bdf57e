"""Factory Droid custom droids: ``.factory/droids/<name>.md``.

Droid reads only the top level of the folder, so a manifest in a subfolder
(``ml/dataset-auditor``) is written under its name alone
(``dataset-auditor.md``), and two manifests of one name in different
subfolders are an error at the second one's ``name``.

Frontmatter: ``name`` (Droid takes ``[a-z0-9_-]``, which every manifest name
satisfies), ``description``, ``model`` through the config's `[models]`
aliases (a model id; ``inherit``: no ``model``, the parent's), then
``reasoningEffort`` (which Droid ignores, with a warning, when the model is
inherited), ``tools`` and ``mcpServers``. ``tools`` are Droid's own
names: ``Read``: Read and LS; ``Grep``, ``Glob``, ``Edit``, ``WebSearch``,
``TodoWrite``, ``Skill``, ``ToolSearch``, ``TaskStop``: the same names;
``Write``: Create; ``NotebookEdit``: Edit (Droid has no notebook tool and
edits the ``.ipynb`` text); ``Bash``, ``PowerShell``: Execute; ``WebFetch``:
FetchUrl; ``Agent``, ``Task``: Task. (Droid's AskUser is left out: ``droid exec``
has no such tool, and its validator refuses a droid naming a missing tool.) Droid
grants MCP servers whole, in ``mcpServers``: ``mcp__github`` adds
``github``; a single MCP tool (``mcp__github__create_issue``) has no
counterpart. Any other tool is an error. Droid refuses a tool list with no
built-in tool in it, so an agent whose tools are all MCP is an error too.

Droid warns about a ``description`` over 500 characters but loads it:
`[lint.budgets] targets = ["factory"]` makes lint (AA704) report it.

Checked against Factory's Droid CLI 0.225.2 (npm ``@factory/cli-linux-x64``):
the droid loader and validator inside it (the field names, the name rule, the
tool ids, the 500-character warning, top-level-only loading) and ``droid exec
--list-tools``. Running a droid needs an account, so no generated file was
loaded by Droid itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..compose.composition import Value
from .base import Limit
from .markdown import FlatMarkdownTarget, entry
from .options import TargetOptions, fields, resolve_model
from .tools import check_tools, mcp_parts, translate, unknown_tools

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog
    from .reading import AgentText

TOOLS = {
    "Read": ("Read", "LS"), "Grep": ("Grep",), "Glob": ("Glob",), "Write": ("Create",),
    "Edit": ("Edit",), "NotebookEdit": ("Edit",), "Bash": ("Execute",),
    "PowerShell": ("Execute",), "WebFetch": ("FetchUrl",), "WebSearch": ("WebSearch",),
    "TodoWrite": ("TodoWrite",), "Agent": ("Task",), "Task": ("Task",), "Skill": ("Skill",),
    "ToolSearch": ("ToolSearch",), "TaskStop": ("TaskStop",),
}
DESCRIPTION_LIMIT = 500


def _no_tool(server: str, tool: str | None) -> None:
    return None


def _server(server: str, tool: str | None) -> str | None:
    return server if tool is None else None


def _hint(tool: str) -> str:
    parts = mcp_parts(tool)
    if parts is not None:
        return (f"Droid grants an MCP server whole: write `mcp__{parts[0]}`, or list the "
                "servers in [targets.factory] mcpServers")
    return ("remove it, list Droid's own tool names in [targets.factory] tools, or switch the "
            "target off for this agent: [targets.factory] enabled = false")


class FactoryOptions(TargetOptions):
    """`[targets.factory]`: custom-droid fields of Factory Droid."""

    reasoningEffort: Literal["low", "medium", "high"] | None = None
    tools: list[str] | None = Field(default=None, min_length=1)  # Droid's own names
    mcpServers: list[str] | None = None


class Factory(FlatMarkdownTarget):
    name = "factory"
    default_folder = ".factory/droids"
    label = "Factory Droid"
    options = FactoryOptions
    limits = (
        Limit("factory", "`description`", "characters", DESCRIPTION_LIMIT,
              lambda data, agent: len(agent.manifest.description.strip()), at="description"),
    )

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        self.check_collisions(catalog, agent, diagnostics)
        resolve_model(self, catalog, agent, diagnostics)
        values = fields(self, catalog.settings, agent)
        if "tools" in values:
            unknown_tools(agent, diagnostics)
            return
        before = len(diagnostics)
        check_tools(agent, self.name, TOOLS, _server, diagnostics, _hint)
        if len(diagnostics) == before and agent.manifest.tools and not self._tools(agent):
            diagnostics.error(
                agent.source, *agent.document.locate(("tools",), value=True),
                "target factory needs at least one built-in tool beside MCP servers "
                "(Droid refuses a tool list without one)",
                "add the tools the agent needs (`Read`, say), or list Droid's own names in "
                "[targets.factory] tools")

    def read_values(self, text: "AgentText") -> None:
        """Droid refuses a name outside ``[a-z0-9_-]``."""
        from .reading import NotAnAgent

        name = text.values["name"]
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            raise NotAnAgent(f"Droid refuses the name {name!r}: it takes lowercase letters, "
                             "digits, `_` and `-`", next(e.line for e in text.entries
                                                         if e.key == "name"))

    def _tools(self, agent: "Agent") -> list[str]:
        return translate(agent, self.name, TOOLS, _no_tool, None)

    def _servers(self, agent: "Agent") -> list[str]:
        return translate(agent, self.name, {}, _server, None)

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        values = fields(self, catalog.settings, agent)
        out = self.name_and_description(agent)
        out += self.model_entry(catalog, agent)
        out += self.passed_keys(catalog, agent, ("reasoningEffort",))
        if "tools" in values:
            out.append(self.option_entry(catalog, agent, "tools", values["tools"]))
        elif agent.manifest.tools:
            out.append(entry(agent, "tools", self._tools(agent), ("tools",)))
        if "mcpServers" in values:
            out.append(self.option_entry(catalog, agent, "mcpServers", values["mcpServers"]))
        elif "tools" not in values and (servers := self._servers(agent)):
            out.append(entry(agent, "mcpServers", servers, ("tools",)))
        return out
