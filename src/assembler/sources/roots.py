"""Where a catalog starts: the nearest folder with a catalog config.

Kept apart from :mod:`assembler.config` so that finding the root needs no
pydantic: the render cache looks for it before anything heavy is imported.
"""

from __future__ import annotations

from pathlib import Path

CONFIG_FILE = "assembler.toml"
PYPROJECT_FILE = "pyproject.toml"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a catalog config."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        pyproject = folder / PYPROJECT_FILE
        if pyproject.is_file() and b"[tool.assembler]" in pyproject.read_bytes():
            return folder
    return None
