"""The command line: discovery of the root, version, list, colour, entry points."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assembler import __version__

from .conftest import REPO


def run_module(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "assembler", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=60,
    )


def test_version(cli):
    assert cli("--version").stdout == f"assembler {__version__}\n"


def test_python_dash_m_and_fast_version():
    result = run_module("--version")
    assert (result.returncode, result.stdout) == (0, f"assembler {__version__}\n")


def test_help_lists_commands(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("build", "check", "list"):
        assert command in result.stdout


def test_root_is_found_by_walking_up(built_env, cli, monkeypatch):
    monkeypatch.chdir(built_env / "_manifests")
    assert cli("check").exit_code == 0


def test_pyproject_tool_assembler_table(mini, cli, monkeypatch):
    config = (mini / "assembler.toml").read_text()
    (mini / "assembler.toml").unlink()
    body, _, layout = config.partition("[vars]")
    pyproject = "[project]\nname = 'x'\n\n[tool.assembler]\n" + body + "[tool.assembler.vars]" + layout.replace(
        "[layout]", "[tool.assembler.layout]")
    (mini / "pyproject.toml").write_text(pyproject)
    monkeypatch.chdir(mini)
    assert cli("build").exit_code == 0
    assert cli("check").exit_code == 0
    (mini / "pyproject.toml").write_text(pyproject.replace("output =", "outptu ="))
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.startswith("pyproject.toml:5:1: error: unknown key `outptu`")


def test_root_without_config_uses_defaults(tmp_path, cli):
    (tmp_path / "_manifests").mkdir()
    (tmp_path / "_manifests/solo.toml").write_text('name = "solo"\ndescription = "Alone."\n')
    assert cli("build", "--root", tmp_path).exit_code == 0
    text = (tmp_path / "agents/solo.md").read_text()
    assert "run `assembler build`" in text and text.count("\n# ") == 0


def test_list(mini, cli, snapshot):
    result = cli("list", "--root", mini)
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_list_json(mini, cli):
    rows = json.loads(cli("list", "--format", "json", "--root", mini).stdout)
    assert rows[1] == {
        "agent": "beta", "output": "agents/beta.md", "targets": {"claude-code": "agents/beta.md"},
        "model": None, "role": "editor",
        "role_blocks": ["policy/no-git"], "blocks": ["baseline", "footer"], "handoffs": [],
    }


def test_list_shows_every_target_an_agent_renders_to(cli):
    rows = json.loads(cli("list", "--format", "json", "--root", REPO).stdout)
    validator = next(row for row in rows if row["agent"] == "validator")
    assert validator["targets"] == {
        "claude-code": "agents/validator.md", "codex": ".codex/agents/validator.toml",
        "copilot": ".github/agents/validator.agent.md", "cursor": ".cursor/agents/validator.md"}


def test_colour_follows_force_color_and_no_color(mini, cli, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" in cli("check", "--root", mini).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("check", "--root", mini).stdout


def test_subfolder_manifests_mirror_into_outputs(mini, cli):
    (mini / "_manifests/ml").mkdir()
    (mini / "_manifests/ml/trainer.toml").write_text(
        'name = "trainer"\ndescription = "Trains."\nblocks = ["baseline", "footer"]\n'
        '[[handoff]]\ntarget = "alpha"\ntrigger = "review"\n')
    assert cli("build", "--root", mini).exit_code == 0
    assert (mini / "agents/ml/trainer.md").is_file()
    assert cli("build", "ml/trainer", "--root", mini).exit_code == 0


def test_example_catalog_checks_clean_from_a_subprocess():
    result = run_module("check", "--root", str(REPO))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("generated files up to date.\n")


def test_output_path_that_is_a_folder_is_an_input_error(mini, tmp_path, monkeypatch):
    import os

    (mini / "agents").mkdir()
    (mini / "agents/alpha.md").mkdir()  # a folder where a file must go
    env = {**os.environ, "HOME": str(tmp_path)}
    result = run_module("build", "--root", str(mini), env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("agents/alpha.md:1:1: error: cannot read the output file: Is a directory")
    assert not (mini / "agents/beta.md").exists()  # nothing written


@pytest.mark.parametrize("command", ["build", "explain"])
def test_a_generated_file_is_named_by_its_path_from_any_folder(built_env, cli, monkeypatch, command):
    """One lookup for every command: an output path relative to the working folder."""
    monkeypatch.chdir(built_env / "_manifests")
    for key in ("../agents/alpha.md", str(built_env / "agents/alpha.md"), "alpha",
                "_manifests/alpha.toml", "agents/alpha.md"):
        result = cli(command, key, "--root", built_env)
        assert result.exit_code == 0, (key, result.stdout, result.stderr)
        if command == "build":
            assert "unknown agent" not in result.stderr
        else:
            assert result.stdout.startswith("agents/alpha.md (")
    result = cli(command, "../agents/nobody.md", "--root", built_env)
    assert result.exit_code == 2
