"""Cursor subagents: ``.cursor/agents/<id>.md``.

Frontmatter: ``name``, ``description``, ``model`` and the Cursor fields of
``[targets.cursor]``. Cursor has no tool list; its one restriction is
``readonly``, which an agent gets when its tools cannot change anything (no
``Bash``, ``Write``, ``Edit``, ``NotebookEdit`` or MCP tool). Any other agent
runs with Cursor's full tool set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..compose.composition import Value
from .markdown import MarkdownTarget, entry
from .options import TargetOptions, fields, resolve_model
from .tools import read_only, unknown_tools

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog


class CursorOptions(TargetOptions):
    """`[targets.cursor]`: subagent fields of Cursor."""

    readonly: bool | None = None
    is_background: bool | None = None


class Cursor(MarkdownTarget):
    name = "cursor"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".cursor/agents"
    label = "Cursor"
    unnamed = "file"
    options = CursorOptions
    passthrough = ("is_background",)

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)
        unknown_tools(agent, diagnostics)

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        out = self.name_and_description(agent)
        model = resolve_model(self, catalog, agent)
        if model:
            out.append(entry(agent, "model", model, ("model",)))
        values = fields(self, catalog.settings, agent)
        if "readonly" in values:
            out += self.passed_keys(catalog, agent, ("readonly",))
        elif read_only(agent.manifest.tools):
            out.append(entry(agent, "readonly", True, ("tools",)))
        out += self.passed(catalog, agent)
        return out
