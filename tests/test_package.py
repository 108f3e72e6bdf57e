"""The wheel and the sdist, as a user gets them: built, installed into a fresh venv, run.

Not part of ``make test``: building needs setuptools from the package index and
installing needs the runtime dependencies, so it runs as ``make package`` (which
CI runs after ``make test``). Deselected by default through the ``package``
marker (see ``[tool.pytest.ini_options]``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from assembler import __version__

from .conftest import MINI, REPO, write_tree

pytestmark = pytest.mark.package
DISTRIBUTION = "agent_prompt_assembler"
# pip's own cache, so repeated runs do not fetch the dependencies again; tests get an
# empty HOME (conftest), so it is taken from the real one before they start.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path(os.environ.get("HOME", "/")) / ".cache" / "pip")
PACKAGE_DATA = ("assembler/layouts/agent.md.j2", "assembler/starter/assembler.toml",
                "assembler/starter/_manifests/reviewer.toml", "assembler/starter/_blocks/house-rules.md",
                "assembler/starter/_roles/read-only.toml")


def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, REPO,
        env={**os.environ, "PIP_CACHE_DIR": PIP_CACHE})
    return out


def test_wheel_and_sdist_carry_the_layouts_and_the_licence(dist):
    wheel = next(dist.glob(f"{DISTRIBUTION}-{__version__}-py3-none-any.whl"))
    sdist = next(dist.glob(f"{DISTRIBUTION}-{__version__}.tar.gz"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in PACKAGE_DATA:
        assert data in names
    assert f"{DISTRIBUTION}-{__version__}.dist-info/entry_points.txt" in names
    metadata = zipfile.ZipFile(wheel).read(f"{DISTRIBUTION}-{__version__}.dist-info/METADATA").decode()
    assert "Name: agent-prompt-assembler" in metadata
    assert "License :: OSI Approved :: MIT License" in metadata
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml",
                 *(f"src/{data}" for data in PACKAGE_DATA)):
        assert name in members, name


def test_the_installed_wheel_runs(dist, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env = {**os.environ, "PIP_CACHE_DIR": PIP_CACHE, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    wheel = next(dist.glob("*.whl"))
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, env=env)
    assert run(bin_dir / "assembler", "--version").stdout == f"assembler {__version__}\n"
    assert run(bin_dir / "python", "-m", "assembler", "--version").stdout == f"assembler {__version__}\n"
    started = tmp_path / "started"
    started.mkdir()
    assert "created assembler.toml" in run(bin_dir / "assembler", "init", cwd=started).stdout
    assert "1 written" in run(bin_dir / "assembler", "build", cwd=started).stdout
    run(bin_dir / "assembler", "check", cwd=started)
    assert (started / ".claude/agents/reviewer.md").read_text().startswith("---\nname: reviewer\n")
    catalog = write_tree(tmp_path / "catalog", MINI)
    assert "2 written" in run(bin_dir / "assembler", "build", cwd=catalog).stdout
    run(bin_dir / "assembler", "check", cwd=catalog)
