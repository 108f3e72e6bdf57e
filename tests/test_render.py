"""Rendering: the example catalog and a small catalog, byte for byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from assembler import load_catalog, render_catalog
from assembler.outputs.banner import read_banner

from .conftest import REPO

EXAMPLE = load_catalog(REPO)
EXAMPLE_IDS = [agent.id for agent in EXAMPLE.agents]


@pytest.mark.parametrize("agent_id", EXAMPLE_IDS)
def test_example_agent_snapshot(agent_id, snapshot):
    """The Claude Code file of each example agent."""
    (rendered,) = [r for r in render_catalog(EXAMPLE, {agent_id}) if r.target == "claude-code"]
    assert rendered.data.decode("utf-8") == snapshot


@pytest.mark.parametrize("target", ["codex", "copilot", "cursor"])
@pytest.mark.parametrize("agent_id", ["validator", "code-implementer", "ml/dataset-auditor"])
def test_example_agent_snapshot_per_target(agent_id, target, snapshot):
    """Every other target's file: the same body, that tool's own frontmatter or TOML."""
    (rendered,) = [r for r in render_catalog(EXAMPLE, {agent_id}) if r.target == target]
    assert rendered.data.decode("utf-8") == snapshot


@pytest.fixture(scope="module")
def example_more(tmp_path_factory):
    """A copy of the example catalog rendering to Gemini CLI and Qwen Code (the example
    itself does not), with each model alias given a value for both."""
    root = tmp_path_factory.mktemp("example-more")
    for folder in ("_blocks", "_roles", "_manifests"):
        shutil.copytree(REPO / folder, root / folder)
    config = (REPO / "assembler.toml").read_text()
    listed = 'targets = ["claude-code", "codex", "copilot", "cursor"]'
    assert listed in config
    config = config.replace(listed, 'targets = ["gemini", "qwen"]')
    for alias, gemini, qwen in (("deep", "gemini-2.5-pro", "inherit"),
                                ("balanced", "inherit", "inherit"),
                                ("fast", "gemini-2.5-flash", "fast")):
        table = f"[models.{alias}]\n"
        assert table in config
        config = config.replace(table, f'{table}gemini = "{gemini}"\nqwen = "{qwen}"\n')
    (root / "assembler.toml").write_text(config)
    return load_catalog(root)


@pytest.mark.parametrize("target", ["gemini", "qwen"])
@pytest.mark.parametrize("agent_id", ["validator", "code-implementer", "ml/dataset-auditor"])
def test_example_agent_snapshot_gemini_qwen(example_more, agent_id, target, snapshot):
    """Gemini CLI and Qwen Code files of the example agents (a subfolder written flat)."""
    (rendered,) = [r for r in render_catalog(example_more, {agent_id}) if r.target == target]
    assert (rendered.path, rendered.data.decode("utf-8")) == snapshot


# Targets the example catalog does not render to, checked on a copy of it that does.
MORE_TARGETS = ["antigravity", "factory", "kiro", "opencode"]
MORE_MODELS = {
    "deep": {"antigravity": "pro", "factory": "claude-opus-4-5-20251101",
             "kiro": "claude-opus-4.5", "opencode": "anthropic/claude-opus-4-5"},
    "balanced": {"antigravity": "inherit", "factory": "claude-sonnet-4-5-20250929",
                 "kiro": "claude-sonnet-4.5", "opencode": "anthropic/claude-sonnet-4-5"},
    "fast": {"antigravity": "flash", "factory": "inherit", "kiro": "claude-haiku-4.5",
             "opencode": "anthropic/claude-haiku-4-5"},
}


@pytest.fixture(scope="module")
def example_other(tmp_path_factory):
    """The example catalog, rendering to the targets it leaves out."""
    root = tmp_path_factory.mktemp("example-more")
    for folder in ("_manifests", "_blocks", "_roles"):
        shutil.copytree(REPO / folder, root / folder)
    config = (REPO / "assembler.toml").read_text(encoding="utf-8")
    listed = 'targets = ["claude-code", "codex", "copilot", "cursor"]'
    assert listed in config
    config = config.replace(listed, "targets = [" + ", ".join(f'"{t}"' for t in MORE_TARGETS) + "]")
    for alias, values in MORE_MODELS.items():
        lines = "".join(f'{target} = "{value}"\n' for target, value in values.items())
        config = config.replace(f"[models.{alias}]\n", f"[models.{alias}]\n{lines}")
    (root / "assembler.toml").write_text(config, encoding="utf-8")
    return load_catalog(root)


@pytest.mark.parametrize("target", MORE_TARGETS)
@pytest.mark.parametrize("agent_id", ["validator", "code-implementer", "ml/dataset-auditor"])
def test_example_agent_snapshot_more_targets(example_other, agent_id, target, snapshot):
    """The same body, with the frontmatter of opencode, Factory Droid, Kiro and Antigravity."""
    (rendered,) = [r for r in render_catalog(example_other, {agent_id}) if r.target == target]
    assert rendered.data.decode("utf-8") == snapshot


def test_every_example_agent_renders_to_the_more_targets(example_other):
    rendered = render_catalog(example_other)
    assert sorted({r.target for r in rendered}) == MORE_TARGETS
    paths = sorted(r.path for r in rendered if r.agent.id == "ml/dataset-auditor")
    assert paths == [".agents/agents/dataset-auditor.md", ".factory/droids/dataset-auditor.md",
                     ".kiro/agents/ml/dataset-auditor.md", ".opencode/agents/ml/dataset-auditor.md"]


def test_every_example_agent_renders_to_every_target():
    rendered = [r for r in render_catalog(EXAMPLE) if r.agent in EXAMPLE.agents]
    assert sorted({r.target for r in rendered}) == ["claude-code", "codex", "copilot", "cursor"]
    assert len(rendered) == 4 * len(EXAMPLE.agents)


def test_example_catalog_is_committed_without_drift():
    for rendered in render_catalog(EXAMPLE):
        assert (REPO / rendered.path).read_bytes() == rendered.data, rendered.path


def test_mini_catalog_snapshot(mini, snapshot):
    rendered = render_catalog(load_catalog(mini))
    assert {r.path: r.data.decode() for r in rendered} == snapshot


def _frontmatter(data: bytes) -> dict:
    text = data.decode()
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 3)])


def test_frontmatter_is_valid_yaml_with_colons_and_hashes(mini):
    (rendered, _) = render_catalog(load_catalog(mini))
    assert _frontmatter(rendered.data) == {
        "name": "alpha",
        "description": "First agent: reviews things. Use it for reviews #1.",
        "tools": "Read, Grep",
        "model": "sonnet",
    }


def test_output_contract(mini):
    for rendered in render_catalog(load_catalog(mini)):
        text = rendered.data.decode()
        assert "\r" not in text
        assert text.endswith("\n") and not text.endswith("\n\n")
        lines = text.split("\n")
        closing = lines.index("---", 1)
        assert lines[closing + 1] == ""
        assert lines[closing + 2].startswith("<!-- GENERATED by agent-assembler from _manifests/")
        assert "DO NOT EDIT" in lines[closing + 2] and "make agents" in lines[closing + 2]
        banner = read_banner(rendered.data)
        assert banner is not None and banner.intact


def test_role_inheritance_and_relaxes(mini):
    alpha, beta = render_catalog(load_catalog(mini))
    assert "## Read only" in alpha.data.decode()
    beta_text = beta.data.decode()
    assert "## No git" in beta_text and "## Read only" not in beta_text
    assert "# AGENT SUBSTRATE — role `editor`" in beta_text


def test_footer_block_comes_last(mini):
    for rendered in render_catalog(load_catalog(mini)):
        assert rendered.data.decode().rstrip("\n").endswith(" DONE ===`.")


def test_empty_sections_are_left_out(mini):
    beta = render_catalog(load_catalog(mini))[1].data.decode()
    for heading in ("# DOMAIN SCOPE", "# HANDOFFS", "# FORBIDDEN"):
        assert heading not in beta
    # the report template still renders: the config has fixed fields
    assert "=== BETA REPORT ===" in beta


def test_manifest_vars_override_config_vars(mini):
    path = mini / "_manifests/beta.toml"
    path.write_text(path.read_text() + '\n[vars]\nteam = "research"\n')
    alpha, beta = render_catalog(load_catalog(mini))
    assert "Work for the platform team." in alpha.data.decode()
    assert "Work for the research team." in beta.data.decode()


def test_template_override_from_catalog(mini):
    (mini / "_templates").mkdir()
    (mini / "_templates/claude-code.md.j2").write_text(
        "---\n{{ frontmatter }}---\n\n{{ banner }}\n\n{{ role_text }}\n"
    )
    alpha = render_catalog(load_catalog(mini))[0].data.decode()
    assert alpha.endswith("-->\n\nYou review things.\n")


def test_same_bytes_from_any_working_directory(mini, tmp_path):
    first = [r.data for r in render_catalog(load_catalog(mini))]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    old = os.getcwd()
    os.chdir(elsewhere)
    try:
        second = [r.data for r in render_catalog(load_catalog(mini.resolve()))]
    finally:
        os.chdir(old)
    assert first == second


def test_crlf_sources_give_lf_output(mini):
    block = mini / "_blocks/baseline.md"
    block.write_bytes(block.read_bytes().replace(b"\n", b"\r\n"))
    manifest = mini / "_manifests/alpha.toml"
    manifest.write_bytes(manifest.read_bytes().replace(b"\n", b"\r\n"))
    for rendered in render_catalog(load_catalog(mini)):
        assert b"\r" not in rendered.data
