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
from . import folders
from .compat import check_compat
from .lintconfig import LintConfig
from .pluginconfig import PluginConfig
from .schema import report_validation_errors, validate
from .roots import CONFIG_FILE, PYPROJECT_FILE, find_root
from .toml import TomlDocument, load_toml

MAX_BLOCK_BYTES = 1_000_000  # what one block may render, unless the config says otherwise

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
    # false: the Claude Code frontmatter is written as `key: value`, never quoted (as
    # some older generators do); `assembler lint` warns when that is not valid YAML.
    quote_frontmatter: bool = True


class ExtraKeys(BaseModel):
    """``[extra_keys]``: keys a catalog's manifests carry for other programs.

    They are accepted without validation and given to layouts as ``extra.<key>``.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    manifest: list[str] = Field(default_factory=list)
    handoff: list[str] = Field(default_factory=list)


class Config(BaseModel):
    """``assembler.toml`` (or ``[tool.assembler]``): folders, target and policy."""

    model_config = ConfigDict(extra="forbid", strict=True)

    manifests: str = folders.DEFAULTS["manifests"]
    blocks: str = folders.DEFAULTS["blocks"]
    roles: str = folders.DEFAULTS["roles"]
    templates: str = folders.DEFAULTS["templates"]
    output: str = folders.DEFAULTS["output"]
    skills: str = folders.DEFAULTS["skills"]  # skill sources: <skills>/<name>/skill.toml
    target: str | None = None  # one target; the older spelling of `targets = [name]`
    # The output formats: a list of names, or one `[targets.<name>]` table each
    # (folder and that tool's field defaults). Each target validates its table.
    targets: list[str] | dict[str, dict[str, Any]] | None = None
    # `[models.<alias>]`: the model each target uses for a manifest's `model = "<alias>"`.
    models: dict[str, dict[str, str]] = Field(default_factory=dict)
    regenerate: str = "assembler build"
    max_block_bytes: int = Field(default=MAX_BLOCK_BYTES, gt=0)
    required_blocks: list[str] = Field(default_factory=list)
    required_fields: list[RequiredField] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    layout: LayoutConfig = Field(default_factory=LayoutConfig)
    lint: LintConfig = Field(default_factory=LintConfig)
    # Compatibility with catalogs written for another assembler (see compat.py).
    extra_keys: ExtraKeys = Field(default_factory=ExtraKeys)
    role_format: Literal["blocks", "capabilities"] = "blocks"
    capabilities: str | None = None  # folder of `<cat>/<slug>/text.md`, blocks `cat::slug`
    block_syntax: Literal["jinja", "verbatim"] = "jinja"
    external_agents: list[str] = Field(default_factory=list)  # handoff targets defined elsewhere
    banner: str | None = None  # the banner's words, with {name} {source} {regenerate} {hash}
    path_atoms: list[str] = Field(default_factory=list)  # `path:NAME/…` → `{path::NAME}/…`
    plugin: PluginConfig | None = None  # `build --plugin`: the plugin.json fields


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
    ok = _check_folders(root, config, document, diagnostics)
    ok = check_compat(config, document, diagnostics) and ok
    if folders.has_control(config.regenerate):
        diagnostics.error(document.path, *document.locate(("regenerate",), value=True),
                          "`regenerate` holds a line break or a control character",
                          "every banner names the command on its one line: write it on one "
                          "line, e.g. `make agents`")
        ok = False
    return Settings(root, config, document) if ok else None


FOLDER_KEYS = ("manifests", "blocks", "roles", "templates", "output", "capabilities", "skills")


def _check_folders(root: Path, config: Config, document: TomlDocument,
                   diagnostics: Diagnostics) -> bool:
    """Normalise every folder the config names, in place; False (and errors) when one
    would leave the catalog.

    Output folders (``output``, ``[targets.<name>] folder``) may not be the root
    itself, nor lie in the tool's own ``.assembler/``: their scan for orphaned
    files would take in sources and recovered copies.
    """
    places: list[tuple[tuple, bool, str, object]] = [
        ((key,), key == "output", key, None) for key in FOLDER_KEYS
        if getattr(config, key) is not None]
    if isinstance(config.targets, dict):
        places += [(("targets", name, "folder"), True, f"targets.{name}.folder", table)
                   for name, table in config.targets.items()
                   if isinstance(table, dict) and isinstance(table.get("folder"), str)]
    ok = True
    for loc, output, label, table in places:
        value = table["folder"] if isinstance(table, dict) else getattr(config, loc[0])
        folder, problem = folders.normalise(value)
        example = folders.DEFAULTS.get(loc[0], "_capabilities" if loc[0] == "capabilities"
                                       else "agents")
        hint = f"write the folder relative to the catalog root, e.g. `{example}`"
        if problem is None and folders.escapes(root, folder):
            problem = "is a symbolic link to a folder outside the catalog"
            hint = "use a folder inside the catalog (a link may point to another folder inside it)"
        elif problem is None and output and folders.is_root(root, folder):
            problem = "is the catalog root itself"
            hint = "generated files need a folder of their own, e.g. `agents`"
        elif problem is None and output and folders.in_state_dir(folder):
            problem = f"is inside {folders.STATE_DIR}/, the tool's own folder"
            hint = "generated files need a folder of their own, e.g. `agents`"
        if problem is not None:
            shown = f"`{label}` is empty" if value == "" else f"`{label}` (`{value}`) {problem}"
            if problem == "leaves the catalog":
                shown += " (`..` goes above the root)"
            diagnostics.error(document.path, *document.locate(loc, value=True), shown, hint)
            ok = False
        elif isinstance(table, dict):
            table["folder"] = folder
        else:
            setattr(config, loc[0], folder)
    return ok


def _read_config_document(root: Path, diagnostics: Diagnostics) -> TomlDocument | None:
    if (root / CONFIG_FILE).is_file():
        return load_toml(root / CONFIG_FILE, CONFIG_FILE, diagnostics)
    if (root / CONFIG_FILE).exists():
        diagnostics.error(CONFIG_FILE, 1, 1, f"`{CONFIG_FILE}` is not a file",
                          f"the config is a TOML file: remove or rename the folder {CONFIG_FILE}")
        return None
    if (root / PYPROJECT_FILE).is_file():
        document = load_toml(root / PYPROJECT_FILE, PYPROJECT_FILE, diagnostics)
        if document is not None and "assembler" in document.data.get("tool", {}):
            document.prefix = ("tool", "assembler")
            return document
    return None
