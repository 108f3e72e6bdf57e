"""The Gemini CLI and Qwen Code targets: every field, every tool mapping, every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assembler import load_catalog, render_catalog

from .conftest import MINI, write_tree

# A catalog using every field and every tool mapping of both targets.
FULL = {
    **{key: value for key, value in MINI.items() if not key.startswith("_manifests/")},
    "assembler.toml": """
        output = "agents"
        regenerate = "make agents"
        required_blocks = ["baseline", "footer"]

        [vars]
        team = "platform"

        [layout]
        report_fields = ["Goal: <one line>"]

        [targets.gemini]
        timeout_mins = 8

        [targets.qwen]
        approvalMode = "plan"

        [models.balanced]
        gemini = "gemini-2.5-pro"
        qwen = "qwen3-coder-plus"

        [models.quick]
        gemini = "gemini-2.5-flash"
        qwen = "fast"
        """,
    # Every tool Gemini has a word for (Qwen has none for PowerShell, TodoWrite or a
    # whole MCP server, so this agent is Gemini's only).
    "_manifests/every-tool.toml": """
        name = "every-tool"
        description = "Uses every tool Gemini CLI has a word for: reads, edits, runs."
        tools = ["Read", "Grep", "Glob", "Bash", "PowerShell", "Edit", "Write", "WebFetch",
                 "WebSearch", "TodoWrite", "Skill", "mcp__github__create_issue", "mcp__docs"]
        model = "balanced"
        role = "You use every tool."
        blocks = ["baseline", "footer"]

        [targets.gemini]
        display_name = "Every Tool"
        temperature = 0.2
        max_turns = 15
        timeout_mins = 5

        [targets.gemini.mcp_servers.docs]
        command = "docs-mcp"
        args = ["--stdio"]
        env = { DOCS_TOKEN = "$DOCS_TOKEN" }
        trust = false
        include_tools = ["search"]

        [targets.qwen]
        enabled = false
        """,
    # Every tool Qwen has a word for (Gemini subagents cannot start subagents).
    "_manifests/qwen-tools.toml": """
        name = "qwen-tools"
        description = "Uses every tool Qwen Code gives a subagent."
        tools = ["Read", "Write", "Edit", "Grep", "Glob", "Bash", "WebFetch", "WebSearch",
                 "Skill", "Agent", "Task", "NotebookEdit", "LSP", "AskUserQuestion", "Monitor",
                 "ToolSearch", "mcp__github__create_issue"]
        model = "quick"
        role = "You use every tool Qwen has."
        blocks = ["baseline", "footer"]

        [targets.gemini]
        enabled = false

        [targets.qwen]
        approvalMode = "auto-edit"
        maxTurns = 12
        color = "purple"
        disallowedTools = ["run_shell_command", "mcp__github__delete_*", "mcp__secrets"]
        """,
    # Each tool's own names instead of the translation, and a model per target.
    "_manifests/native.toml": """
        name = "native"
        description = "Lists each tool's own names."
        tools = ["Read"]
        model = "balanced"
        role = "You use native tool names."
        blocks = ["baseline", "footer"]

        [targets.gemini]
        tools = ["read_file", "ask_user", "tracker_create_task", "search_file_content",
                 "mcp_github_*", "mcp_*", "discovered_tool_lint"]
        model = "gemini-2.5-flash-lite"

        [targets.qwen]
        tools = ["read_file", "save_memory", "mcp__github__create_issue"]
        model = "openai:gpt-4.1"
        """,
    # A manifest subfolder: both tools read only the top level of their folder.
    "_manifests/ml/auditor.toml": """
        name = "auditor"
        description = "Audits datasets."
        tools = ["Read", "Grep"]
        model = "inherit"
        role = "You audit datasets."
        blocks = ["baseline", "footer"]
        """,
}


@pytest.fixture
def full(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "full", FULL)


def frontmatters(root: Path) -> dict[str, dict]:
    out = {}
    for rendered in render_catalog(load_catalog(root)):
        text = rendered.data.decode()
        assert text.startswith("---\n")
        out[rendered.path] = yaml.safe_load(text[4:text.index("\n---\n", 3)])
    return out


def test_full_catalog_snapshot(full, snapshot):
    rendered = render_catalog(load_catalog(full))
    assert {r.path: r.data.decode() for r in rendered} == snapshot


def test_full_catalog_builds_clean(full, cli):
    assert cli("build", "--root", full).exit_code == 0
    result = cli("check", "--root", full)
    assert result.exit_code == 0, result.stdout


def test_every_field_and_mapping(full):
    assert frontmatters(full) == {
        ".gemini/agents/every-tool.md": {
            "name": "every-tool",
            "description": "Uses every tool Gemini CLI has a word for: reads, edits, runs.",
            "display_name": "Every Tool",
            "tools": ["read_file", "read_many_files", "grep_search", "glob", "list_directory",
                      "run_shell_command", "replace", "write_file", "web_fetch",
                      "google_web_search", "write_todos", "activate_skill",
                      "mcp_github_create_issue", "mcp_docs_*"],
            "model": "gemini-2.5-pro",
            "temperature": 0.2,
            "max_turns": 15,
            "timeout_mins": 5,
            "mcp_servers": {"docs": {"command": "docs-mcp", "args": ["--stdio"],
                                     "env": {"DOCS_TOKEN": "$DOCS_TOKEN"}, "trust": False,
                                     "include_tools": ["search"]}},
        },
        ".gemini/agents/ml-auditor.md": {
            "name": "auditor", "description": "Audits datasets.",
            "tools": ["read_file", "read_many_files", "grep_search"], "timeout_mins": 8,
        },
        ".qwen/agents/ml-auditor.md": {
            "name": "auditor", "description": "Audits datasets.",
            "tools": ["read_file", "grep_search"], "approvalMode": "plan",
        },
        ".gemini/agents/native.md": {
            "name": "native", "description": "Lists each tool's own names.",
            "tools": ["read_file", "ask_user", "tracker_create_task", "search_file_content",
                      "mcp_github_*", "mcp_*", "discovered_tool_lint"],
            "model": "gemini-2.5-flash-lite", "timeout_mins": 8,
        },
        ".qwen/agents/native.md": {
            "name": "native", "description": "Lists each tool's own names.",
            "tools": ["read_file", "save_memory", "mcp__github__create_issue"],
            "model": "openai:gpt-4.1", "approvalMode": "plan",
        },
        ".qwen/agents/qwen-tools.md": {
            "name": "qwen-tools",
            "description": "Uses every tool Qwen Code gives a subagent.",
            "tools": ["read_file", "write_file", "edit", "grep_search", "glob", "list_directory",
                      "run_shell_command", "web_fetch", "web_search", "skill", "agent",
                      "notebook_edit", "lsp", "ask_user_question", "monitor", "tool_search",
                      "mcp__github__create_issue"],
            "model": "fast",
            "disallowedTools": ["run_shell_command", "mcp__github__delete_*", "mcp__secrets"],
            "approvalMode": "auto-edit",
            "maxTurns": 12,
            "color": "purple",
        },
    }


def test_no_tools_means_the_full_set_and_inherit_writes_no_model(tmp_path):
    root = write_tree(tmp_path / "c", {
        **FULL, "_manifests/ml/auditor.toml": FULL["_manifests/ml/auditor.toml"].replace(
            'tools = ["Read", "Grep"]\n', "")})
    found = frontmatters(root)
    assert found[".gemini/agents/ml-auditor.md"] == {
        "name": "auditor", "description": "Audits datasets.", "timeout_mins": 8}
    assert found[".qwen/agents/ml-auditor.md"] == {
        "name": "auditor", "description": "Audits datasets.", "approvalMode": "plan"}


# -- refusals: each at its manifest or config line ----------------------------------------
def build_errors(root: Path, cli) -> list[str]:
    result = cli("build", "--root", root)
    assert result.exit_code == 2, result.stdout
    assert not (root / ".gemini").exists() and not (root / ".qwen").exists()
    return result.stderr.splitlines()


def with_manifest(tmp_path: Path, manifest: str, extra: dict[str, str] | None = None) -> Path:
    files = {key: value for key, value in FULL.items() if not key.startswith("_manifests/")}
    files["_manifests/solo.toml"] = manifest
    return write_tree(tmp_path / "c", {**files, **(extra or {})})


SOLO = """
    name = "solo"
    description = "One agent."
    tools = {tools}
    role = "You work alone."
    blocks = ["baseline", "footer"]
    """


def solo(tools: str, tail: str = "") -> str:
    return SOLO.replace("{tools}", tools) + tail


def test_agent_and_task_are_refused_for_gemini(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read", "Agent", "Task"]', """
    [targets.qwen]
    enabled = false
    """))
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:3:18: error: tool `Agent` is not available to subagents in "
        "target gemini: Gemini CLI subagents cannot start subagents",
        "  hint: remove it, or switch the target off for this agent: "
        "[targets.gemini] enabled = false",
        "_manifests/solo.toml:3:27: error: tool `Task` is not available to subagents in "
        "target gemini: Gemini CLI subagents cannot start subagents",
        "  hint: remove it, or switch the target off for this agent: "
        "[targets.gemini] enabled = false",
        "2 errors; nothing was written.",
    ]


def test_tools_without_a_counterpart(tmp_path, cli):
    root = with_manifest(tmp_path, solo(
        '["NotebookEdit", "mcp__my_srv", "mcp__srv__read_*", "PowerShell", "TodoWrite"]'))
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:3:10: error: tool `NotebookEdit` has no counterpart in target gemini",
        "  hint: remove it, list the tool's own names in [targets.gemini] tools, or switch the "
        "target off for this agent: [targets.gemini] enabled = false",
        "_manifests/solo.toml:3:26: error: tool `mcp__my_srv` has no counterpart in target gemini",
        "  hint: remove it, list the tool's own names in [targets.gemini] tools, or switch the "
        "target off for this agent: [targets.gemini] enabled = false",
        "_manifests/solo.toml:3:26: error: tool `mcp__my_srv` has no counterpart in target qwen",
        "  hint: remove it, list the tool's own names in [targets.qwen] tools, or switch the "
        "target off for this agent: [targets.qwen] enabled = false",
        "_manifests/solo.toml:3:41: error: tool `mcp__srv__read_*` has no counterpart in "
        "target gemini",
        "  hint: remove it, list the tool's own names in [targets.gemini] tools, or switch the "
        "target off for this agent: [targets.gemini] enabled = false",
        "_manifests/solo.toml:3:41: error: tool `mcp__srv__read_*` has no counterpart in "
        "target qwen",
        "  hint: remove it, list the tool's own names in [targets.qwen] tools, or switch the "
        "target off for this agent: [targets.qwen] enabled = false",
        "_manifests/solo.toml:3:61: error: tool `PowerShell` has no counterpart in target qwen",
        "  hint: remove it, list the tool's own names in [targets.qwen] tools, or switch the "
        "target off for this agent: [targets.qwen] enabled = false",
        "_manifests/solo.toml:3:75: error: tool `TodoWrite` is not available to subagents in "
        "target qwen: Qwen Code keeps `todo_write` for the main session",
        "  hint: remove it, or switch the target off for this agent: "
        "[targets.qwen] enabled = false",
        "7 errors; nothing was written.",
    ]


def test_unknown_tool_is_a_misspelling(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Raed"]'))
    lines = build_errors(root, cli)
    assert lines == [
        "_manifests/solo.toml:3:10: error: unknown tool `Raed`",
        "  hint: did you mean `Read`?",
        "1 error; nothing was written.",
    ]


def test_unknown_native_tools(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]', """
    [targets.gemini]
    tools = ["read_file", "Read", "invoke_agent", "mcp__github__create_issue", "grep_serach"]

    [targets.qwen]
    tools = ["read_file", "web_serach", "todo_write", "mcp__github", "Bash"]
    disallowedTools = ["mcp__github", "Edit", "web_fetc"]
    """))
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:8:23: error: unknown Gemini CLI tool `Read`",
        "  hint: in Gemini's words: `read_file`, `read_many_files`",
        "_manifests/solo.toml:8:31: error: tool `invoke_agent` is not available to subagents "
        "in target gemini: Gemini CLI subagents cannot start subagents",
        "  hint: remove it",
        "_manifests/solo.toml:8:47: error: unknown Gemini CLI tool `mcp__github__create_issue`",
        "  hint: Gemini names an MCP tool `mcp_<server>_<tool>`, a whole server "
        "`mcp_<server>_*`",
        "_manifests/solo.toml:8:76: error: unknown Gemini CLI tool `grep_serach`",
        "  hint: did you mean `grep_search`?",
        "_manifests/solo.toml:11:23: error: unknown Qwen Code tool `web_serach`",
        "  hint: did you mean `web_search`?",
        "_manifests/solo.toml:11:37: error: tool `todo_write` is not available to subagents in "
        "target qwen: Qwen Code keeps it for the main session",
        "  hint: remove it",
        "_manifests/solo.toml:11:51: error: `mcp__github` names no single tool: Qwen Code "
        "matches a subagent's tools by exact name",
        "  hint: list each tool as `mcp__<server>__<tool>`",
        "_manifests/solo.toml:11:66: error: unknown Qwen Code tool `Bash`",
        "  hint: in Qwen's words: `run_shell_command`",
        "_manifests/solo.toml:12:35: error: unknown Qwen Code tool `Edit`",
        "  hint: in Qwen's words: `edit`",
        "_manifests/solo.toml:12:43: error: unknown Qwen Code tool `web_fetc`",
        "  hint: did you mean `web_fetch`?",
        "10 errors; nothing was written.",
    ]


def test_native_tools_in_the_config_are_checked_there(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]'), {
        "assembler.toml": FULL["assembler.toml"].replace(
            "timeout_mins = 8", 'timeout_mins = 8\n        tools = ["read_file", "readfile"]')})
    assert build_errors(root, cli) == [
        "assembler.toml:13:23: error: unknown Gemini CLI tool `readfile`",
        "  hint: did you mean `read_file`?",
        "1 error; nothing was written.",
    ]


@pytest.mark.parametrize("name, message", [
    ("main", "`main` is a reserved name in target qwen"),
    ("config", "`config` is a reserved name in target qwen"),
    ("x", "name `x` has 1 characters; target qwen takes 2 to 50"),
    ("a" * 51, f"name `{'a' * 51}` has 51 characters; target qwen takes 2 to 50"),
])
def test_names_qwen_refuses(tmp_path, cli, name, message):
    root = with_manifest(tmp_path, solo('["Read"]').replace('name = "solo"', f'name = "{name}"'))
    (root / "_manifests/solo.toml").rename(root / f"_manifests/{name}.toml")
    assert build_errors(root, cli) == [
        f"_manifests/{name}.toml:1:8: error: {message}",
        "  hint: rename the agent (and its manifest), or switch the target off for it: "
        "[targets.qwen] enabled = false",
        "1 error; nothing was written.",
    ]


def test_a_reserved_name_is_fine_with_qwen_switched_off(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]', "\n[targets.qwen]\nenabled = false\n")
                         .replace('name = "solo"', 'name = "main"'))
    (root / "_manifests/solo.toml").rename(root / "_manifests/main.toml")
    assert cli("build", "--root", root).exit_code == 0
    assert (root / ".gemini/agents/main.md").exists() and not (root / ".qwen").exists()


def test_a_prompt_under_ten_characters_is_refused_by_qwen(tmp_path, cli):
    root = with_manifest(tmp_path, '''
        name = "solo"
        description = "One agent."
        body = "Hi."
        ''', {"assembler.toml": FULL["assembler.toml"].replace(
            'required_blocks = ["baseline", "footer"]', "").replace(
            'report_fields = ["Goal: <one line>"]', "")})
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:3:8: error: the prompt of `solo` has 3 characters; target qwen "
        "needs at least 10",
        "  hint: write the agent's role, or switch the target off for it: "
        "[targets.qwen] enabled = false",
        "1 error; nothing was written.",
    ]


def test_subfolders_that_would_share_a_file_or_a_name(tmp_path, cli):
    auditor = FULL["_manifests/ml/auditor.toml"]
    root = with_manifest(tmp_path, solo('["Read"]'), {
        "_manifests/ml/auditor.toml": auditor,
        "_manifests/ml-auditor.toml": auditor.replace('name = "auditor"', 'name = "ml-auditor"'),
        "_manifests/ops/auditor.toml": auditor + "[targets.qwen]\n        enabled = false\n",
    })
    shared = ("target {t} reads only the top level of its folder, so subfolders become part of "
              "the file name")
    hint = "  hint: rename one of them (or its folder), or switch the target off for one: "
    named = "  hint: rename one of them, or switch the target off for one: "
    assert build_errors(root, cli) == [
        "_manifests/ml-auditor.toml:1:8: error: agents `ml-auditor` and `ml/auditor` would both "
        "be written to .gemini/agents/ml-auditor.md: " + shared.format(t="gemini"),
        hint + "[targets.gemini] enabled = false",
        "_manifests/ml-auditor.toml:1:8: error: agents `ml-auditor` and `ml/auditor` would both "
        "be written to .qwen/agents/ml-auditor.md: " + shared.format(t="qwen"),
        hint + "[targets.qwen] enabled = false",
        "_manifests/ml/auditor.toml:1:8: error: agents `ml/auditor` and `ml-auditor` would both "
        "be written to .gemini/agents/ml-auditor.md: " + shared.format(t="gemini"),
        hint + "[targets.gemini] enabled = false",
        "_manifests/ml/auditor.toml:1:8: error: agents `ml/auditor` and `ml-auditor` would both "
        "be written to .qwen/agents/ml-auditor.md: " + shared.format(t="qwen"),
        hint + "[targets.qwen] enabled = false",
        "_manifests/ml/auditor.toml:1:8: error: agents `ml/auditor` and `ops/auditor` are both "
        "named `auditor`: target gemini knows an agent by its name alone",
        named + "[targets.gemini] enabled = false",
        "_manifests/ops/auditor.toml:1:8: error: agents `ops/auditor` and `ml/auditor` are both "
        "named `auditor`: target gemini knows an agent by its name alone",
        named + "[targets.gemini] enabled = false",
        "6 errors; nothing was written.",
    ]


def test_gemini_skips_files_starting_with_an_underscore(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]'), {
        "_manifests/_drafts/auditor.toml": FULL["_manifests/ml/auditor.toml"]})
    assert build_errors(root, cli) == [
        "_manifests/_drafts/auditor.toml:1:8: error: target gemini skips files whose name starts "
        "with `_`, so .gemini/agents/_drafts-auditor.md would never be loaded",
        "  hint: move the manifest out of the `_drafts` folder, or switch the target off for "
        "this agent: [targets.gemini] enabled = false",
        "1 error; nothing was written.",
    ]


def test_a_file_name_starting_with_an_underscore_is_named_in_the_hint(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]').replace(
        'name = "solo"\n', 'name = "solo"\n    filename = "_solo"\n'))
    assert build_errors(root, cli)[:2] == [
        "_manifests/solo.toml:1:8: error: target gemini skips files whose name starts "
        "with `_`, so .gemini/agents/_solo.md would never be loaded",
        "  hint: give it a `filename` that does not start with `_`, or switch the target off "
        "for this agent: [targets.gemini] enabled = false",
    ]


def test_unknown_option_keys_have_a_did_you_mean(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]', """
    [targets.gemini]
    max_turn = 5

    [targets.qwen]
    approval_mode = "plan"
    """))
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:8:1: error: unknown key `targets.gemini.max_turn`",
        "  hint: did you mean `max_turns`?",
        "_manifests/solo.toml:11:1: error: unknown key `targets.qwen.approval_mode`",
        "  hint: did you mean `approvalMode`?",
        "2 errors; nothing was written.",
    ]


def test_wrong_option_types_and_values(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]', """
    [targets.gemini]
    temperature = "low"
    max_turns = 0
    display_name = 3
    tools = "read_file"

    [targets.gemini.mcp_servers.docs]
    comand = "docs-mcp"
    type = "stdio"

    [targets.qwen]
    maxTurns = 2.5
    color = "magenta"
    approvalMode = "never"
    disallowedTools = "edit"
    """))
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:8:15: error: `targets.gemini.temperature` must be a number, "
        "not a string",
        "  hint: fix the value's type",
        "_manifests/solo.toml:9:13: error: `targets.gemini.max_turns` is 0, but it must be "
        "greater than 0",
        "  hint: use a number greater than 0",
        "_manifests/solo.toml:10:16: error: `targets.gemini.display_name` must be a string, "
        "not an integer",
        '  hint: quote the value: key = "text"',
        "_manifests/solo.toml:11:9: error: `targets.gemini.tools` must be an array, not a string",
        '  hint: write an array: key = ["a", "b"]',
        "_manifests/solo.toml:14:1: error: unknown key `targets.gemini.mcp_servers.docs.comand`",
        "  hint: remove it; unknown keys are not ignored",
        "_manifests/solo.toml:15:8: error: `targets.gemini.mcp_servers.docs.type` has an "
        "unsupported value 'stdio'",
        "  hint: use one of: 'sse' or 'http'",
        "_manifests/solo.toml:18:12: error: `targets.qwen.maxTurns` must be an integer, "
        "not a number",
        "  hint: fix the value's type",
        "_manifests/solo.toml:19:9: error: `targets.qwen.color` has an unsupported value "
        "'magenta'",
        "  hint: use one of: 'red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', "
        "'cyan' or 'auto'",
        "_manifests/solo.toml:20:16: error: `targets.qwen.approvalMode` has an unsupported "
        "value 'never'",
        "  hint: use one of: 'default', 'plan', 'auto-edit', 'auto', 'yolo' or 'bubble'",
        "_manifests/solo.toml:21:19: error: `targets.qwen.disallowedTools` must be an array, "
        "not a string",
        '  hint: write an array: key = ["a", "b"]',
        "10 errors; nothing was written.",
    ]


def test_a_model_without_a_value_for_the_target(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]', 'model = "opus"\n'))
    assert build_errors(root, cli) == [
        "_manifests/solo.toml:6:9: error: model `opus` is a Claude Code model name, which "
        "target gemini does not know",
        '  hint: define [models.<alias>] in the config with a value for each target and write '
        '`model = "<alias>"`, or set `model` in [targets.gemini]',
        "_manifests/solo.toml:6:9: error: model `opus` is a Claude Code model name, which "
        "target qwen does not know",
        '  hint: define [models.<alias>] in the config with a value for each target and write '
        '`model = "<alias>"`, or set `model` in [targets.qwen]',
        "2 errors; nothing was written.",
    ]


def test_out_of_range_values_in_the_config(tmp_path, cli):
    root = with_manifest(tmp_path, solo('["Read"]'), {
        "assembler.toml": FULL["assembler.toml"].replace(
            "timeout_mins = 8", "timeout_mins = 8\n        temperature = 2.5")})
    assert build_errors(root, cli) == [
        "assembler.toml:13:15: error: `targets.gemini.temperature` is 2.5, but it must be "
        "at most 2.0",
        "  hint: use a number at most 2.0",
        "1 error; nothing was written.",
    ]
