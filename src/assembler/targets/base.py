"""What every output format says about itself, in one place.

A :class:`Target` is one agent tool's file format: where its files go, what
they are called, how a comment is written in them (the banner is a comment),
the fields its `[targets.<name>]` tables take, the limits the tool publishes,
and how a composed agent becomes the file's text. Everything else (drift,
orphans, banners, lint budgets, import, explain, adopt) asks the target
instead of assuming Markdown.

This module stays light (no pydantic, no jinja2 at import): the banner reader
and the cached drift check use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from ..compose.render import Renderer
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog
    from ..sources.config import Config, Settings

# Stands in for the banner while a file is laid out; the hash is computed over
# the text without this line, then the real banner replaces it.
PLACEHOLDER = "\x00assembler-banner\x00"


@dataclass(frozen=True)
class CommentStyle:
    """How a one-line comment is written in a format (the banner is one)."""

    open: str
    close: str = ""

    def wrap(self, text: str) -> str:
        return f"{self.open}{text}{self.close}"


HTML_COMMENT = CommentStyle("<!-- ", " -->")
HASH_COMMENT = CommentStyle("# ")


@dataclass(frozen=True)
class Limit:
    """A limit the tool publishes, checked by ``assembler lint`` (AA704).

    ``measure`` gets a generated file's bytes and its agent.
    """

    key: str  # the name used in `[lint.budgets] targets`
    what: str  # what is measured, for the message
    unit: str
    limit: int
    measure: Callable[[bytes, "Agent"], int]
    at: str = "name"  # the manifest key a finding points at


class Target:
    """One output format. Subclasses set the class attributes and :meth:`emit`."""

    name: ClassVar[str]
    default_folder: ClassVar[str]  # the output folder when the config names none
    suffix: ClassVar[str]  # output file suffix, e.g. ".md"
    comment: ClassVar[CommentStyle]
    layout: ClassVar[str | None] = None  # built-in Jinja2 layout, overridable in _templates/
    imports: ClassVar[bool] = False  # `assembler import` reads files of this format
    limits: ClassVar[tuple[Limit, ...]] = ()
    # The pydantic model of this target's `[targets.<name>]` fields (see options.py).
    options: ClassVar[type | None] = None
    legacy_folder_key: ClassVar[str | None] = None  # an older config key for the folder
    # The skills folder format the tool reads (a key of registry.SKILL_FORMATS), or None.
    skills: ClassVar[str | None] = None

    def folder(self, settings: "Settings") -> str:
        """The output folder, relative to the catalog root."""
        return folder_of(self, settings)

    def path(self, settings: "Settings", agent_id: str) -> str:
        """Where the file of agent ``agent_id`` goes, relative to the root."""
        return f"{self.folder(settings)}/{agent_id}{self.suffix}"

    def renders(self, agent: "Agent") -> bool:
        """False when the manifest switches this target off (`[targets.<name>] enabled = false`)."""
        return agent.manifest.targets.get(self.name, {}).get("enabled", True) is not False

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        """Record, at the manifest line, what this target cannot carry for ``agent``."""

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        """The file's text with the banner placeholder on a line of its own, or None
        when a template failed (the renderer has recorded why)."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """For the README table and `assembler list`."""
        return {"target": self.name, "folder": self.default_folder, "suffix": self.suffix}


DEFAULT_TARGETS = ("claude-code",)


def configured(config: "Config") -> dict[str, dict[str, Any]]:
    """Every target the config names, in order, with its table (empty for a list entry)."""
    if config.targets is None:
        return {config.target or DEFAULT_TARGETS[0]: {}}
    if isinstance(config.targets, list):
        return {name: {} for name in config.targets}
    return {name: table if isinstance(table, dict) else {} for name, table in config.targets.items()}


def folder_of(target: Target, settings: "Settings") -> str:
    folder = configured(settings.config).get(target.name, {}).get("folder")
    if isinstance(folder, str):
        return folder
    if target.legacy_folder_key:
        return getattr(settings.config, target.legacy_folder_key)
    return target.default_folder
