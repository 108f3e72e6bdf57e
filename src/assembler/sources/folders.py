"""The folders a config names: one spelling each, and never outside the catalog.

A folder is written relative to the catalog root. ``./agents``, ``agents/``,
``agents//`` and ``agents/.`` all name ``agents``, and every path built from
the folder must be spelt the same way (output paths are compared as strings),
so each folder is normalised once, when the config is loaded. A folder that
is empty, absolute, not portable, or that leaves the root (with ``..`` or
through a symbolic link) is an error at its config line.

Kept free of pydantic: the render cache normalises the folders of a config it
reads on its own.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import Path

DEFAULTS = {"manifests": "_manifests", "blocks": "_blocks", "roles": "_roles",
            "templates": "_templates", "output": "agents", "skills": "_skills"}
STATE_DIR = ".assembler"  # the tool's own files (render cache, recovered copies, source maps)
_DRIVE = re.compile(r"^[A-Za-z]:")


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character or a line separator."""
    if text.isascii() and text.isprintable():  # the common case, at C speed
        return False
    return any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in text)


def normalise(value: str) -> tuple[str, str | None]:
    """``value`` in its one spelling (``.`` for the root itself), and what is wrong with it."""
    if value == "":
        return value, "is empty"
    if has_control(value):
        return value, "holds a control character or a line break"
    if value.startswith("/"):
        return value, "is an absolute path"
    if "\\" in value or _DRIVE.match(value):
        return value, "is not portable (a backslash or a drive letter)"
    folder = posixpath.normpath(value)
    if folder == ".." or folder.startswith("../"):
        return value, "leaves the catalog"
    return folder, None


def escapes(root: Path, folder: str) -> bool:
    """True when ``folder`` (normalised) resolves outside ``root`` (a resolved path),
    through a symbolic link."""
    try:
        resolved = (root / folder).resolve()
    except (OSError, RuntimeError):  # a link loop
        return True
    return not resolved.is_relative_to(root)


def is_root(root: Path, folder: str) -> bool:
    """True when ``folder`` is the catalog root itself, or a link to it."""
    try:
        return folder == "." or (root / folder).resolve() == root
    except (OSError, RuntimeError):
        return False


def in_state_dir(folder: str) -> bool:
    return folder == STATE_DIR or folder.startswith(STATE_DIR + "/")


def joined(folder: str, rel: str) -> str:
    """``rel`` under ``folder``, spelt as paths relative to the root are."""
    return rel if folder == "." else f"{folder}/{rel}"


def linked_folder(root: Path, rel: str) -> str | None:
    """The first folder on the way to ``rel`` (a file under ``root``) that is a symbolic
    link, or None. The tool's own files are never written through one."""
    parts = rel.split("/")[:-1]
    current = root
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            return "/".join(parts[:index + 1])
        if not current.exists():
            return None
    return None


def check_state_path(root: Path, rel: str) -> None:
    """Raise :class:`CatalogError` when ``rel`` (under ``.assembler/``) would be written
    through a symbolic link."""
    from ..diagnostics import CatalogError, Diagnostic

    linked = linked_folder(root, rel)
    if linked is not None:
        raise CatalogError([Diagnostic(
            linked, 1, 1, f"`{linked}` is a symbolic link; agent-assembler keeps its own files "
            "there and does not write through links",
            f"remove the link (`rm {linked}`); the folder is made again when it is needed")])
