"""The Antigravity target: its fields, what the tools become, and its errors."""

from __future__ import annotations

import pytest

from .target_support import catalog, errors, frontmatter, rendered

ALPHA = ".agents/agents/alpha.md"
DESCRIPTION = "First agent: reviews things. Use it for reviews #1."
REVIEWER = """
    name = "reviewer"
    description = "Reviews diffs."
    substrate_role = "reader"
    blocks = ["baseline", "footer"]
    """


def test_the_mini_catalog(tmp_path):
    root = catalog(tmp_path, "antigravity", model="balanced", config="""
        [models.balanced]
        antigravity = "pro"
        """)
    files = rendered(root)
    assert sorted(files) == [ALPHA, ".agents/agents/beta.md"]
    # alpha runs no commands; beta neither (Read, Edit): both get the policy
    assert frontmatter(files[ALPHA]) == {"name": "alpha", "description": DESCRIPTION,
                                         "model": "pro", "commandExecutionPolicy": "off"}
    assert frontmatter(files[".agents/agents/beta.md"]) == {
        "name": "beta", "description": "Second agent, fixes things.",
        "commandExecutionPolicy": "off"}


@pytest.mark.parametrize("tools, policy", [
    ('["Read", "Bash"]', None), ('["PowerShell"]', None), ('["Read", "Edit"]', "off"),
    ('["mcp__github"]', "off"), ("[]", None)])
def test_the_tools_decide_only_whether_commands_run(tmp_path, tools, policy):
    root = catalog(tmp_path, "antigravity", tools=tools)
    meta = frontmatter(rendered(root)[ALPHA])
    assert "tools" not in meta
    assert meta.get("commandExecutionPolicy") == policy


def test_every_option(tmp_path):
    root = catalog(tmp_path, "antigravity", model="fast", table=True, config="""
        mainAgent = false

        [models.fast]
        antigravity = "flash"
        """, alpha="""
        [targets.antigravity]
        subagent = true
        commandExecutionPolicy = "sandbox"
        skills = ["code-review"]
        mcpServers = ["github"]
        tools = ["view_file", "grep_search"]
        """)
    assert frontmatter(rendered(root)[ALPHA]) == {
        "name": "alpha", "description": DESCRIPTION, "model": "flash", "mainAgent": False,
        "subagent": True, "commandExecutionPolicy": "sandbox", "skills": ["code-review"],
        "mcpServers": ["github"], "tools": ["view_file", "grep_search"]}


def test_inherit_writes_no_model(tmp_path):
    root = catalog(tmp_path, "antigravity", model="deep", tools="[]", config="""
        [models.deep]
        antigravity = "inherit"
        """)
    assert frontmatter(rendered(root)[ALPHA]) == {"name": "alpha", "description": DESCRIPTION}


def test_a_subfolder_is_written_at_the_top(tmp_path):
    root = catalog(tmp_path, "antigravity", files={"_manifests/team/reviewer.toml": REVIEWER})
    assert frontmatter(rendered(root)[".agents/agents/reviewer.md"])["name"] == "reviewer"


# -- errors -----------------------------------------------------------------------------------
def test_two_manifests_of_one_name_collide(tmp_path, cli):
    root = catalog(tmp_path, "antigravity", files={
        "_manifests/team/reviewer.toml": REVIEWER, "_manifests/ops/reviewer.toml": REVIEWER})
    assert errors(cli, root) == [
        "_manifests/team/reviewer.toml:1:8: error: target antigravity reads only the top level "
        "of `.agents/agents`: `team/reviewer` and `ops/reviewer` would both be written to "
        "`.agents/agents/reviewer.md`",
        "  hint: rename one of them, or switch the target off for one: "
        "[targets.antigravity] enabled = false",
    ]


def test_a_model_antigravity_does_not_have(tmp_path, cli):
    root = catalog(tmp_path, "antigravity", model="balanced", config="""
        [models.balanced]
        antigravity = "gemini-3-pro"
        """)
    assert errors(cli, root) == [
        "assembler.toml:15:15: error: Antigravity has no model `gemini-3-pro`",
        "  hint: use one of: 'inherit', 'flash', 'pro'",
    ]


def test_a_misspelt_tool(tmp_path, cli):
    root = catalog(tmp_path, "antigravity", tools='["Read", "Bsh"]')
    assert errors(cli, root) == [
        "_manifests/alpha.toml:3:18: error: unknown tool `Bsh`",
        "  hint: did you mean `Bash`?",
    ]


def test_an_option_typo_has_a_did_you_mean(tmp_path, cli):
    root = catalog(tmp_path, "antigravity", alpha="[targets.antigravity]\nsubAgent = true\n")
    assert errors(cli, root) == [
        "_manifests/alpha.toml:18:1: error: unknown key `targets.antigravity.subAgent`",
        "  hint: did you mean `subagent`?",
    ]


@pytest.mark.parametrize("line, message", [
    ('commandExecutionPolicy = "always"',
     "`targets.antigravity.commandExecutionPolicy` has an unsupported value 'always'"),
    ('mainAgent = "no"', "`targets.antigravity.mainAgent` must be true or false, not a string"),
    ('skills = "review"', "`targets.antigravity.skills` must be an array, not a string"),
    ('model = "ultra"', "`targets.antigravity.model` has an unsupported value 'ultra'"),
])
def test_an_option_of_the_wrong_type_or_value(tmp_path, cli, line, message):
    root = catalog(tmp_path, "antigravity", alpha=f"[targets.antigravity]\n{line}\n")
    column = line.index("=") + 3
    assert errors(cli, root)[0] == f"_manifests/alpha.toml:18:{column}: error: {message}"
