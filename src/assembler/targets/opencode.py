"""opencode agents: ``.opencode/agents/<id>.md``.

opencode names an agent by its path under the folder, so a manifest in a
subfolder keeps it (``team/reviewer``) and the file carries no ``name``.
Frontmatter, in opencode's V1 agent fields: ``description``; ``mode``
(``subagent`` unless `[targets.opencode] mode` says ``primary`` or ``all``);
``model`` as ``provider/model``, through the config's `[models]` aliases
(``inherit``: no ``model``, opencode's own choice); then ``variant``,
``temperature``, ``top_p``, ``steps``, ``hidden`` and ``color`` from
`[targets.opencode]`; then ``permission``.

``permission`` is opencode's V1 map, derived from the manifest's tools when it
lists some: each built-in permission no listed tool maps to is ``deny``, and
the listed ones are left to the user's own rules, as in Claude Code, where a
tool list narrows what an agent may use but approves nothing (``Read``: read and list; ``Grep``: grep; ``Glob``: glob;
``Edit``, ``Write``, ``NotebookEdit``: edit, which opencode also applies to
its write and patch tools; ``Bash``, ``PowerShell``: bash; ``Agent``,
``Task``: task; ``WebFetch``, ``WebSearch``, ``TodoWrite``, ``Skill``,
``LSP``, ``AskUserQuestion``: webfetch, websearch, todowrite, skill, lsp,
question). An MCP tool is named ``<server>_<tool>`` in opencode:
``mcp__github`` leaves ``github_*`` alone; ``mcp__github__create_issue`` denies
``github_*`` and then allows ``github_create_issue`` (the later rule wins: the one
``allow`` written, since opencode has no other way to carve one tool out).
Servers the manifest does not name keep opencode's defaults: an agent file
cannot know which servers the user has. A manifest without tools gets no
``permission`` (opencode's defaults); `[targets.opencode] permission` replaces
the derived map with opencode's own.

Agent rules are applied after the user's own `permission` config and
opencode's built-in ``ask`` for ``.env`` files, so an ``allow`` would let a
tool run without asking: none is written for built-in tools. Checked against the opencode client
(``opencode debug config`` and ``debug agent``, 1.18): it refuses the whole
configuration for one bad field, so every field is validated here first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ..compose.composition import Value
from ..sources.yaml import yaml_entry
from .markdown import MarkdownTarget, entry, model_at
from .options import INHERIT, TargetOptions, fields, resolve_model, where
from .tools import check_tools, mcp_parts, unknown_tools

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog

# opencode's permission keys for its built-in tools, in the order they are written.
PERMISSIONS = ("read", "edit", "glob", "grep", "list", "bash", "task", "skill", "lsp",
               "webfetch", "websearch", "todowrite", "question")
TOOLS = {
    "Read": ("read", "list"), "Grep": ("grep",), "Glob": ("glob",),
    "Edit": ("edit",), "Write": ("edit",), "NotebookEdit": ("edit",),
    "Bash": ("bash",), "PowerShell": ("bash",), "Agent": ("task",), "Task": ("task",),
    "WebFetch": ("webfetch",), "WebSearch": ("websearch",), "TodoWrite": ("todowrite",),
    "Skill": ("skill",), "LSP": ("lsp",), "AskUserQuestion": ("question",),
}
ACTIONS = ("allow", "ask", "deny")
# Keys whose value opencode takes only as one action, never as a map of patterns.
ACTION_ONLY = frozenset({"todowrite", "question", "webfetch", "websearch", "doom_loop"})
_COLOR = r"^(#[0-9a-fA-F]{6}|primary|secondary|accent|success|warning|error|info)$"


def _mcp(server: str, tool: str | None) -> str:
    return f"{server}_{tool or '*'}"


class OpencodeOptions(TargetOptions):
    """`[targets.opencode]`: opencode's V1 agent fields."""

    mode: Literal["subagent", "primary", "all"] | None = None
    variant: str | None = Field(default=None, min_length=1)
    temperature: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    top_p: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    steps: int | None = Field(default=None, gt=0)
    hidden: bool | None = None
    color: str | None = Field(default=None, pattern=_COLOR)
    permission: dict[str, Any] | None = None  # opencode's own map; checked in Opencode.check


class Opencode(MarkdownTarget):
    name = "opencode"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".opencode/agents"
    label = "opencode"
    unnamed = "path"  # opencode knows an agent by its path when it has no `name`
    defaults = ("mode",)  # a file without `mode` is opencode's default (`all`), kept so
    options = OpencodeOptions
    passthrough = ("variant", "temperature", "top_p", "steps", "hidden", "color")

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        model = resolve_model(self, catalog, agent, diagnostics)
        if model and model != INHERIT and "/" not in model.strip("/"):
            diagnostics.error(*model_at(self, catalog, agent),
                              f"opencode names a model `provider/model`, not `{model}`",
                              "write the provider and the model id, e.g. "
                              "\"anthropic/claude-sonnet-4-5\" (\"inherit\" leaves it to opencode)")
        values = fields(self, catalog.settings, agent)
        if "permission" in values:
            unknown_tools(agent, diagnostics)
            self._check_permission(catalog, agent, values["permission"], diagnostics)
        else:
            check_tools(agent, self.name, TOOLS, _mcp, diagnostics, lambda tool: (
                "remove it, write opencode's own map in [targets.opencode] permission, or "
                "switch the target off for this agent: [targets.opencode] enabled = false"))

    def _check_permission(self, catalog: "Catalog", agent: "Agent", table: Any,
                          diagnostics: "Diagnostics") -> None:
        kind, loc = where(self, catalog.settings, agent, "permission")
        document = agent.document if kind == "manifest" else catalog.settings.document
        if document is None or not isinstance(table, dict):
            return
        for key, value in table.items():
            at = (document.path, *document.locate(loc + (key,), value=True))
            if isinstance(value, str):
                if value not in ACTIONS:
                    diagnostics.error(*at, f"opencode permission `{key}` has an unsupported "
                                      f"value {value!r}", "use one of: 'allow', 'ask', 'deny'")
            elif isinstance(value, dict) and key not in ACTION_ONLY:
                for pattern, action in value.items():
                    if action not in ACTIONS:
                        diagnostics.error(
                            document.path, *document.locate(loc + (key, pattern), value=True),
                            f"opencode permission `{key}` gives pattern `{pattern}` an "
                            f"unsupported value {action!r}", "use one of: 'allow', 'ask', 'deny'")
            elif isinstance(value, dict):
                diagnostics.error(*at, f"opencode permission `{key}` takes one action, "
                                  "not a table of patterns", f'write `{key} = "allow"`, '
                                  '"ask" or "deny"')
            else:
                diagnostics.error(*at, f"opencode permission `{key}` must be an action or a "
                                  "table of patterns", 'write `"allow"`, `"ask"` or `"deny"`, '
                                  'or a table such as { "*" = "ask", "git status*" = "allow" }')

    def permission(self, agent: "Agent") -> dict[str, str]:
        """The V1 permission map the manifest's tools give (empty without tools)."""
        tools = agent.manifest.tools
        if not tools:
            return {}
        out = {key: "deny" for key in PERMISSIONS}
        servers: dict[str, list[str] | None] = {}  # None: the whole server
        for tool in tools:
            parts = mcp_parts(tool)
            if parts is None:
                for key in TOOLS.get(tool, ()):
                    out.pop(key, None)  # listed: the user's own rules decide, as for any agent
                continue
            server, name = parts
            if name is None:
                servers[server] = None
            elif servers.get(server, []) is not None:
                servers.setdefault(server, []).append(name)
        for server, names in servers.items():
            if names is None:
                continue  # the whole server: the user's own rules decide
            out[_mcp(server, None)] = "deny"  # some tools of it: the rest are denied
            for name in names:
                out[_mcp(server, name)] = "allow"
        return out

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        values = fields(self, catalog.settings, agent)
        out = self.name_and_description(agent, name=False)
        if "mode" in values:
            out.append(self.option_entry(catalog, agent, "mode", values["mode"]))
        else:
            out.append(Value(yaml_entry("mode", "subagent")))
        out += self.model_entry(catalog, agent)
        out += self.passed(catalog, agent)
        if "permission" in values:
            out.append(self.option_entry(catalog, agent, "permission", values["permission"]))
        elif agent.manifest.tools:
            out.append(entry(agent, "permission", self.permission(agent), ("tools",)))
        return out
