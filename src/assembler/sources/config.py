"""Finding the catalog root and reading its configuration.

The root is the nearest folder, walking up from the working directory, with an
``assembler.toml`` or a ``pyproject.toml`` holding ``[tool.assembler]``. No
HOME, registry or environment lookups: the same files give the same result on
every machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..diagnostics import Diagnostics
from .lintconfig import LintConfig
from .schema import report_validation_errors, validate
from .roots import CONFIG_FILE, PYPROJECT_FILE, find_root
from .toml import TomlDocument, load_toml

RequiredField = Literal[
    "role", "domain_in", "forbidden_domain", "tools", "model", "handoff",
    "output_extra_fields", "blocks", "substrate_role",
]


class LayoutConfig(BaseModel):
    """Fixed text the layout adds to every agent."""

    model_config = ConfigDict(extra="forbid", strict=True)

    report_fields: list[str] = Field(default_factory=list)
    report_closing_fields: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)


class Config(BaseModel):
    """``assembler.toml`` (or ``[tool.assembler]``): folders, target and policy."""

    model_config = ConfigDict(extra="forbid", strict=True)

    manifests: str = "_manifests"
    blocks: str = "_blocks"
    roles: str = "_roles"
    templates: str = "_templates"
    output: str = "agents"
    target: str | None = None  # one target; the older spelling of `targets = [name]`
    # The output formats: a list of names, or one `[targets.<name>]` table each
    # (folder and that tool's field defaults). Each target validates its table.
    targets: list[str] | dict[str, dict[str, Any]] | None = None
    # `[models.<alias>]`: the model each target uses for a manifest's `model = "<alias>"`.
    models: dict[str, dict[str, str]] = Field(default_factory=dict)
    regenerate: str = "assembler build"
    required_blocks: list[str] = Field(default_factory=list)
    required_fields: list[RequiredField] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    layout: LayoutConfig = Field(default_factory=LayoutConfig)
    lint: LintConfig = Field(default_factory=LintConfig)


@dataclass
class Settings:
    """A located, validated configuration."""

    root: Path
    config: Config
    document: TomlDocument | None  # the config file; None when the defaults apply

    def folder(self, name: str) -> Path:
        return self.root / getattr(self.config, name)


def load_settings(root: Path | None, cwd: Path, diagnostics: Diagnostics) -> Settings | None:
    """Locate the root (unless given) and validate its config.

    With an explicit ``root`` and no config file there, the defaults apply, so a
    bare folder with ``_manifests/`` is a valid catalog.
    """
    if root is None:
        found = find_root(cwd)
        if found is None:
            diagnostics.error(
                CONFIG_FILE, 1, 1,
                f"no {CONFIG_FILE} (or pyproject.toml with [tool.assembler]) in "
                f"{cwd} or any parent folder",
                f"create {CONFIG_FILE} at the catalog root, or pass --root DIR",
            )
            return None
        root = found
    root = root.resolve()
    if not root.is_dir():
        diagnostics.error(str(root), 1, 1, "catalog root is not a folder", "check --root")
        return None
    document = _read_config_document(root, diagnostics)
    if document is None:
        return None if diagnostics else Settings(root, Config(), None)
    data = document.data
    for key in document.prefix:
        data = data.get(key, {})
    if not isinstance(data, dict):
        diagnostics.error(document.path, *document.locate(()), "[tool.assembler] must be a table")
        return None
    config, errors = validate(Config, data)
    if errors:
        report_validation_errors(errors, document, diagnostics, model=Config)
        return None
    return Settings(root, config, document)


def _read_config_document(root: Path, diagnostics: Diagnostics) -> TomlDocument | None:
    if (root / CONFIG_FILE).is_file():
        return load_toml(root / CONFIG_FILE, CONFIG_FILE, diagnostics)
    if (root / PYPROJECT_FILE).is_file():
        document = load_toml(root / PYPROJECT_FILE, PYPROJECT_FILE, diagnostics)
        if document is not None and "assembler" in document.data.get("tool", {}):
            document.prefix = ("tool", "assembler")
            return document
    return None
