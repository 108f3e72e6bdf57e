"""Capability texts (``capabilities = "_capabilities"``): ``<cat>/<slug>/text.md``.

Catalogs written for another assembler keep the texts their roles are made of
one per folder; each becomes a verbatim block named ``cat::slug`` (trimmed, no
frontmatter, no Jinja2), so roles, manifests, explain and the drift check
treat it as any other block, at its real path. Other files in those folders
belong to other programs and are left alone.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from .blocks import BlockLibrary, discover, name_problem, verbatim_block
from .roleformat import CAPABILITY
from .toml import read_text

TEXT = "text"  # the file name, without `.md`, of a capability's text


def load_capabilities(folder: Path, root: Path, library: BlockLibrary,
                      diagnostics: Diagnostics) -> None:
    """Add every capability under ``folder`` to ``library`` (as ``cat::slug``)."""
    rel_folder = folder.relative_to(root).as_posix()
    library.capabilities = rel_folder
    if not folder.is_dir():
        diagnostics.error(rel_folder, 1, 1, f"capabilities folder `{rel_folder}/` does not exist",
                          "create it with <category>/<slug>/text.md files, or fix "
                          "`capabilities` in the config")
        return
    found: dict[str, Path] = {}
    unusable: set[str] = set()  # files refused by the walk (links outside, odd names)
    for name, path in discover(folder, ".md", root, diagnostics, unusable).items():
        parts = name.split("/")
        if len(parts) == 3 and parts[2] == TEXT:
            found[CAPABILITY.join(parts[:2])] = path
    library.broken |= {CAPABILITY.join(name.split("/")[:2]) for name in unusable
                       if name.count("/") == 2 and name.endswith("/" + TEXT)}
    for name, path in found.items():
        rel = path.relative_to(root).as_posix()
        bad = next((p for p in name.split(CAPABILITY) if name_problem(p, rel_folder)), None)
        if bad is not None:
            diagnostics.error(rel, 1, 1, f"capability folder name `{bad}` "
                              f"{name_problem(bad, rel_folder)}", "rename the folder")
            library.broken.add(name)
            continue
        text = read_text(path, rel, diagnostics)
        if text is None:
            library.broken.add(name)
            continue
        library.blocks[name] = verbatim_block(name, rel, text)
