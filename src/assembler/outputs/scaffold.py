"""``assembler new skill|agent NAME``: a first manifest, written from a template.

The template is the catalog's own (``_templates/new-skill.toml`` or
``_templates/new-agent.toml``) when it has one, else the built-in one; its
``{{ name }}`` (and, for an agent, ``{{ blocks }}``: the config's required
blocks) are filled in. An existing file is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..diagnostics import CatalogError, Diagnostics
from ..sources.config import load_settings
from ..sources.schema import MAX_NAME_LENGTH, SLUG
from ..sources.toml import read_text
from .write import write_atomic

KINDS = ("skill", "agent")


@dataclass(frozen=True)
class Scaffolded:
    """What ``new`` did: the file it wrote (or found there already), and from which template."""

    path: str  # relative to the root
    template: str
    written: bool  # False: the file existed and was left alone
    regenerate: str


def scaffold(root: Path | None, kind: str, name: str, cwd: Path | None = None) -> Scaffolded:
    """Write the manifest of a new skill or agent; raises CatalogError on bad input."""
    diagnostics = Diagnostics()
    settings = load_settings(root, cwd or Path.cwd(), diagnostics)
    if settings is None:
        raise CatalogError(diagnostics)
    parts = name.split("/")
    if kind == "skill" and len(parts) > 1:
        parts = []  # skills are one folder each, at the top of the skills folder
    if not parts or any(not SLUG.match(part) or len(part) > MAX_NAME_LENGTH for part in parts):
        where = "" if kind == "skill" else " (a subfolder may come first: `ml/auditor`)"
        raise CatalogError([_problem(f"`{name}` is not a valid {kind} name",
                                     f"use 1 to {MAX_NAME_LENGTH} lowercase letters, digits and "
                                     f"single hyphens{where}, e.g. `release-notes`")])
    config = settings.config
    if kind == "skill":
        rel = f"{config.skills}/{name}/skill.toml"
    else:
        rel = f"{config.manifests}/{name}.toml"
    filename = f"new-{kind}.toml"
    override = settings.folder("templates") / filename
    if override.is_file():
        template = override.relative_to(settings.root).as_posix()
        text = read_text(override, template, diagnostics)
        if text is None:
            raise CatalogError(diagnostics)
    else:
        template = f"<assembler>/layouts/{filename}"
        text = resources.files("assembler").joinpath("layouts", filename).read_text("utf-8")
    blocks = "[" + ", ".join(f'"{block}"' for block in config.required_blocks) + "]"
    text = text.replace("{{ name }}", parts[-1]).replace("{{ blocks }}", blocks)
    path = settings.root / rel
    if path.exists():
        return Scaffolded(rel, template, False, config.regenerate)
    write_atomic(path, text.encode("utf-8"), expect=None)
    return Scaffolded(rel, template, True, config.regenerate)


def _problem(message: str, hint: str):
    from ..diagnostics import Diagnostic

    return Diagnostic("", 1, 1, message, hint)
