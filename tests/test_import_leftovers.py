"""A killed import's staging folder: the next import removes it, never a running one's.

An import runs as a real process on a few hundred generated agent files (long
enough for the staging folder to be seen), and is SIGKILLed, or stopped with
SIGSTOP, as soon as its staging folder appears in the catalog.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assembler.importing.importer import run_import
from assembler.importing.leftovers import STAGE_PREFIX, owner_gone, stage_prefix, started

AGENTS = 300


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("leftovers") / "src"
    folder.mkdir()
    rules = "".join(f"- rule {line}\n" for line in range(20))
    for agent in range(AGENTS):
        (folder / f"agent-{agent}.md").write_text(
            f"---\nname: agent-{agent}\ndescription: Agent number {agent}.\ntools: Read, Grep\n"
            f"---\n\nYou are agent {agent}.\n\n## Rules\n\n{rules}\n## Own\n\n"
            f"Text of agent {agent}.\n\n## Reporting\n\nEnd with a short report.\n")
    return folder


def _stages(root: Path) -> list[str]:
    try:
        return sorted(name for name in os.listdir(root) if name.startswith(STAGE_PREFIX))
    except FileNotFoundError:
        return []


def _start_staging(source: Path, root: Path) -> tuple[subprocess.Popen, str]:
    """An import process, and its staging folder once it exists."""
    process = subprocess.Popen([sys.executable, "-m", "assembler", "import", str(source),
                                "--root", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _stages(root) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    stages = _stages(root)
    if len(stages) != 1:
        process.kill()
        process.wait()
        pytest.fail(f"no staging folder seen while the import ran (exit {process.returncode})")
    return process, stages[0]


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_an_import_killed_while_it_stages_leaves_a_folder_the_next_import_removes(
        source, tmp_path, cli):
    root = tmp_path / "catalog"
    process, stage = _start_staging(source, root)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert f"-{process.pid}-" in stage
    assert os.listdir(root) == [stage]  # killed before it published anything

    result = cli("import", source, "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (f"Removed 1 staging folder a killed import left in the catalog: {stage}/\n"
            in result.stdout)
    assert _stages(root) == []
    fresh = tmp_path / "fresh"
    assert run_import([source], fresh).leftovers == []
    assert _tree(root) == _tree(fresh)  # the same catalog an import into an empty folder makes


def test_the_staging_folder_of_a_running_import_is_left_alone(source, tmp_path, cli):
    root = tmp_path / "catalog"
    process, stage = _start_staging(source, root)
    process.send_signal(signal.SIGSTOP)
    try:
        other = tmp_path / "other"
        other.mkdir()
        (other / "solo.md").write_bytes((source / "agent-0.md").read_bytes())
        result = cli("import", other, "--root", root)
        assert result.exit_code == 0, result.stdout + result.stderr
        assert "staging folder" not in result.stdout
        assert stage in _stages(root)
    finally:
        process.send_signal(signal.SIGCONT)
    # It finds the config the other import wrote, so it writes nothing, and removes its stage.
    assert process.wait(timeout=60) == 1
    assert _stages(root) == []


@pytest.mark.skipif(started(os.getpid()) is None, reason="no /proc to tell a reused process id")
def test_only_a_staging_folder_whose_process_is_gone_is_removed(source, tmp_path, cli):
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    mine = stage_prefix()
    names = {
        "ended": stage_prefix(ended.pid) + "abcd1234",
        "reused": mine.replace(f"-{started(os.getpid())}-", "-0123456789ab-") + "abcd1234",
        "running": mine + "abcd1234",
        "other host": STAGE_PREFIX + "00000000" + mine[len(STAGE_PREFIX) + 8:] + "abcd1234",
        "no owner": STAGE_PREFIX + "abcd1234",  # an older import's: whose it is is unknown
    }
    assert {what: owner_gone(name) for what, name in names.items()} == {
        "ended": True, "reused": True, "running": False, "other host": False,
        "no owner": False}
    root = tmp_path / "catalog"
    for name in names.values():
        (root / name / "_manifests").mkdir(parents=True)
    (root / "x.md").write_bytes((source / "agent-0.md").read_bytes())
    gone = sorted([names["ended"], names["reused"]])

    dry = cli("import", root / "x.md", "--root", root, "--dry-run")
    assert (f"2 staging folders killed imports left in the catalog (an import without "
            f"--dry-run removes them): {gone[0]}/, {gone[1]}/\n") in dry.stdout
    assert sorted(_stages(root)) == sorted(names.values())

    result = cli("import", root / "x.md", "--root", root, "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["leftovers"] == gone
    assert sorted(_stages(root)) == sorted(set(names.values()) - set(gone))
