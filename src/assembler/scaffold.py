"""`assembler init`: start a catalog, or adopt a folder of agent files in place.

A new catalog is the starter shipped in the package (``starter/``: a config,
one agent, one block, one role), copied as it is. Adopting a folder is the
importer (:func:`assembler.importing.importer.run_import`) with that folder as
the output folder, followed by one forced build of the imported agents: the
import has already proven that each renders back to its original apart from the
banner, so the build only adds the banners, and ``assembler check`` is clean
straight away. Neither ever overwrites a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .diagnostics import CatalogError, Diagnostics
from .importing.importer import ImportResult, run_import
from .outputs.write import BuildResult, build_catalog, write_atomic
from .sources.catalog import load_catalog
from .sources.roots import CONFIG_FILE, PYPROJECT_FILE

STARTER = "starter"


@dataclass
class InitResult:
    """What ``init`` wrote, or would have overwritten (then nothing was written)."""

    root: Path
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    imported: ImportResult | None = None
    built: BuildResult | None = None


def starter_files() -> dict[str, bytes]:
    """The starter catalog: relative path → bytes."""
    out: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, rel + "/")
            else:
                out[rel] = child.read_bytes()

    walk(files("assembler") / STARTER, "")
    return out


def _existing_config(root: Path) -> str | None:
    if (root / CONFIG_FILE).exists():
        return CONFIG_FILE
    pyproject = root / PYPROJECT_FILE
    if pyproject.is_file() and "[tool.assembler]" in pyproject.read_text(encoding="utf-8",
                                                                          errors="replace"):
        return PYPROJECT_FILE
    return None


def _not_a_folder(root: Path) -> None:
    if root.exists() and not root.is_dir():
        diagnostics = Diagnostics()
        diagnostics.error(str(root), 1, 1, f"`{root}` is not a folder",
                          "name a folder for the new catalog")
        raise CatalogError(diagnostics)


def init_catalog(root: Path) -> InitResult:
    """Write the starter catalog into ``root`` (created if needed), unless a file is in the way."""
    _not_a_folder(root)
    result = InitResult(root)
    starter = starter_files()
    config = _existing_config(root)
    result.refused = sorted({path for path in starter if (root / path).exists()}
                            | ({config} if config else set()))
    if result.refused:
        return result
    for path, data in starter.items():
        write_atomic(root / path, data)
        result.written.append(path)
    return result


def adopt_folder(root: Path, folder: Path) -> InitResult:
    """Import the agent files of ``folder`` as a new catalog at ``root`` whose output is ``folder``."""
    _not_a_folder(root)
    root = root.resolve()
    diagnostics = Diagnostics()
    source = folder.resolve()
    if not source.is_dir():
        diagnostics.error(str(folder), 1, 1, f"`{folder}` is not a folder",
                          "name the folder of agent files to adopt, e.g. `.claude/agents`")
    elif not source.is_relative_to(root) or source == root:
        diagnostics.error(str(folder), 1, 1, f"`{folder}` is not a folder inside the catalog root {root}",
                          "adopt a folder inside the catalog, or pass the catalog with DIR")
    if diagnostics:
        raise CatalogError(diagnostics)
    result = InitResult(root)
    config = _existing_config(root)
    if config:
        result.refused = [config]
        return result
    output = source.relative_to(root).as_posix()
    imported = run_import([source], root, output=output)
    result.imported = imported
    result.refused = list(imported.refused)
    result.written = list(imported.written)
    if imported.refused:
        return result
    catalog = load_catalog(root)
    result.built = build_catalog(catalog, only={f.agent_id for f in imported.files}, force=True)
    return result
