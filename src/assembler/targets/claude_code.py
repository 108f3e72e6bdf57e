"""Claude Code subagents: ``<output>/<id>.md`` (``output``, default ``agents``).

Frontmatter: ``name``, ``description``, ``tools`` (comma-joined, the manifest's
names as they are), ``model``, then the Claude Code fields of
``[targets.claude-code]``, then the manifest's pinned ``[frontmatter]`` entries.
The body is the agent layout; the banner an HTML comment after the frontmatter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ..compose.composition import Source, Value
from ..sources.fidelity import frontmatter_entry
from .markdown import MarkdownTarget, entry
from .options import TargetOptions, resolve_model

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog


class ClaudeCodeOptions(TargetOptions):
    """`[targets.claude-code]`: subagent fields beyond the standard four."""

    disallowedTools: list[str] | None = None
    permissionMode: Literal["default", "acceptEdits", "auto", "dontAsk", "bypassPermissions",
                            "plan", "manual"] | None = None
    maxTurns: int | None = Field(default=None, gt=0)
    skills: list[str] | None = None
    mcpServers: list[str] | dict[str, Any] | None = None
    hooks: dict[str, Any] | None = None
    memory: Literal["user", "project", "local"] | None = None
    background: bool | None = None
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    isolation: Literal["worktree"] | None = None
    color: Literal["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"] | None = None
    initialPrompt: str | None = None
    omitClaudeMd: bool | None = None


class ClaudeCode(MarkdownTarget):
    name = "claude-code"
    skills = "claude-code"  # reads <folder>/<name>/SKILL.md
    default_folder = "agents"
    legacy_folder_key = "output"
    label = "Claude Code"
    imports = True
    dialect = "claude"
    options = ClaudeCodeOptions
    passthrough = ("disallowedTools", "permissionMode", "maxTurns", "skills", "mcpServers", "hooks",
                   "memory", "background", "effort", "isolation", "color", "initialPrompt",
                   "omitClaudeMd")

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)

    def known_fields(self) -> frozenset[str]:
        return frozenset(("name", "description", "tools", "model", "autoCompactWindow",
                          "when_to_use", *self.passthrough))

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        manifest = agent.manifest
        pinned = manifest.frontmatter
        if not catalog.settings.config.layout.quote_frontmatter:
            return _unquoted(self, composition, catalog) + self.passed(catalog, agent)
        out = [item for item in self.name_and_description(agent)
               if item.text.split(":", 1)[0] not in pinned]
        if manifest.tools and "tools" not in pinned:
            out.append(entry(agent, "tools", ", ".join(manifest.tools), ("tools",)))
        model = resolve_model(self, catalog, agent)
        if model and "model" not in pinned:
            out.append(entry(agent, "model", model, ("model",),
                             "yaml" if model == manifest.model else "derived"))
        out += self.passed(catalog, agent)
        for key, raw in pinned.items():
            source = Source("manifest", agent.document, ("frontmatter", key), agent.id, "derived",
                            whole=True)
            out.append(Value(frontmatter_entry(key, raw), source))
        return out


def _unquoted(target: ClaudeCode, composition: "Composition", catalog: "Catalog") -> list[Value]:
    """``name``, ``description`` (its line breaks made spaces), ``tools`` and ``model`` as
    ``key: value``, never quoted (`[layout] quote_frontmatter = false`): the bytes some
    older generators wrote, valid YAML or not (`assembler lint` says when not)."""
    agent = composition.agent
    manifest = agent.manifest

    def line(key: str, value: str, loc: tuple) -> Value:
        source = Source("manifest", agent.document, loc, agent.id, "derived", whole=True)
        return Value(f"{key}: {value}\n", source)

    out = [line("name", manifest.name, ("name",)),
           line("description", manifest.description.replace("\n", " ").strip(),
                ("description",))]
    if manifest.tools:
        out.append(line("tools", ", ".join(manifest.tools), ("tools",)))
    model = resolve_model(target, catalog, agent)
    if model:
        out.append(line("model", model, ("model",)))
    return out
