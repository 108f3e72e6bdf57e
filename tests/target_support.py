"""Small catalogs rendering to one target, for the per-target tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from assembler import load_catalog, render_catalog

from .conftest import MINI, write_tree


def catalog(root: Path, target: str, config: str = "", tools: str | None = None,
            model: str | None = None, alpha: str = "", files: dict[str, str] | None = None,
            table: bool = False) -> Path:
    """The shared small catalog rendering to ``target``.

    ``config`` is appended to the config (with ``table``, the target is named by a
    `[targets.<name>]` table that ``config`` may go on filling); ``tools`` replaces
    alpha's tool list (TOML) and ``model`` its model, which alpha has none of
    otherwise (line 4 either way); ``alpha`` is appended to alpha's manifest; ``files``
    adds or replaces files.
    """
    tree = dict(MINI)
    text = MINI["assembler.toml"]
    if table:
        text += f"\n        [targets.{target}]\n"
    else:
        text = text.replace('output = "agents"', f'output = "agents"\n        targets = ["{target}"]')
    tree["assembler.toml"] = text + _indent(config)
    manifest = MINI["_manifests/alpha.toml"].replace(
        'model = "sonnet"\n', f'model = "{model}"\n' if model else "")
    if tools is not None:
        manifest = manifest.replace('tools = ["Read", "Grep"]', f"tools = {tools}")
    tree["_manifests/alpha.toml"] = manifest + _indent(alpha)
    tree.update(files or {})
    return write_tree(root, tree)


def _indent(text: str) -> str:
    """``text`` indented like the MINI files, which :func:`write_tree` dedents."""
    return textwrap.indent(textwrap.dedent(text), " " * 8)


def frontmatter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 3)])


def rendered(root: Path) -> dict[str, str]:
    """Every generated file: path -> text."""
    return {r.path: r.data.decode() for r in render_catalog(load_catalog(root))}


def errors(cli, root: Path) -> list[str]:
    """The `error:` lines (and hints) of a build that must fail with exit 2."""
    result = cli("build", "--root", root)
    assert result.exit_code == 2, result.stdout + result.stderr
    return result.stderr.splitlines()[:-1]  # without the count line
