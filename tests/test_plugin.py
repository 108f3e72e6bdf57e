"""`assembler build --plugin DIR`: the catalog as a Claude Code plugin."""

from __future__ import annotations

import json
import shutil
from datetime import date

from assembler.lint.engine import lint

from .conftest import MINI, write_tree

PLUGIN = """
[plugin]
name = "team-agents"
version = "1.2.0"
description = "The platform team's agents."
author = { name = "Platform team", email = "platform@example.com" }
license = "MIT"
keywords = ["review"]
"""
MARKET = """
[plugin.marketplace]
name = "platform-tools"
owner = { name = "Platform team" }
"""


def _catalog(tmp_path, config_extra: str = PLUGIN, files: dict | None = None):
    tree = {**MINI, **(files or {})}
    tree["assembler.toml"] = MINI["assembler.toml"].replace("[vars]", config_extra.strip() + "\n\n[vars]", 1) \
        if config_extra else MINI["assembler.toml"]
    return write_tree(tmp_path / "catalog", tree)


def test_build_writes_the_plugin_manifest_readme_and_the_claude_code_agents(cli, tmp_path):
    root = _catalog(tmp_path)
    dest = tmp_path / "plugin"
    result = cli("build", "--root", root, "--plugin", dest)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "plugin team-agents: 4 written, 0 unchanged." in result.stdout
    manifest = json.loads((dest / ".claude-plugin/plugin.json").read_text())
    assert manifest == {"name": "team-agents", "version": "1.2.0",
                        "description": "The platform team's agents.",
                        "author": {"name": "Platform team", "email": "platform@example.com"},
                        "license": "MIT", "keywords": ["review"]}
    for agent in ("alpha", "beta"):
        assert (dest / f"agents/{agent}.md").read_bytes() == (root / f"agents/{agent}.md").read_bytes()
    readme = (dest / "README.md").read_text()
    assert "# team-agents" in readme and "- `alpha`: First agent" in readme
    assert not (dest / ".claude-plugin/marketplace.json").exists()
    again = cli("build", "--root", root, "--plugin", dest)
    assert "plugin team-agents: 0 written, 4 unchanged." in again.stdout


def test_a_marketplace_lists_the_plugin(cli, tmp_path):
    root = _catalog(tmp_path, PLUGIN + MARKET)
    dest = tmp_path / "plugin"
    assert cli("build", "--root", root, "--plugin", dest).exit_code == 0
    market = json.loads((dest / ".claude-plugin/marketplace.json").read_text())
    assert market == {"name": "platform-tools", "owner": {"name": "Platform team"},
                      "plugins": [{"name": "team-agents", "source": "./",
                                   "description": "The platform team's agents.", "version": "1.2.0"}]}


def test_gone_agents_go_and_hand_edits_are_kept_unless_forced(cli, tmp_path):
    root = _catalog(tmp_path)
    dest = tmp_path / "plugin"
    cli("build", "--root", root, "--plugin", dest)
    edited = dest / "agents/alpha.md"
    edited.write_text(edited.read_text() + "my note\n")
    (dest / "agents/mine.md").write_text("---\nname: mine\ndescription: hand-written\n---\nHi.\n")
    (root / "_manifests/beta.toml").unlink()
    (root / "_manifests/alpha.toml").write_text(
        (root / "_manifests/alpha.toml").read_text().replace('target = "beta"', 'target = "alpha"'))
    result = cli("build", "--root", root, "--plugin", dest)
    assert result.exit_code == 1
    assert "agents/alpha.md: edited by hand or not written by the assembler; kept" in result.stderr
    assert edited.read_text().endswith("my note\n")
    assert not (dest / "agents/beta.md").exists()  # its agent is gone
    assert (dest / "agents/mine.md").exists()  # not ours: never removed
    forced = cli("build", "--root", root, "--plugin", dest, "--force")
    assert forced.exit_code == 0
    assert edited.read_bytes() == (root / "agents/alpha.md").read_bytes()


def test_plugin_needs_the_whole_catalog_and_the_claude_code_target(cli, tmp_path):
    root = _catalog(tmp_path)
    result = cli("build", "alpha", "--root", root, "--plugin", tmp_path / "p")
    assert result.exit_code == 2 and "--plugin builds every agent" in result.stderr
    other = _catalog(tmp_path / "codex", PLUGIN.replace("[plugin]", 'targets = ["codex"]\n\n[plugin]'),
                     {"_manifests/alpha.toml": MINI["_manifests/alpha.toml"].replace(
                         'model = "sonnet"\n', "")})
    result = cli("build", "--root", other, "--plugin", tmp_path / "p")
    assert result.exit_code == 2 and "target claude-code is not enabled" in result.stderr
    assert not (tmp_path / "p").exists()


def test_a_plugin_name_that_is_not_kebab_case_is_located(cli, tmp_path):
    root = _catalog(tmp_path, PLUGIN.replace('"team-agents"', '"Team Agents"'))
    result = cli("build", "--root", root, "--plugin", tmp_path / "p")
    assert result.exit_code == 2
    line = (root / "assembler.toml").read_text().splitlines().index('name = "Team Agents"') + 1
    assert f"assembler.toml:{line}:8: error: plugin name `Team Agents` is not in kebab case" \
        in result.stderr
    assert not (root / "agents").exists()  # nothing was written


def test_without_a_plugin_table_the_name_is_the_folder_name(cli, tmp_path):
    root = _catalog(tmp_path, "")
    result = cli("build", "--root", root, "--plugin", tmp_path / "p")
    assert result.exit_code == 0
    assert json.loads((tmp_path / "p/.claude-plugin/plugin.json").read_text()) == {"name": "catalog"}
    assert "note: plugin.json has no version, description, author" in result.stderr


def test_lint_says_which_fields_plugin_agents_ignore(tmp_path):
    config = PLUGIN + '\n[targets.claude-code]\nhooks = { Stop = [] }\n'
    root = _catalog(tmp_path, "", {"_manifests/beta.toml": MINI["_manifests/beta.toml"]
                                   + '\n[targets.claude-code]\nmcpServers = ["github"]\n'})
    text = (root / "assembler.toml").read_text()
    (root / "assembler.toml").write_text(text + config)
    report = lint(root, today=date(2026, 5, 1), select=["AA805"])
    found = sorted((f.path, (root / f.path).read_text().splitlines()[f.line - 1])
                   for f in report.findings)
    assert found == [("_manifests/beta.toml", 'mcpServers = ["github"]'),
                     ("assembler.toml", "hooks = { Stop = [] }")]
    assert "`hooks` is ignored for the agents of a Claude Code plugin" in report.findings[1].message
    # the same catalog without [plugin]: nothing to say
    (root / "assembler.toml").write_text(text + '\n[targets.claude-code]\nhooks = { Stop = [] }\n')
    assert lint(root, today=date(2026, 5, 1), select=["AA805"]).findings == []


SKILL = {
    "_skills/release-notes/skill.toml": """
        name = "release-notes"
        description = "Drafts release notes from the git history."
        when_to_use = "Before tagging a release."
        blocks = ["@intro", "@when_to_use"]

        [targets.claude-code]
        argument-hint = "<since>"

        [text]
        intro = "# Release notes\\n\\nRun `scripts/log.sh`; see [style](references/style.md).\\n"
        """,
    "_skills/release-notes/references/style.md": "# Style\n\nShort lines.\n",
    "_skills/release-notes/scripts/log.sh": "#!/bin/sh\ngit log --oneline \"$@\"\n",
}



def _skill_catalog(tmp_path):
    root = _catalog(tmp_path, 'targets = ["claude-code", "codex"]\n' + PLUGIN, {
        **SKILL, "_manifests/alpha.toml": MINI["_manifests/alpha.toml"].replace('model = "sonnet"\n', "")})
    (root / "_skills/release-notes/scripts/log.sh").chmod(0o755)
    return root


def _files(folder) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_the_plugin_holds_the_claude_code_skills_with_their_files_and_modes(cli, tmp_path):
    root = _skill_catalog(tmp_path)
    dest = tmp_path / "plugin"
    result = cli("build", "--root", root, "--plugin", dest)
    assert result.exit_code == 0, result.stdout + result.stderr
    skill = dest / "skills/release-notes"
    # the .claude/skills flavour, with Claude Code's own keys, not the shared .agents/skills one
    assert (skill / "SKILL.md").read_bytes() == \
        (root / ".claude/skills/release-notes/SKILL.md").read_bytes()
    assert 'argument-hint: "<since>"' in (skill / "SKILL.md").read_text()
    assert "argument-hint" not in (root / ".agents/skills/release-notes/SKILL.md").read_text()
    assert (skill / "references/style.md").read_text() == "# Style\n\nShort lines.\n"
    assert (skill / "scripts/log.sh").stat().st_mode & 0o777 == 0o755
    readme = (dest / "README.md").read_text()
    assert "of 2 agents and 1 skill," in readme
    assert "- `release-notes`: Drafts release notes" in readme
    assert "plugin team-agents: 7 written, 0 unchanged." in result.stdout
    (skill / "scripts/log.sh").chmod(0o644)  # a lost mode is put back, as in the outputs
    again = cli("build", "--root", root, "--plugin", dest)
    assert "plugin team-agents: 1 written, 6 unchanged." in again.stdout
    assert (skill / "scripts/log.sh").stat().st_mode & 0o777 == 0o755


def test_edited_skill_files_are_kept_and_removed_skills_go(cli, tmp_path):
    root = _skill_catalog(tmp_path)
    dest = tmp_path / "plugin"
    cli("build", "--root", root, "--plugin", dest)
    skill = dest / "skills/release-notes"
    style = skill / "references/style.md"
    style.write_text(style.read_text() + "my note\n")
    (root / "_skills/release-notes/references/style.md").write_text("# Style\n\nShorter.\n")
    result = cli("build", "--root", root, "--plugin", dest)
    assert result.exit_code == 1
    assert "skills/release-notes/references/style.md: edited by hand" in result.stderr
    assert style.read_text().endswith("my note\n")
    (skill / "notes.txt").write_text("mine\n")  # not written by the assembler
    shutil.rmtree(root / "_skills/release-notes")
    result = cli("build", "--root", root, "--plugin", dest)
    assert result.exit_code == 1  # the edited copy is kept, with the SKILL.md recording it
    assert "skills/release-notes/references/style.md: edited by hand" in result.stderr
    assert "removed " + str(skill / "scripts/log.sh") in result.stdout
    assert _files(skill) == ["SKILL.md", "notes.txt", "references", "references/style.md"]
    forced = cli("build", "--root", root, "--plugin", dest, "--force")
    assert forced.exit_code == 0, forced.stdout + forced.stderr
    assert _files(skill) == ["notes.txt"]  # never ours: never removed
    (skill / "notes.txt").unlink()
    assert _files(dest / "skills") == ["release-notes"]
    assert "skills" not in (dest / "README.md").read_text().lower().split("## agents")[1]
