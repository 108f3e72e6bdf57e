"""action.yml: a composite action whose steps run the drift check and the linter.

The steps' scripts are run here as GitHub would run them (bash, inputs through
the environment), with the assembler of this checkout on PATH; setting up
Python and installing from PyPI are the runner's part and are not repeated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import MINI, REPO, write_tree

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = {step.get("id"): step for step in ACTION["runs"]["steps"]}


def test_the_action_is_composite_with_root_and_python_inputs():
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["inputs"]["root"]["default"] == "."
    assert ACTION["inputs"]["python-version"]["default"]
    assert ACTION["runs"]["steps"][0]["uses"].startswith("actions/setup-python@")
    assert "agent-prompt-assembler==" in STEPS["install"]["run"]
    for step in ACTION["runs"]["steps"]:  # inputs reach scripts as variables, never spliced in
        assert "${{" not in step.get("run", "")
    assert "!cancelled()" in STEPS["lint"]["if"]  # lint annotates even when the check failed


def _run(step: str, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "ASSEMBLER_NO_CACHE": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update({key: str(root) if "inputs.root" in value else value
                for key, value in STEPS[step].get("env", {}).items()})
    return subprocess.run(["bash", "-e", "-c", STEPS[step]["run"]], env=env, cwd=root.parent,
                          capture_output=True, text=True)


def test_the_check_step_annotates_drift_and_fails(cli, tmp_path):
    root = write_tree(tmp_path / "catalog", MINI)
    assert cli("build", "--root", root).exit_code == 0
    assert _run("check", root).returncode == 0
    (root / "agents/alpha.md").write_text((root / "agents/alpha.md").read_text() + "edit\n")
    done = _run("check", root)
    assert done.returncode == 1
    assert done.stdout.startswith("::error file=agents/alpha.md,")


def test_the_lint_step_annotates_findings(tmp_path):
    files = dict(MINI)
    files["_blocks/unused.md"] = "## Unused\n\nNobody includes this.\n"
    root = write_tree(tmp_path / "catalog", files)
    done = _run("lint", root)
    assert done.returncode == 0, done.stdout + done.stderr  # a warning does not fail the job
    assert "::warning file=_blocks/unused.md," in done.stdout
