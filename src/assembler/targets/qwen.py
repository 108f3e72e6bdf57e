"""Qwen Code subagents: ``.qwen/agents/<file>.md``.

Frontmatter: ``name``, ``description``, ``tools`` (a YAML list of Qwen's tool
names), ``model``, then the Qwen fields of ``[targets.qwen]``:
``disallowedTools``, ``approvalMode``, ``maxTurns``, ``color``. The manifest's
pinned ``[frontmatter]`` entries are Claude Code's and are not written here.

Tools: the manifest's Claude Code names become Qwen's (``Read`` is
``read_file``, ``Edit`` is ``edit``, ``Bash`` is ``run_shell_command``,
``Glob`` gives ``glob`` and ``list_directory``, ``Agent`` is ``agent``: Qwen
lets a subagent start subagents; an MCP tool keeps its name
``mcp__srv__tool``). Qwen matches a subagent's tool list by exact name, so a
whole MCP server has no counterpart there, and the tools Qwen keeps for the
main session (``TodoWrite``, the task, cron, worktree and plan-mode tools) are
errors rather than silently missing. ``[targets.qwen] tools`` lists Qwen's own
names instead, checked against the names Qwen knows. ``model`` comes through the
`[models]` aliases (Qwen takes ``fast``, a model ID or ``<authType>:<ID>``);
``inherit`` writes nothing.

Qwen refuses a name under 2 or over 50 characters, or one of its reserved words
(``self``, ``system``, ``user``, ``model``, ``tool``, ``config``, ``default``,
``main``), and a prompt under 10 characters; both are errors at the manifest.
Like Gemini, Qwen reads only the top level of ``.qwen/agents/``: an agent from a
manifest subfolder is written flat (``ml/dataset-auditor`` to
``ml-dataset-auditor.md``), and two agents that would share a file or a name are
errors. The body is the agent layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..compose.composition import Value
from ..diagnostics import Diagnostics, did_you_mean
from ..sources.yaml import split_frontmatter
from .base import PLACEHOLDER
from .markdown import MarkdownTarget, entry
from .options import TargetOptions, fields, resolve_model
from .tools import check_native, check_tool_list, translate

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..compose.render import Renderer
    from ..sources.catalog import Agent, Catalog
    from .reading import AgentText

TOOLS = {
    "Read": ("read_file",), "Write": ("write_file",), "Edit": ("edit",),
    "Grep": ("grep_search",), "Glob": ("glob", "list_directory"), "Bash": ("run_shell_command",),
    "WebFetch": ("web_fetch",), "WebSearch": ("web_search",), "Skill": ("skill",),
    "Agent": ("agent",), "Task": ("agent",), "NotebookEdit": ("notebook_edit",), "LSP": ("lsp",),
    "AskUserQuestion": ("ask_user_question",), "Monitor": ("monitor",),
    "ToolSearch": ("tool_search",),
}
# Qwen's names for these exist, but Qwen drops them from any subagent's tool list.
_KEPT = {
    "TodoWrite": "todo_write", "TaskCreate": "task_create", "TaskUpdate": "task_update",
    "TaskList": "task_list", "TaskStop": "task_stop", "CronCreate": "cron_create",
    "CronList": "cron_list", "CronDelete": "cron_delete", "ListAgents": "list_agents",
    "SendMessage": "send_message", "EnterPlanMode": "enter_plan_mode",
    "ExitPlanMode": "exit_plan_mode", "EnterWorktree": "enter_worktree",
    "ExitWorktree": "exit_worktree", "Artifact": "artifact",
}
WITHHELD = {tool: f"Qwen Code keeps `{name}` for the main session"
            for tool, name in _KEPT.items()}

# The tool names Qwen Code 0.24 knows (and the older names it still reads).
NATIVE = (
    "exec", "edit", "write_file", "read_file", "zoom_image", "grep_search", "glob",
    "run_shell_command", "save_memory", "agent", "skill", "web_fetch", "web_search",
    "image_gen", "list_directory", "lsp", "ask_user_question", "loop_wakeup",
    "create_sub_session", "structured_output", "monitor", "notebook_edit", "tool_call",
    "tool_search", "read_mcp_resource", "report_findings", "get_goal", "update_goal",
    "propose_goal", "display_image", "omni_downsample_image", "omni_downscale_video",
    "omni_downsample_audio", "omni_extract_keyframes", "omni_extract_audio", "omni_clip_video",
    "omni_convert_image", "omni_transcribe_audio", "omni_clip_image", "omni_clip_audio",
    "omni_caption_image", "omni_caption_audio", "omni_ocr_image",
    "omni_understand_video_segments", "omni_recall_media_memory",
    "search_file_content", "replace", "task",  # older names of grep_search, edit, agent
)
NATIVE_KEPT = (*_KEPT.values(), "team_create", "team_delete", "team_plan_approval",
               "request_shutdown", "record_artifact", "record_source", "workflow")
RESERVED = ("self", "system", "user", "model", "tool", "config", "default", "main")
MIN_PROMPT = 10


def _mcp(server: str, tool: str | None) -> str | None:
    """Qwen's name for an MCP tool; a whole server or a pattern has none in `tools`."""
    return None if tool is None or "*" in tool else f"mcp__{server}__{tool}"


def _unknown(name: str) -> tuple[str, str]:
    hint = ""
    if name in TOOLS:
        hint = "in Qwen's words: " + ", ".join(f"`{n}`" for n in TOOLS[name])
    return (f"unknown Qwen Code tool `{name}`",
            hint or did_you_mean(name, (*NATIVE, *NATIVE_KEPT), "tools")
            or "use Qwen's own tool names")


def tools_problem(name: str) -> tuple[str, str] | None:
    """Why Qwen would not give ``name`` (in `tools`) to a subagent, or None."""
    if name in NATIVE or name == "*":
        return None
    if name in NATIVE_KEPT:
        return (f"tool `{name}` is not available to subagents in target qwen: Qwen Code keeps "
                "it for the main session", "remove it")
    if name.startswith("mcp__"):
        server, _, tool = name[5:].partition("__")
        if server and tool and "*" not in name:
            return None
        return (f"`{name}` names no single tool: Qwen Code matches a subagent's tools by exact "
                "name", "list each tool as `mcp__<server>__<tool>`")
    return _unknown(name)


def disallowed_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` (in `disallowedTools`) would take nothing away, or None."""
    if name in NATIVE or name in NATIVE_KEPT:
        return None
    if name.startswith("mcp__") and name[5:].split("__", 1)[0]:
        return None  # a tool, a whole server or a `*` pattern
    return _unknown(name)


class QwenOptions(TargetOptions):
    """`[targets.qwen]`: subagent fields of Qwen Code."""

    tools: list[str] | None = None  # Qwen's own names, instead of the translation
    disallowedTools: list[str] | None = None
    approvalMode: Literal["default", "plan", "auto-edit", "auto", "yolo", "bubble"] | None = None
    maxTurns: int | None = Field(default=None, gt=0)
    color: Literal["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
                   "auto"] | None = None


class Qwen(MarkdownTarget):
    name = "qwen"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".qwen/agents"
    label = "Qwen Code"
    options = QwenOptions
    flat = True
    passthrough = ("disallowedTools", "approvalMode", "maxTurns", "color")

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)
        self.check_name(agent, diagnostics)
        self.check_flat(catalog, agent, diagnostics)
        check_tool_list(self, catalog, agent, TOOLS, _mcp, tools_problem, WITHHELD, diagnostics)
        check_native(self, catalog, agent, "disallowedTools", disallowed_problem, diagnostics)

    def read_values(self, text: "AgentText") -> None:
        """Qwen Code does not load an agent with a reserved name, a name under 2 or over
        50 characters, or a prompt under 10 characters."""
        from .reading import NotAnAgent

        name, line = text.values["name"], next(e.line for e in text.entries if e.key == "name")
        if name.lower() in RESERVED:
            raise NotAnAgent(f"Qwen Code refuses the reserved name {name!r}", line)
        if not 2 <= len(name) <= 50:
            raise NotAnAgent(f"Qwen Code refuses the name {name!r}: it takes 2 to 50 characters",
                             line)
        if len(text.body.strip()) < MIN_PROMPT:
            raise NotAnAgent(f"Qwen Code refuses a prompt under {MIN_PROMPT} characters",
                             text.prefix.count("\n") + 1)

    def check_name(self, agent: "Agent", diagnostics: "Diagnostics") -> None:
        name = agent.manifest.name
        problem = None
        if name.lower() in RESERVED:
            problem = f"`{name}` is a reserved name in target qwen"
        elif not 2 <= len(name) <= 50:
            problem = (f"name `{name}` has {len(name)} characters; target qwen takes 2 to 50")
        if problem:
            diagnostics.error(agent.source, *agent.document.locate(("name",), value=True), problem,
                              "rename the agent (and its manifest), or switch the target off "
                              "for it: [targets.qwen] enabled = false")

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        agent = composition.agent
        out = self.name_and_description(agent)
        if "tools" in fields(self, catalog.settings, agent):
            out += self.passed_keys(catalog, agent, ("tools",))
        elif agent.manifest.tools:
            out.append(entry(agent, "tools",
                             translate(agent, self.name, TOOLS, _mcp, None, WITHHELD), ("tools",)))
        out += self.model_entry(catalog, agent)
        out += self.passed(catalog, agent)
        return out

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        text = super().emit(composition, renderer)
        if text is None:
            return None
        body = split_frontmatter(text.replace("\r\n", "\n")).body
        prompt = "\n".join(line for line in body.split("\n") if PLACEHOLDER not in line).strip()
        if len(prompt) < MIN_PROMPT:
            agent = composition.agent
            key = next((k for k in ("body", "role") if k in agent.document.data), "name")
            renderer.diagnostics.error(
                agent.source, *agent.document.locate((key,), value=True),
                f"the prompt of `{agent.id}` has {len(prompt)} characters; target qwen needs at "
                f"least {MIN_PROMPT}",
                "write the agent's role, or switch the target off for it: "
                "[targets.qwen] enabled = false")
            return None
        return text
