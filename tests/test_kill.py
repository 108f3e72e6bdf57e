"""SIGKILL at random points: the next run recovers, and no temporary file survives it.

A build (or a check, which records the render cache) runs as a real process on
a catalog large enough to take a moment, and its whole process group (forked
render workers included) is killed after a delay drawn from a fixed seed, or
as soon as its first temporary file appears. Whatever the point, the catalog
is then checked as a user would find it: a check with the render cache says
what one without it says (never a false clean), the next build ends with
exit 0, no temporary file is left anywhere under the catalog (the render
cache's own included), and a check afterwards is clean, with and without the
cache.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import write_tree

AGENTS = 150
LONG_AGO = 946_684_800
SEEDS = range(20 if os.environ.get("ASSEMBLER_FAULTS") == "fuzz" else 3)  # see make fuzz


def _catalog(root: Path) -> Path:
    files = {"assembler.toml": 'targets = ["claude-code", "cursor"]\n'}
    for block in range(4):
        files[f"_blocks/b{block}.md"] = f"## Block {block}\n\n" + "".join(
            f"- rule {line} for {{{{ agent.name }}}}\n" for line in range(40))
    for agent in range(AGENTS):
        folder = "team/" if agent % 2 else ""
        files[f"_manifests/{folder}agent-{agent}.toml"] = (
            f'name = "agent-{agent}"\ndescription = "agent {agent}"\n'
            'blocks = ["b0", "b1", "b2", "b3"]\n')
    return write_tree(root, files)


def _start(command: str, root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assembler", command, "--root", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and the render workers it forked (one process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # it had already finished
        pass
    process.wait(timeout=60)


def _age(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (LONG_AGO, LONG_AGO))


def _change_every_output(root: Path, step: int) -> None:
    """A block every agent includes changes, so the build rewrites every file."""
    block = root / "_blocks/b0.md"
    block.write_text(block.read_text() + f"- one more rule, {step}\n")
    _age(root)


def _temporary_files(root: Path) -> list[str]:
    """Temporary files anywhere under the catalog: beside the outputs, or the render
    cache's in ``.assembler/``."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.tmp"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, float]:
    """A built catalog, and how long a build that rewrites every file takes."""
    root = _catalog(tmp_path_factory.mktemp("kill") / "cat")
    assert subprocess.run([sys.executable, "-m", "assembler", "build", "--root", str(root)],
                          capture_output=True, timeout=300).returncode == 0
    _change_every_output(root, 0)
    started = time.monotonic()
    process = _start("build", root)
    assert process.wait(timeout=300) == 0
    return root, time.monotonic() - started


def _copy(built: tuple[Path, float], tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    shutil.copytree(built[0], root, symlinks=True)
    return root


def _assert_recovers(root: Path, cli, monkeypatch) -> None:
    def check(cache: bool) -> tuple[int, str]:
        if not cache:
            monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")
        result = cli("check", "--root", root)
        monkeypatch.delenv("ASSEMBLER_NO_CACHE", raising=False)
        return result.exit_code, result.stdout

    truth = check(cache=False)
    assert truth[0] in (0, 1), truth
    assert check(cache=True) == truth  # the cache never vouches for a half-done build
    build = cli("build", "--root", root)
    assert build.exit_code == 0, build.stdout + build.stderr
    assert _temporary_files(root) == []
    _age(root)
    for cache in (False, True):
        assert check(cache) == (0, f"{2 * AGENTS} generated files up to date.\n")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_build_killed_at_a_random_point_is_recovered(built, tmp_path, cli, monkeypatch, seed):
    root = _copy(built, tmp_path)
    _change_every_output(root, seed + 1)
    delay = random.Random(seed).uniform(0.02, built[1] * 1.1)
    process = _start("build", root)
    time.sleep(delay)
    _kill(process)
    _assert_recovers(root, cli, monkeypatch)


def test_a_build_killed_while_it_writes_is_recovered(built, tmp_path, cli, monkeypatch):
    root = _copy(built, tmp_path)
    _change_every_output(root, 99)
    process = _start("build", root)
    deadline = time.monotonic() + 120
    while not _temporary_files(root) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    _kill(process)
    _assert_recovers(root, cli, monkeypatch)


@pytest.mark.parametrize("seed", SEEDS[::3])
def test_a_check_killed_while_it_records_the_cache_is_recovered(built, tmp_path, cli,
                                                                monkeypatch, seed):
    root = _copy(built, tmp_path)
    shutil.rmtree(root / ".assembler", ignore_errors=True)  # this check renders and records
    _age(root)
    process = _start("check", root)
    time.sleep(random.Random(seed).uniform(0.02, built[1]))
    _kill(process)
    _assert_recovers(root, cli, monkeypatch)


def test_concurrent_builds_and_checks_never_corrupt_or_falsely_clean(built, tmp_path, cli,
                                                                     monkeypatch):
    """Two builds and a check at once: each exits 0 or 1 (a build may see the other's
    writes as edits it must not overwrite), every file is whole, and then all is clean."""
    root = _copy(built, tmp_path)
    _change_every_output(root, 7)
    processes = [_start("build", root), _start("build", root), _start("check", root)]
    codes = [process.wait(timeout=300) for process in processes]
    assert all(code in (0, 1) for code in codes), codes
    assert _temporary_files(root) == []
    _assert_recovers(root, cli, monkeypatch)
