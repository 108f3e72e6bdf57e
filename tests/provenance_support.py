"""Shared helpers for the provenance tests: a copy of the example catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CATALOG_PARTS = ("assembler.toml", "_blocks", "_roles", "_manifests", "agents", ".codex", ".github",
                 ".cursor")


def copy_catalog(target: Path) -> Path:
    """The example catalog (sources and generated files) copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in CATALOG_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def snapshot_files(root: Path) -> dict[str, bytes]:
    """Every file of the catalog, for checking that nothing was written."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}
