"""GitHub Copilot custom agents: ``.github/agents/<id>.agent.md``.

Frontmatter: ``name``, ``description``, ``tools`` as Copilot's aliases
(``read``, ``edit``, ``search``, ``execute``, ``agent``, ``web``, ``todo``; an
MCP tool ``server/tool``), ``model``, the Copilot fields of
``[targets.copilot]``, and, with ``handoffs = true`` there, VS Code's
``handoffs`` built from the manifest's ``[[handoff]]`` entries. The body (the
agent layout) must stay within 30,000 characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ..compose.composition import Value
from ..sources.yaml import split_frontmatter
from .base import Limit
from .markdown import MarkdownTarget, entry
from .options import TargetOptions, fields, resolve_model
from .tools import check_tool_list, translate

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog

TOOLS = {
    "Read": ("read",), "Edit": ("edit",), "Write": ("edit",), "NotebookEdit": ("edit",),
    "Grep": ("search",), "Glob": ("search",), "Bash": ("execute",), "PowerShell": ("execute",),
    "Agent": ("agent",), "Task": ("agent",), "WebFetch": ("web",), "WebSearch": ("web",),
    "TodoWrite": ("todo",),
}


def _mcp(server: str, tool: str | None) -> str:
    return f"{server}/{tool or '*'}"


class CopilotOptions(TargetOptions):
    """`[targets.copilot]`: custom-agent fields of GitHub Copilot and VS Code."""

    tools: list[str] | None = None  # Copilot's own names, instead of the translation
    target: Literal["vscode", "github-copilot"] | None = None
    handoffs: bool = False  # write VS Code `handoffs` from [[handoff]]
    metadata: dict[str, str] | None = None
    mcp_servers: dict[str, Any] | None = None


class Copilot(MarkdownTarget):
    name = "copilot"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".github/agents"
    suffix = ".agent.md"
    label = "GitHub Copilot"
    unnamed = "file"
    options = CopilotOptions
    limits = (
        Limit("copilot", "agent body (after the frontmatter)", "characters", 30_000,
              lambda data, agent: len(split_frontmatter(
                  data.decode("utf-8").replace("\r\n", "\n")).body)),
    )

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)
        # Copilot ignores tool names it does not know, so its own names pass as written.
        check_tool_list(self, catalog, agent, TOOLS, _mcp, lambda name: None, {}, diagnostics)

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        values = fields(self, catalog.settings, agent)
        out = self.name_and_description(agent)
        if "tools" in values:
            out.append(self.option_entry(catalog, agent, "tools", values["tools"]))
        elif agent.manifest.tools:
            out.append(entry(agent, "tools", translate(agent, self.name, TOOLS, _mcp, None),
                             ("tools",)))
        out += self.model_entry(catalog, agent)
        for key in ("target", "metadata"):
            if key in values:
                out.append(self.option_entry(catalog, agent, key, values[key]))
        if "mcp_servers" in values:
            out.append(self.option_entry(catalog, agent, "mcp_servers", values["mcp_servers"],
                                   "mcp-servers"))
        if values.get("handoffs") and agent.manifest.handoff:
            handoffs = [{"label": f"Hand off to {h.target}", "agent": h.target.rsplit("/", 1)[-1],
                         "prompt": h.trigger, "send": False} for h in agent.manifest.handoff]
            out.append(entry(agent, "handoffs", handoffs, ("handoff",)))
        return out
