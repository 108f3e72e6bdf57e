"""Kiro agents in the Markdown form of Kiro IDE 1.x and CLI 3.x: ``.kiro/agents/<id>.md``.

Kiro names an agent by its path under the folder, so a manifest in a
subfolder keeps it (``team/reviewer``), and ``name`` is written as that same
path so that the two cannot disagree. Frontmatter: ``name``, ``description``,
``model`` through the config's `[models]` aliases (a Kiro model id;
``inherit``: no ``model``), ``tools`` as Kiro 3 tags, then ``permissions``,
``welcomeMessage``, ``resources`` and ``includeMcpJson`` from `[targets.kiro]`.

Tools: ``Read``, ``Grep``, ``Glob``: read; ``Edit``, ``Write``,
``NotebookEdit``: write; ``Bash``, ``PowerShell``: shell; ``WebFetch``,
``WebSearch``: web; ``Agent``, ``Task``: subagent; an MCP server
(``mcp__github``) is ``@github``. Kiro grants MCP servers whole, so a single
MCP tool has no counterpart, nor has any other tool (``TodoWrite``, say;
skills are given as ``skill://`` entries of ``resources``): each is an error
at its manifest line. `[targets.kiro] tools` replaces the tags with Kiro's own.

No Kiro client installs from the package registries: the fields, the tags and
the ``permissions`` shape (``capability``, ``effect``, ``match``) follow Kiro's
published format and are checked here by schema only, not by Kiro itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..compose.composition import Value
from .markdown import MarkdownTarget, entry
from .options import TargetOptions, fields, resolve_model
from .tools import check_tools, mcp_parts, translate, unknown_tools

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog

TOOLS = {
    "Read": ("read",), "Grep": ("read",), "Glob": ("read",),
    "Edit": ("write",), "Write": ("write",), "NotebookEdit": ("write",),
    "Bash": ("shell",), "PowerShell": ("shell",), "WebFetch": ("web",), "WebSearch": ("web",),
    "Agent": ("subagent",), "Task": ("subagent",),
}


def _server(server: str, tool: str | None) -> str | None:
    return f"@{server}" if tool is None else None


def _hint(tool: str) -> str:
    parts = mcp_parts(tool)
    if parts is not None:
        return (f"Kiro grants an MCP server whole: write `mcp__{parts[0]}`, or list Kiro's own "
                "tags in [targets.kiro] tools")
    if tool == "Skill":
        return "give the skills as `skill://` entries of [targets.kiro] resources instead"
    return ("remove it, list Kiro's own tags in [targets.kiro] tools, or switch the target off "
            "for this agent: [targets.kiro] enabled = false")


class KiroPermission(BaseModel):
    """One `[[targets.kiro.permissions]]` entry."""

    model_config = ConfigDict(extra="forbid", strict=True)

    capability: str = Field(min_length=1)
    effect: Literal["allow", "deny", "ask"]
    match: list[str] | None = None


class KiroOptions(TargetOptions):
    """`[targets.kiro]`: agent fields of Kiro's Markdown form."""

    tools: list[str] | None = None  # Kiro's own tags, instead of the translation
    permissions: list[KiroPermission] | None = None
    welcomeMessage: str | None = Field(default=None, min_length=1)
    resources: list[str] | None = None
    includeMcpJson: bool | None = None


class Kiro(MarkdownTarget):
    name = "kiro"
    default_folder = ".kiro/agents"
    label = "Kiro"
    unnamed = "path"  # Kiro knows an agent by its path under the folder
    defaults = ("name",)  # an adopted file without `name` keeps none: the path names it
    options = KiroOptions
    passthrough = ("permissions", "welcomeMessage", "resources", "includeMcpJson")

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)
        if "tools" in fields(self, catalog.settings, agent):
            unknown_tools(agent, diagnostics)
        else:
            check_tools(agent, self.name, TOOLS, _server, diagnostics, _hint)

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        values = fields(self, catalog.settings, agent)
        out = [entry(agent, "name", agent.output_id, ("name",))]
        out += self.name_and_description(agent, name=False)
        out += self.model_entry(catalog, agent)
        if "tools" in values:
            out.append(self.option_entry(catalog, agent, "tools", values["tools"]))
        elif agent.manifest.tools:
            out.append(entry(agent, "tools", translate(agent, self.name, TOOLS, _server, None),
                             ("tools",)))
        out += self.passed(catalog, agent)
        return out
