"""Google Antigravity custom agents: ``.agents/agents/<name>.md``.

Antigravity reads an agent from ``<name>.md`` or ``<name>/agent.md`` at the
top of the folder, so a manifest in a subfolder (``ml/dataset-auditor``) is
written under its name alone (``dataset-auditor.md``) and two manifests of
one name in different subfolders are an error at the second one's ``name``.

Frontmatter: ``name``, ``description``, ``model`` through the config's
`[models]` aliases (``flash`` or ``pro``; ``inherit``: no ``model``), then
``mainAgent``, ``subagent``, ``commandExecutionPolicy``, ``skills``,
``mcpServers`` and ``tools`` from `[targets.antigravity]`.

The manifest's tools are not translated: Antigravity's tool names are not
published (the one known, ``command`` for the shell, is not Gemini CLI's
``run_shell_command``, so the Gemini names cannot stand in for them), and a
``tools`` list of wrong names would break the agent. What is expressed is the
one restriction Antigravity documents: an agent whose tools list runs no
commands (no ``Bash`` or ``PowerShell``) gets ``commandExecutionPolicy: off``,
the strictest of its values (whether ``off`` refuses every command or asks
before each one is not published). Any other agent has Antigravity's default
tools. `[targets.antigravity] tools`
writes a list of Antigravity's own names.

No Antigravity client installs from the package registries: the fields and
their values follow Antigravity's published format and are checked here by
schema only, not by Antigravity itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..compose.composition import Value
from .markdown import FlatMarkdownTarget, entry, model_at
from .options import TargetOptions, fields, resolve_model
from .tools import unknown_tools

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog

MODELS = ("inherit", "flash", "pro")
COMMANDS = frozenset({"Bash", "PowerShell"})


class AntigravityOptions(TargetOptions):
    """`[targets.antigravity]`: custom-agent fields of Antigravity."""

    model: Literal["inherit", "flash", "pro"] | None = None
    mainAgent: bool | None = None
    subagent: bool | None = None
    commandExecutionPolicy: Literal["off", "auto", "eager", "sandbox"] | None = None
    skills: list[str] | None = None
    mcpServers: list[str] | None = None
    tools: list[str] | None = None  # Antigravity's own names


class Antigravity(FlatMarkdownTarget):
    name = "antigravity"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".agents/agents"
    label = "Antigravity"
    options = AntigravityOptions
    passthrough = ("mainAgent", "subagent", "commandExecutionPolicy", "skills", "mcpServers",
                   "tools")

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        self.check_collisions(catalog, agent, diagnostics)
        unknown_tools(agent, diagnostics)
        model = resolve_model(self, catalog, agent, diagnostics)
        if model is not None and model not in MODELS:
            diagnostics.error(*model_at(self, catalog, agent),
                              f"Antigravity has no model `{model}`",
                              "use one of: 'inherit', 'flash', 'pro'")

    def read_path(self, path: str) -> None:
        """Antigravity also loads ``<name>/agent.md``, which the catalog does not write."""
        from .reading import Unsupported

        folder, _, stem = path.rpartition("/")
        if folder and "/" not in folder and stem == "agent":
            raise Unsupported(f"Antigravity loads `{path}.md` as the agent `{folder}`, but the "
                              f"catalog writes Antigravity agents as `<name>.md`", 1,
                              f"move it to `{folder}.md` and import that")
        super().read_path(path)

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        values = fields(self, catalog.settings, agent)
        out = self.name_and_description(agent)
        out += self.model_entry(catalog, agent)
        tools = agent.manifest.tools
        for key in self.passthrough:
            if key in values:
                out += self.passed_keys(catalog, agent, (key,))
            elif key == "commandExecutionPolicy" and tools and not COMMANDS.intersection(tools):
                out.append(entry(agent, key, "off", ("tools",)))
        return out
