"""Where a catalog starts: the nearest folder with a catalog config.

Kept apart from :mod:`assembler.config` so that finding the root needs no
pydantic: the render cache looks for it before anything heavy is imported.
"""

from __future__ import annotations

import re
from pathlib import Path

CONFIG_FILE = "assembler.toml"
PYPROJECT_FILE = "pyproject.toml"
# A `[tool.assembler]` (or `[tool.assembler.<sub>]`) table header at the start of a line.
_HEADER = re.compile(rb'^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*"?assembler"?[ \t]*[\].]', re.MULTILINE)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a catalog config.

    An ``assembler.toml`` that is not a file still marks the root, so that the
    loader can say what is wrong with it.
    """
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).exists():
            return folder
        pyproject = folder / PYPROJECT_FILE
        if pyproject.is_file() and declares_assembler(pyproject.read_bytes()):
            return folder
    return None


def declares_assembler(data: bytes) -> bool:
    """True when a ``pyproject.toml`` has a ``tool.assembler`` table, in any TOML spelling
    (``[tool.assembler]``, or ``assembler = {…}`` under ``[tool]``); a mention in a comment
    or a string does not count. A file that does not parse counts when it has the table
    header, so that the loader reports its syntax error."""
    if b"assembler" not in data:  # most pyproject.toml files: no parse at all
        return False
    try:
        import tomli as toml
    except ImportError:  # pragma: no cover - tomli is a dependency
        import tomllib as toml
    try:
        parsed = toml.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, toml.TOMLDecodeError):
        return _HEADER.search(data) is not None
    tool = parsed.get("tool")
    return isinstance(tool, dict) and "assembler" in tool
