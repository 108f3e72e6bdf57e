"""Fixtures for the lint tests: a clean catalog in tmp_path and a CLI runner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler.cli.app import app
from lint_catalog import DEFECTS, TODAY, write_clean


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_clean(tmp_path / "catalog")


@pytest.fixture
def all_defects(clean: Path) -> Path:
    for plant in DEFECTS.values():
        plant(clean)
    return clean


@pytest.fixture
def today() -> date:
    return date.fromisoformat(TODAY)


@pytest.fixture
def run():
    """Run ``assembler lint`` on a catalog; returns the click result."""
    runner = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None})

    def invoke(root: Path, *args: str, today: str | None = TODAY):
        extra = ["--today", today] if today else []
        return runner.invoke(app, ["lint", "--root", str(root), *extra, *args])

    return invoke
