"""Impact: `uses`, `build --changed-since` on a real git repository, and the pre-commit hooks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from .provenance_support import REPO, copy_catalog


@pytest.fixture()
def run(cli):
    """``assembler ARGS --root ROOT`` through the shared, exception-raising runner."""
    return lambda root, *args: cli(*args, "--root", root)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example catalog committed to a fresh git repository."""
    root = copy_catalog(tmp_path / "catalog")
    home = tmp_path / "home"
    home.mkdir()
    for key, value in {
        "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(home / "none"),
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
    }.items():
        monkeypatch.setenv(key, value)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalog")
    return root


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
                           *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def touch_block(root: Path, name: str) -> None:
    path = root / "_blocks" / f"{name}.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in (root / "agents").rglob("*.md")}


# -- uses ---------------------------------------------------------------------------------------
def test_uses_a_block_directly_and_through_roles(run):
    result = run(REPO, "uses", "compute-budget")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "block `compute-budget` is used by 2 agents and 1 skill:"
    assert "gpu-job-runner     directly (`blocks`)" in result.stdout
    assert "skill gpu-cost-estimate  directly (`blocks`)" in result.stdout
    result = run(REPO, "uses", "_blocks/policy/read-only.md", "--format", "json")
    data = json.loads(result.stdout)
    assert data["role"] is None
    users = {row["agent"]: row for row in data["block"]}
    # edit-local relaxes policy/read-only, so its agents do not get it
    assert set(users) == {"ml/dataset-auditor", "retro-writer", "training-reviewer", "validator"}
    assert all(row["through"] == ["read-only"] for row in users.values())


def test_uses_a_role_including_roles_that_extend_it(run):
    result = run(REPO, "uses", "read-only", "--format", "json")
    data = json.loads(result.stdout)
    rows = {row["agent"]: row for row in data["role"]}
    assert len(rows) == 7
    assert rows["validator"]["direct"] is True
    assert rows["gpu-job-runner"]["through"] == ["edit-local"]
    text = run(REPO, "uses", "read-only").stdout
    assert "through role `edit-local`, which extends `read-only`" in text


def test_uses_an_unknown_name_is_an_input_error(run):
    result = run(REPO, "uses", "basline")
    assert result.exit_code == 2
    assert "did you mean `baseline`?" in result.stderr


# -- build --changed-since ----------------------------------------------------------------------
def test_changed_block_rebuilds_only_its_agents(repo, run):
    touch_block(repo, "compute-budget")
    before = mtimes(repo)
    result = run(repo, "build", "--changed-since", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert "1 file changed since HEAD: rebuilding 2 agents: gpu-job-runner, optimisation-loop." \
        in result.stdout
    after = mtimes(repo)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {"agents/gpu-job-runner.md", "agents/optimisation-loop.md"}
    assert run(repo, "check").exit_code == 0


def test_changed_role_rebuilds_agents_of_roles_that_extend_it(repo, run):
    role = repo / "_roles" / "read-only.toml"
    role.write_text(role.read_text().replace("They are requirements", "These are requirements"))
    git(repo, "commit", "-qam", "role")
    result = run(repo, "build", "--changed-since", "HEAD~1")
    assert result.exit_code == 0
    # read-only's preamble only shows in agents whose own role is read-only
    assert "rebuilding 7 agents" in result.stdout
    assert run(repo, "check").exit_code == 0


def test_config_change_rebuilds_everything(repo, run):
    config = repo / "assembler.toml"
    config.write_text(config.read_text().replace('"Goal: <one line>"', '"Goal: <one sentence>"'))
    result = run(repo, "build", "--changed-since", "HEAD")
    assert "including the config or a layout: rebuilding all 7 agents" in result.stdout
    assert "28 written" in result.stdout  # 7 agents, 4 targets


def test_new_untracked_manifest_is_built(repo, run):
    source = (repo / "_manifests" / "validator.toml").read_text()
    (repo / "_manifests" / "checker.toml").write_text(
        source.replace('name = "validator"', 'name = "checker"'))
    result = run(repo, "build", "--changed-since", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert "rebuilding 1 agent: checker." in result.stdout
    assert (repo / "agents" / "checker.md").is_file()


def test_removed_manifest_removes_its_output(repo, run):
    (repo / "_manifests" / "optimisation-loop.toml").unlink()
    for path in repo.rglob("*.toml"):  # nothing hands off to the optimisation loop
        assert 'target = "optimisation-loop"' not in path.read_text()
    result = run(repo, "build", "--changed-since", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert "_manifests/optimisation-loop.toml was removed" in result.stdout
    assert not (repo / "agents" / "optimisation-loop.md").exists()


def test_nothing_changed_builds_nothing(repo, run):
    (repo / "notes.txt").write_text("not a source\n")
    result = run(repo, "build", "--changed-since", "HEAD")
    assert result.exit_code == 0
    assert "no agent sources among them: nothing to build." in result.stdout


def test_bad_revision_is_an_input_error(repo, run):
    result = run(repo, "build", "--changed-since", "no-such-rev")
    assert result.exit_code == 2
    assert "--changed-since no-such-rev" in result.stderr


@pytest.mark.parametrize("value", ["--output=leak.txt", "-pleak", "--no-index"])
def test_a_revision_that_looks_like_an_option_is_refused(repo, run, value):
    before = sorted(p.name for p in repo.iterdir())
    result = run(repo, "build", f"--changed-since={value}")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"error: --changed-since {value}: ")
    assert "\n  hint: " in result.stderr
    assert sorted(p.name for p in repo.iterdir()) == before


def test_changed_since_and_names_do_not_mix(repo, run):
    result = run(repo, "build", "validator", "--changed-since", "HEAD")
    assert result.exit_code == 2


# -- pre-commit ----------------------------------------------------------------------------------
def test_fail_on_change_fails_only_when_something_was_written(repo, run):
    assert run(repo, "build", "--fail-on-change").exit_code == 0
    touch_block(repo, "escalation")
    result = run(repo, "build", "--fail-on-change")
    assert result.exit_code == 1
    assert "--fail-on-change" in result.stderr
    assert run(repo, "build", "--fail-on-change").exit_code == 0
    (repo / "agents" / "validator.md").unlink()
    assert run(repo, "build", "--fail-on-change").exit_code == 1


def test_pre_commit_hooks_run_commands_that_exist(run):
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"assembler-check", "assembler-build"}
    for hook in hooks.values():
        assert hook["pass_filenames"] is False
        command = hook["entry"].split()
        assert command[0] == "assembler"
        assert run(REPO, *command[1:], "--help").exit_code == 0
    assert "--fail-on-change" in hooks["assembler-build"]["entry"]
    readme = (REPO / "README.md").read_text()
    assert "id: assembler-check" in readme and "id: assembler-build" in readme


def test_uses_json_names_no_output_for_an_agent_that_renders_to_no_target(cli, tmp_path):
    from .conftest import MINI, write_tree

    root = write_tree(tmp_path / "catalog", {**MINI, "_manifests/beta.toml": MINI[
        "_manifests/beta.toml"] + "\n[targets.claude-code]\nenabled = false\n"})
    result = cli("uses", "baseline", "--format", "json", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = {row["agent"]: row["output"] for row in json.loads(result.stdout)["block"]}
    assert rows == {"alpha": "agents/alpha.md", "beta": None}
