"""The Factory Droid target: Droid's tool names, top-level files, and its errors."""

from __future__ import annotations

import pytest

from assembler.targets.factory import TOOLS

from .target_support import catalog, errors, frontmatter, rendered

ALPHA = ".factory/droids/alpha.md"
REVIEWER = """
    name = "reviewer"
    description = "Reviews diffs."
    substrate_role = "reader"
    blocks = ["baseline", "footer"]
    """


def test_the_mini_catalog(tmp_path):
    root = catalog(tmp_path, "factory", model="balanced", config="""
        [models.balanced]
        factory = "claude-sonnet-4-5-20250929"
        """)
    files = rendered(root)
    assert sorted(files) == [".factory/droids/alpha.md", ".factory/droids/beta.md"]
    assert frontmatter(files[ALPHA]) == {
        "name": "alpha",
        "description": "First agent: reviews things. Use it for reviews #1.",
        "model": "claude-sonnet-4-5-20250929",
        "tools": ["Read", "LS", "Grep"],
    }
    assert frontmatter(files[".factory/droids/beta.md"])["tools"] == ["Read", "LS", "Edit"]


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_each_tool_has_its_droid_name(tmp_path, tool):
    root = catalog(tmp_path, "factory", tools=f'["{tool}"]')
    expected = {"Read": ["Read", "LS"], "Grep": ["Grep"], "Glob": ["Glob"], "Write": ["Create"],
                "Edit": ["Edit"], "NotebookEdit": ["Edit"], "Bash": ["Execute"],
                "PowerShell": ["Execute"], "WebFetch": ["FetchUrl"], "WebSearch": ["WebSearch"],
                "TodoWrite": ["TodoWrite"], "Agent": ["Task"], "Task": ["Task"],
                "Skill": ["Skill"], "ToolSearch": ["ToolSearch"],
                "TaskStop": ["TaskStop"]}[tool]
    assert frontmatter(rendered(root)[ALPHA])["tools"] == expected


def test_mcp_servers_are_granted_whole(tmp_path):
    root = catalog(tmp_path, "factory", tools='["Read", "Edit", "Write", "mcp__github", '
                   '"mcp__sentry__*", "mcp__github"]')
    meta = frontmatter(rendered(root)[ALPHA])
    assert meta["tools"] == ["Read", "LS", "Edit", "Create"]
    assert meta["mcpServers"] == ["github", "sentry"]


def test_options_and_inherit(tmp_path):
    root = catalog(tmp_path, "factory", model="deep", config="""
        [models.deep]
        factory = "inherit"
        """, alpha="""
        [targets.factory]
        reasoningEffort = "high"
        tools = ["Read", "ApplyPatch"]
        mcpServers = ["linear"]
        """)
    assert frontmatter(rendered(root)[ALPHA]) == {
        "name": "alpha", "description": "First agent: reviews things. Use it for reviews #1.",
        "reasoningEffort": "high", "tools": ["Read", "ApplyPatch"], "mcpServers": ["linear"]}


def test_a_subfolder_is_written_at_the_top(tmp_path):
    root = catalog(tmp_path, "factory", files={"_manifests/team/reviewer.toml": REVIEWER})
    files = rendered(root)
    assert ".factory/droids/reviewer.md" in files
    assert frontmatter(files[".factory/droids/reviewer.md"])["name"] == "reviewer"


# -- errors -----------------------------------------------------------------------------------
def test_two_manifests_of_one_name_collide(tmp_path, cli):
    root = catalog(tmp_path, "factory", files={
        "_manifests/team/reviewer.toml": REVIEWER, "_manifests/ops/reviewer.toml": REVIEWER})
    assert errors(cli, root) == [
        "_manifests/team/reviewer.toml:1:8: error: target factory reads only the top level of "
        "`.factory/droids`: `team/reviewer` and `ops/reviewer` would both be written to "
        "`.factory/droids/reviewer.md`",
        "  hint: rename one of them, or switch the target off for one: "
        "[targets.factory] enabled = false",
    ]


def test_a_collision_is_avoided_by_switching_the_target_off(tmp_path):
    off = REVIEWER + "\n[targets.factory]\nenabled = false\n"
    root = catalog(tmp_path, "factory", files={
        "_manifests/team/reviewer.toml": REVIEWER, "_manifests/ops/reviewer.toml": off})
    assert ".factory/droids/reviewer.md" in rendered(root)


def test_a_tool_without_counterpart(tmp_path, cli):
    root = catalog(tmp_path, "factory", tools='["Read", "Monitor", "mcp__github__create_issue"]')
    assert errors(cli, root) == [
        "_manifests/alpha.toml:3:18: error: tool `Monitor` has no counterpart in target factory",
        "  hint: remove it, list Droid's own tool names in [targets.factory] tools, or switch the "
        "target off for this agent: [targets.factory] enabled = false",
        "_manifests/alpha.toml:3:29: error: tool `mcp__github__create_issue` has no counterpart "
        "in target factory",
        "  hint: Droid grants an MCP server whole: write `mcp__github`, or list the servers in "
        "[targets.factory] mcpServers",
    ]


def test_only_mcp_tools(tmp_path, cli):
    root = catalog(tmp_path, "factory", tools='["mcp__github"]')
    assert errors(cli, root) == [
        "_manifests/alpha.toml:3:9: error: target factory needs at least one built-in tool "
        "beside MCP servers (Droid refuses a tool list without one)",
        "  hint: add the tools the agent needs (`Read`, say), or list Droid's own names in "
        "[targets.factory] tools",
    ]


def test_the_name_rule_is_the_manifest_slug(tmp_path, cli):
    """Droid takes `[a-z0-9_-]`; every manifest name is a slug, which is stricter."""
    root = catalog(tmp_path, "factory", files={"_manifests/Reviewer.toml": REVIEWER.replace(
        '"reviewer"', '"Reviewer"')})
    assert errors(cli, root)[0] == "_manifests/Reviewer.toml:1:8: error: `name` 'Reviewer' is not a slug"


def test_an_option_typo_has_a_did_you_mean(tmp_path, cli):
    root = catalog(tmp_path, "factory", alpha="[targets.factory]\nreasoningEfort = \"low\"\n")
    assert errors(cli, root) == [
        "_manifests/alpha.toml:18:1: error: unknown key `targets.factory.reasoningEfort`",
        "  hint: did you mean `reasoningEffort`?",
    ]


@pytest.mark.parametrize("line, message", [
    ('reasoningEffort = "max"', "`targets.factory.reasoningEffort` has an unsupported value 'max'"),
    ('tools = "Read"', "`targets.factory.tools` must be an array, not a string"),
    ("mcpServers = [1]", "`targets.factory.mcpServers[0]` must be a string, not an integer"),
])
def test_an_option_of_the_wrong_type_or_value(tmp_path, cli, line, message):
    root = catalog(tmp_path, "factory", alpha=f"[targets.factory]\n{line}\n")
    column = line.index("=") + 3 + (1 if line.startswith("mcp") else 0)
    assert errors(cli, root)[0] == f"_manifests/alpha.toml:18:{column}: error: {message}"


def test_a_long_description_is_a_lint_finding(tmp_path, cli):
    long = "Reviews things. " * 40
    root = catalog(tmp_path, "factory", config='\n[lint.budgets]\ntargets = ["factory"]\n',
                   files={"_manifests/beta.toml": f"""
        name = "beta"
        description = "{long.strip()}"
        tools = ["Read"]
        substrate_role = "editor"
        blocks = ["baseline", "footer"]
        """})
    assert cli("build", "--root", root).exit_code == 0  # Droid loads it, with a warning
    result = cli("lint", "--root", root)
    findings = [line for line in result.stdout.splitlines() if "AA704" in line]
    assert findings == [
        "_manifests/beta.toml:2:1: AA704 error: `.factory/droids/beta.md` is over the factory "
        "limit for its `description`: 639 characters, limit 500"]
