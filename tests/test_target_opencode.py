"""The opencode target: its fields, the permission map from the tools, and its errors."""

from __future__ import annotations

import pytest

from assembler.targets.opencode import PERMISSIONS, TOOLS

from .target_support import catalog, errors, frontmatter, rendered

ALPHA = ".opencode/agents/alpha.md"


def denied_but(*allowed: str) -> dict[str, str]:
    """Every built-in permission denied but the listed ones, which the file leaves out:
    the user's own rules decide on them (an agent rule `allow` would skip their asks)."""
    return {key: "deny" for key in PERMISSIONS if key not in allowed}


def test_the_mini_catalog(tmp_path):
    root = catalog(tmp_path, "opencode", model="balanced", config="""
        [models.balanced]
        opencode = "anthropic/claude-sonnet-4-5"
        """)
    files = rendered(root)
    assert sorted(files) == [ALPHA, ".opencode/agents/beta.md"]
    assert frontmatter(files[ALPHA]) == {
        "description": "First agent: reviews things. Use it for reviews #1.",
        "mode": "subagent",
        "model": "anthropic/claude-sonnet-4-5",
        "permission": denied_but("read", "list", "grep"),
    }
    assert frontmatter(files[".opencode/agents/beta.md"])["permission"] == denied_but(
        "read", "list", "edit")


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_each_tool_leaves_its_permissions_to_the_user(tmp_path, tool):
    root = catalog(tmp_path, "opencode", tools=f'["{tool}"]')
    expected = {"Read": ("read", "list"), "Grep": ("grep",), "Glob": ("glob",),
                "Edit": ("edit",), "Write": ("edit",), "NotebookEdit": ("edit",),
                "Bash": ("bash",), "PowerShell": ("bash",), "Agent": ("task",),
                "Task": ("task",), "WebFetch": ("webfetch",), "WebSearch": ("websearch",),
                "TodoWrite": ("todowrite",), "Skill": ("skill",), "LSP": ("lsp",),
                "AskUserQuestion": ("question",)}[tool]
    assert frontmatter(rendered(root)[ALPHA])["permission"] == denied_but(*expected)


def test_mcp_tools_are_named_server_underscore_tool(tmp_path):
    root = catalog(tmp_path, "opencode", tools='["Read", "mcp__github__create_issue", '
                   '"mcp__github__list_issues", "mcp__sentry", "mcp__linear__*"]')
    permission = frontmatter(rendered(root)[ALPHA])["permission"]
    assert list(permission.items())[len(PERMISSIONS) - 2:] == [  # read and list are left out
        ("github_*", "deny"), ("github_create_issue", "allow"), ("github_list_issues", "allow")]


def test_a_whole_server_wins_over_its_single_tools(tmp_path):
    root = catalog(tmp_path, "opencode", tools='["mcp__github__create_issue", "mcp__github"]')
    permission = frontmatter(rendered(root)[ALPHA])["permission"]
    assert permission == denied_but()  # the whole server: the user's own rules decide


def test_no_tools_no_permission_and_inherit_no_model(tmp_path):
    root = catalog(tmp_path, "opencode", tools="[]", model="deep", config="""
        [models.deep]
        opencode = "inherit"
        """)
    assert frontmatter(rendered(root)[ALPHA]) == {
        "description": "First agent: reviews things. Use it for reviews #1.", "mode": "subagent"}


def test_every_field_from_the_config_and_the_manifest(tmp_path):
    root = catalog(tmp_path, "opencode", table=True, config="""
        temperature = 0.1
        mode = "all"
        model = "openai/gpt-5"
        """, alpha="""
        [targets.opencode]
        mode = "primary"
        variant = "high"
        temperature = 0.25
        top_p = 0.9
        steps = 12
        hidden = true
        color = "#ff8800"
        """)
    files = rendered(root)
    assert frontmatter(files[ALPHA]) == {
        "description": "First agent: reviews things. Use it for reviews #1.",
        "mode": "primary", "model": "openai/gpt-5", "variant": "high", "temperature": 0.25,
        "top_p": 0.9, "steps": 12, "hidden": True, "color": "#ff8800",
        "permission": denied_but("read", "list", "grep")}
    beta = frontmatter(files[".opencode/agents/beta.md"])
    assert (beta["mode"], beta["model"], beta["temperature"]) == ("all", "openai/gpt-5", 0.1)


def test_a_native_permission_map_replaces_the_derived_one(tmp_path):
    root = catalog(tmp_path, "opencode", tools='["Read", "Monitor"]', alpha="""
        [targets.opencode]
        color = "accent"

        [targets.opencode.permission]
        edit = "deny"
        webfetch = "ask"
        "github_*" = "deny"

        [targets.opencode.permission.bash]
        "*" = "ask"
        "git status*" = "allow"
        """)
    text = rendered(root)[ALPHA]
    assert frontmatter(text)["permission"] == {
        "edit": "deny", "webfetch": "ask", "github_*": "deny",
        "bash": {"*": "ask", "git status*": "allow"}}
    assert frontmatter(text)["color"] == "accent"


def test_a_subfolder_stays_in_the_agent_path(tmp_path):
    root = catalog(tmp_path, "opencode", files={"_manifests/team/reviewer.toml": """
        name = "reviewer"
        description = 'Use when: a diff needs "review" #now'
        substrate_role = "reader"
        blocks = ["baseline", "footer"]
        """})
    text = rendered(root)[".opencode/agents/team/reviewer.md"]
    assert frontmatter(text) == {"description": 'Use when: a diff needs "review" #now',
                                 "mode": "subagent"}


# -- errors -----------------------------------------------------------------------------------
def test_a_tool_without_counterpart(tmp_path, cli):
    root = catalog(tmp_path, "opencode", tools='["Read", "Monitor", "Reed"]')
    assert errors(cli, root) == [
        "_manifests/alpha.toml:3:18: error: tool `Monitor` has no counterpart in target opencode",
        "  hint: remove it, write opencode's own map in [targets.opencode] permission, or "
        "switch the target off for this agent: [targets.opencode] enabled = false",
        "_manifests/alpha.toml:3:29: error: unknown tool `Reed`",
        "  hint: did you mean `Read`?",
    ]


def test_a_model_without_provider(tmp_path, cli):
    root = catalog(tmp_path, "opencode", model="balanced", config="""
        [models.balanced]
        opencode = "gpt-5"
        """)
    assert errors(cli, root) == [
        "assembler.toml:15:12: error: opencode names a model `provider/model`, not `gpt-5`",
        "  hint: write the provider and the model id, e.g. \"anthropic/claude-sonnet-4-5\" "
        "(\"inherit\" leaves it to opencode)",
    ]


def test_a_claude_model_name_needs_an_alias(tmp_path, cli):
    root = catalog(tmp_path, "opencode", model="sonnet")
    assert errors(cli, root)[0] == (
        "_manifests/alpha.toml:4:9: error: model `sonnet` is a Claude Code model name, which "
        "target opencode does not know")


def test_an_option_typo_has_a_did_you_mean(tmp_path, cli):
    root = catalog(tmp_path, "opencode", alpha="""
        [targets.opencode]
        temprature = 0.2
        """)
    assert errors(cli, root) == [
        "_manifests/alpha.toml:19:1: error: unknown key `targets.opencode.temprature`",
        "  hint: did you mean `temperature`?",
    ]


@pytest.mark.parametrize("line, message", [
    ('temperature = "0.2"', "`targets.opencode.temperature` must be a number, not a string"),
    ("steps = 0", "`targets.opencode.steps` is 0, but it must be greater than 0"),
    ("steps = 2.5", "`targets.opencode.steps` must be an integer, not a number"),
    ("temperature = inf", "`targets.opencode.temperature`: Input should be a finite number"),
    ("top_p = 1.5", "`targets.opencode.top_p` is 1.5, but it must be at most 1.0"),
    ('mode = "agent"', "`targets.opencode.mode` has an unsupported value 'agent'"),
    ('color = "cyan"', "`targets.opencode.color`: String should match pattern "
                       "'^(#[0-9a-fA-F]{6}|primary|secondary|accent|success|warning|error|info)$'"),
    ("hidden = 1", "`targets.opencode.hidden` must be true or false, not an integer"),
    ('permission = "allow"', "`targets.opencode.permission` must be a table, not a string"),
])
def test_an_option_of_the_wrong_type_or_value(tmp_path, cli, line, message):
    root = catalog(tmp_path, "opencode", alpha=f"[targets.opencode]\n{line}\n")
    column = line.index("=") + 3  # the value's
    assert errors(cli, root)[0] == f"_manifests/alpha.toml:18:{column}: error: {message}"


def test_a_bad_native_permission(tmp_path, cli):
    root = catalog(tmp_path, "opencode", alpha="""
        [targets.opencode.permission]
        edit = "yes"
        todowrite = { "*" = "allow" }
        read = 3

        [targets.opencode.permission.bash]
        "git *" = "never"
        """)
    assert errors(cli, root) == [
        "_manifests/alpha.toml:19:8: error: opencode permission `edit` has an unsupported "
        "value 'yes'",
        "  hint: use one of: 'allow', 'ask', 'deny'",
        "_manifests/alpha.toml:20:13: error: opencode permission `todowrite` takes one action, "
        "not a table of patterns",
        "  hint: write `todowrite = \"allow\"`, \"ask\" or \"deny\"",
        "_manifests/alpha.toml:21:8: error: opencode permission `read` must be an action or a "
        "table of patterns",
        "  hint: write `\"allow\"`, `\"ask\"` or `\"deny\"`, or a table such as "
        "{ \"*\" = \"ask\", \"git status*\" = \"allow\" }",
        "_manifests/alpha.toml:24:11: error: opencode permission `bash` gives pattern `git *` an "
        "unsupported value 'never'",
        "  hint: use one of: 'allow', 'ask', 'deny'",
    ]


def test_a_config_default_is_checked_at_the_config_line(tmp_path, cli):
    root = catalog(tmp_path, "opencode", table=True, config="""
        temprature = 0.2
        steps = -1
        """)
    assert errors(cli, root) == [
        "assembler.toml:15:1: error: unknown key `targets.opencode.temprature`",
        "  hint: did you mean `temperature`?",
        "assembler.toml:16:9: error: `targets.opencode.steps` is -1, but it must be greater than 0",
        "  hint: use a number greater than 0",
    ]
