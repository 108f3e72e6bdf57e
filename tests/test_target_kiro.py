"""The Kiro target: Kiro 3 tool tags, the path as the name, and its errors."""

from __future__ import annotations

import pytest

from assembler.targets.kiro import TOOLS

from .target_support import catalog, errors, frontmatter, rendered

ALPHA = ".kiro/agents/alpha.md"


def test_the_mini_catalog(tmp_path):
    root = catalog(tmp_path, "kiro", model="balanced", config="""
        [models.balanced]
        kiro = "claude-sonnet-4.5"
        """)
    files = rendered(root)
    assert sorted(files) == [ALPHA, ".kiro/agents/beta.md"]
    assert frontmatter(files[ALPHA]) == {
        "name": "alpha",
        "description": "First agent: reviews things. Use it for reviews #1.",
        "model": "claude-sonnet-4.5",
        "tools": ["read"],
    }
    assert frontmatter(files[".kiro/agents/beta.md"])["tools"] == ["read", "write"]


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_each_tool_has_its_tag(tmp_path, tool):
    root = catalog(tmp_path, "kiro", tools=f'["{tool}"]')
    expected = {"Read": "read", "Grep": "read", "Glob": "read", "Edit": "write",
                "Write": "write", "NotebookEdit": "write", "Bash": "shell",
                "PowerShell": "shell", "WebFetch": "web", "WebSearch": "web",
                "Agent": "subagent", "Task": "subagent"}[tool]
    assert frontmatter(rendered(root)[ALPHA])["tools"] == [expected]


def test_mcp_servers_are_tags(tmp_path):
    root = catalog(tmp_path, "kiro", tools='["Read", "mcp__github", "mcp__sentry__*"]')
    assert frontmatter(rendered(root)[ALPHA])["tools"] == ["read", "@github", "@sentry"]


def test_a_subfolder_is_part_of_the_name(tmp_path):
    root = catalog(tmp_path, "kiro", files={"_manifests/team/planner.toml": """
        name = "planner"
        description = "Plans work."
        substrate_role = "reader"
        blocks = ["baseline", "footer"]
        """})
    meta = frontmatter(rendered(root)[".kiro/agents/team/planner.md"])
    assert meta == {"name": "team/planner", "description": "Plans work."}


def test_every_option(tmp_path):
    root = catalog(tmp_path, "kiro", table=True, config="""
        includeMcpJson = true
        """, alpha="""
        [targets.kiro]
        welcomeMessage = "Ready to review: what changed?"
        resources = ["file://docs/review.md", "skill://code-review"]
        tools = ["read", "@builtin"]

        [[targets.kiro.permissions]]
        capability = "shell"
        effect = "deny"
        match = ["git push*", "rm -rf *"]

        [[targets.kiro.permissions]]
        capability = "write"
        effect = "ask"
        """)
    assert frontmatter(rendered(root)[ALPHA]) == {
        "name": "alpha", "description": "First agent: reviews things. Use it for reviews #1.",
        "tools": ["read", "@builtin"],
        "permissions": [{"capability": "shell", "effect": "deny", "match": ["git push*", "rm -rf *"]},
                        {"capability": "write", "effect": "ask"}],
        "welcomeMessage": "Ready to review: what changed?",
        "resources": ["file://docs/review.md", "skill://code-review"],
        "includeMcpJson": True,
    }


# -- errors -----------------------------------------------------------------------------------
def test_a_tool_without_counterpart(tmp_path, cli):
    root = catalog(tmp_path, "kiro", tools='["TodoWrite", "Skill", "mcp__github__create_issue"]')
    assert errors(cli, root) == [
        "_manifests/alpha.toml:3:10: error: tool `TodoWrite` has no counterpart in target kiro",
        "  hint: remove it, list Kiro's own tags in [targets.kiro] tools, or switch the target "
        "off for this agent: [targets.kiro] enabled = false",
        "_manifests/alpha.toml:3:23: error: tool `Skill` has no counterpart in target kiro",
        "  hint: give the skills as `skill://` entries of [targets.kiro] resources instead",
        "_manifests/alpha.toml:3:32: error: tool `mcp__github__create_issue` has no counterpart "
        "in target kiro",
        "  hint: Kiro grants an MCP server whole: write `mcp__github`, or list Kiro's own tags in "
        "[targets.kiro] tools",
    ]


def test_an_option_typo_has_a_did_you_mean(tmp_path, cli):
    root = catalog(tmp_path, "kiro", alpha='[targets.kiro]\nwelcomeMesage = "Hi"\n')
    assert errors(cli, root) == [
        "_manifests/alpha.toml:18:1: error: unknown key `targets.kiro.welcomeMesage`",
        "  hint: did you mean `welcomeMessage`?",
    ]


@pytest.mark.parametrize("lines, at, message", [
    ('includeMcpJson = "yes"', "18:18", "`targets.kiro.includeMcpJson` must be true or false, "
                                        "not a string"),
    ('resources = "file://a.md"', "18:13", "`targets.kiro.resources` must be an array, not a string"),
    ('[[targets.kiro.permissions]]\ncapability = "shell"\neffect = "maybe"', "19:10",
     "`targets.kiro.permissions[0].effect` has an unsupported value 'maybe'"),
    ('[[targets.kiro.permissions]]\ncapability = "shell"\neffect = "deny"\nmatches = ["x"]',
     "20:1", "unknown key `targets.kiro.permissions[0].matches`"),
])
def test_an_option_of_the_wrong_type_or_value(tmp_path, cli, lines, at, message):
    head = "" if lines.startswith("[[") else "[targets.kiro]\n"
    root = catalog(tmp_path, "kiro", alpha=head + lines + "\n")
    assert errors(cli, root)[0] == f"_manifests/alpha.toml:{at}: error: {message}"
