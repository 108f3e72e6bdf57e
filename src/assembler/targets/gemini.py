"""Gemini CLI subagents: ``.gemini/agents/<file>.md``.

Gemini CLI refuses a whole agent file over one key or one tool name it does not
know, so only its own keys are written: ``name``, ``description``,
``display_name``, ``tools`` (a YAML list of Gemini's tool names), ``model``,
``temperature``, ``max_turns``, ``timeout_mins`` and ``mcp_servers``. The
manifest's pinned ``[frontmatter]`` entries are Claude Code's and are not
written here.

Tools: the manifest's Claude Code names become Gemini's (``Read`` gives
``read_file`` and ``read_many_files``, which both return file contents; ``Glob``
gives ``glob`` and ``list_directory``, which both return names; an MCP tool
``mcp__srv__tool`` is ``mcp_srv_tool``, a whole server ``mcp_srv_*``). Gemini
subagents cannot start subagents, so ``Agent`` and ``Task`` are errors, as is
any tool with no Gemini counterpart. ``[targets.gemini] tools`` lists Gemini's
own names instead, checked against the names Gemini accepts. Without tools the
agent gets Gemini's full set. ``model`` comes through the `[models]` aliases;
``inherit`` writes nothing.

Gemini reads only the top level of ``.gemini/agents/`` and skips files starting
with ``_``: an agent from a manifest subfolder is written flat
(``ml/dataset-auditor`` to ``ml-dataset-auditor.md``, still named
``dataset-auditor``), and two agents that would share a file or a name are
errors. The body is the agent layout.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..compose.composition import Value
from ..diagnostics import Diagnostics, did_you_mean
from .markdown import MarkdownTarget, entry
from .options import TargetOptions, fields, resolve_model
from .tools import check_tool_list, translate

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..sources.catalog import Agent, Catalog
    from .reading import AgentText

TOOLS = {
    "Read": ("read_file", "read_many_files"), "Glob": ("glob", "list_directory"),
    "Grep": ("grep_search",), "Bash": ("run_shell_command",),
    "PowerShell": ("run_shell_command",),  # Gemini's shell tool runs PowerShell on Windows
    "Edit": ("replace",), "Write": ("write_file",), "WebFetch": ("web_fetch",),
    "WebSearch": ("google_web_search",), "TodoWrite": ("write_todos",), "Skill": ("activate_skill",),
}
_NO_NESTING = "Gemini CLI subagents cannot start subagents"
WITHHELD = {"Agent": _NO_NESTING, "Task": _NO_NESTING}

# The tool names Gemini CLI 0.61 accepts in an agent's `tools`.
NATIVE = (
    "glob", "write_todos", "write_file", "google_web_search", "web_fetch", "replace",
    "run_shell_command", "grep_search", "read_many_files", "read_file", "list_directory",
    "activate_skill", "ask_user", "tracker_create_task", "tracker_update_task",
    "tracker_get_task", "tracker_list_tasks", "tracker_add_dependency", "tracker_visualize",
    "get_internal_docs", "enter_plan_mode", "exit_plan_mode", "complete_task",
    "read_mcp_resource", "list_mcp_resources",
    "search_file_content",  # the older name of grep_search
)
# Accepted in the file, but never given to a subagent.
NATIVE_WITHHELD = {"invoke_agent": _NO_NESTING,
                   "update_topic": "Gemini CLI keeps `update_topic` for the main session"}
_SLUG = re.compile(r"^[a-z0-9_.:-]+$", re.IGNORECASE)
# Every key of Gemini CLI's strict local-agent schema: any other key rejects the file.
FIELDS = frozenset(("kind", "name", "description", "display_name", "tools", "mcp_servers",
                    "model", "temperature", "max_turns", "timeout_mins"))
_NAME = re.compile(r"^[a-z0-9_-]+$")


def _mcp(server: str, tool: str | None) -> str | None:
    """Gemini's name for an MCP tool, or None when Gemini cannot name it.

    Gemini splits ``mcp_<server>_<tool>`` at the first ``_``: a whole server
    whose name holds ``_`` cannot be written as ``mcp_<server>_*``.
    """
    if tool is None:
        return None if "_" in server else f"mcp_{server}_*"
    return None if "*" in tool else f"mcp_{server}_{tool}"


def native_problem(name: str) -> tuple[str, str] | None:
    """Why Gemini would refuse (or never use) ``name`` in `tools`, or None."""
    if name in NATIVE or name.startswith("discovered_tool_") or name in ("*", "mcp_*"):
        return None
    if name in NATIVE_WITHHELD:
        return (f"tool `{name}` is not available to subagents in target gemini: "
                f"{NATIVE_WITHHELD[name]}", "remove it")
    if name.startswith("mcp_") and not name.startswith("mcp__"):
        server, _, tool = name[4:].partition("_")
        if server and tool and _SLUG.match(server) and (
                tool == "*" or (_SLUG.match(tool) and tool.strip("_"))):
            return None
    hint = ""
    if name in TOOLS:
        hint = "in Gemini's words: " + ", ".join(f"`{n}`" for n in TOOLS[name])
    elif name.startswith("mcp__"):
        hint = "Gemini names an MCP tool `mcp_<server>_<tool>`, a whole server `mcp_<server>_*`"
    return (f"unknown Gemini CLI tool `{name}`",
            hint or did_you_mean(name, NATIVE, "tools") or "use Gemini's own tool names")


class GeminiMcpAuth(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["google-credentials", "oauth"]
    scopes: list[str] | None = None
    client_id: str | None = None
    client_secret: str | None = None
    authorization_url: str | None = None
    token_url: str | None = None
    issuer: str | None = None
    audiences: list[str] | None = None
    redirect_uri: str | None = None
    token_param_name: str | None = None
    registration_url: str | None = None


class GeminiMcpServer(BaseModel):
    """One entry of `mcp_servers`: a server only this agent gets."""

    model_config = ConfigDict(extra="forbid", strict=True)

    command: str | None = None
    args: list[str] | None = None
    env: dict[str, str] | None = None
    cwd: str | None = None
    url: str | None = None
    http_url: str | None = None
    headers: dict[str, str] | None = None
    tcp: str | None = None
    type: Literal["sse", "http"] | None = None
    timeout: float | None = None
    trust: bool | None = None
    description: str | None = None
    include_tools: list[str] | None = None
    exclude_tools: list[str] | None = None
    auth: GeminiMcpAuth | None = None


class GeminiOptions(TargetOptions):
    """`[targets.gemini]`: local-agent fields of Gemini CLI."""

    tools: list[str] | None = None  # Gemini's own names, instead of the translation
    display_name: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_turns: int | None = Field(default=None, gt=0)
    timeout_mins: int | None = Field(default=None, gt=0)
    mcp_servers: dict[str, GeminiMcpServer] | None = None


class Gemini(MarkdownTarget):
    name = "gemini"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".gemini/agents"
    label = "Gemini CLI"
    options = GeminiOptions
    flat = True
    skips_underscore = True
    passthrough = ("temperature", "max_turns", "timeout_mins", "mcp_servers")

    def read_values(self, text: "AgentText") -> None:
        """Gemini CLI's schema is strict: a key it does not know, a name outside
        ``[a-z0-9_-]`` or a remote agent (no prompt of its own) is not a local agent."""
        from .reading import NotAnAgent, Unsupported

        for entry in text.entries:
            if entry.key not in FIELDS:
                raise NotAnAgent(f"Gemini CLI refuses an agent file with a key it does not know "
                                 f"(`{entry.key}`)", entry.line,
                                 "remove the key: Gemini's agent schema takes no other")
        name = text.values["name"]
        if not _NAME.match(name):
            raise NotAnAgent(f"Gemini CLI refuses the name {name!r}: it takes lowercase letters, "
                             "digits, `-` and `_`", text.entries[0].line)
        if text.values.get("kind", "local") != "local":
            raise Unsupported("a remote agent (`kind` is not `local`): the catalog writes local "
                              "agents, whose prompt is the file's body", 1)

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)
        self.check_flat(catalog, agent, diagnostics)
        check_tool_list(self, catalog, agent, TOOLS, _mcp, native_problem, WITHHELD, diagnostics)

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        values = fields(self, catalog.settings, agent)
        out = self.name_and_description(agent)
        out += self.passed_keys(catalog, agent, ("display_name",))
        if "tools" in values:
            out += self.passed_keys(catalog, agent, ("tools",))
        elif agent.manifest.tools:
            out.append(entry(agent, "tools",
                             translate(agent, self.name, TOOLS, _mcp, None, WITHHELD), ("tools",)))
        out += self.model_entry(catalog, agent)
        out += self.passed(catalog, agent)
        return out
