"""The import contracts of pyproject.toml ([tool.importlinter]) hold: run with the suite.

They keep the stages layered (cli → lint, importing, provenance → outputs →
targets → compose → sources → diagnostics, present, markdown), forbid import
cycles inside any package, keep jinja2 out of sources/ and typer out of
everything but cli/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO


def test_the_import_contracts_hold():
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.fail("lint-imports is missing: install the dev dependencies (pip install -e '.[dev]')")
    result = subprocess.run([command, "--no-cache", "--no-logo"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
