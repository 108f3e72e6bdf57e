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
    from .reading import AgentText, Entry

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
    imports: ClassVar[bool] = False  # `assembler import` reads files of this format (see read)
    label: ClassVar[str | None] = None  # the tool's name in messages ("Claude Code")
    limits: ClassVar[tuple[Limit, ...]] = ()
    # The pydantic model of this target's `[targets.<name>]` fields (see options.py).
    options: ClassVar[type | None] = None
    legacy_folder_key: ClassVar[str | None] = None  # an older config key for the folder
    # The skills folder format the tool reads (a key of registry.SKILL_FORMATS), or None.
    skills: ClassVar[str | None] = None

    def folder(self, settings: "Settings") -> str:
        """The output folder, relative to the catalog root."""
        return folder_of(self, settings)

    def path(self, settings: "Settings", agent: "Agent") -> str:
        """Where ``agent``'s file goes, relative to the root: its id, or its folder and
        the manifest's ``filename`` (see :attr:`~assembler.sources.catalog.Agent.output_id`)."""
        return f"{self.folder(settings)}/{agent.output_id}{self.suffix}"

    def renders(self, agent: "Agent") -> bool:
        """False when the manifest switches this target off (`[targets.<name>] enabled = false`)."""
        return agent.manifest.targets.get(self.name, {}).get("enabled", True) is not False

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        """Record, at the manifest line, what this target cannot carry for ``agent``."""

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        """The file's text with the banner placeholder on a line of its own, or None
        when a template failed (the renderer has recorded why)."""
        raise NotImplementedError

    def read(self, data: bytes, path: str) -> "AgentText":
        """A file written for this tool, as the tool reads it (see :mod:`.reading`), for
        `assembler import`; ``path`` is the file's path under the tool's folder, without
        its suffix (``team/reviewer``). Raises :class:`~.reading.NotAnAgent` for a file
        the tool does not load as an agent and :class:`~.reading.Unsupported` for one
        the catalog cannot reproduce. Only targets whose :attr:`imports` is true read."""
        raise NotImplementedError

    def pinned(self, agent: "Agent") -> tuple[str, dict[str, str]]:
        """What an imported file pins for this target: the header text before its first
        key (``pinned_lead``), and header entries written as they are (``pinned``), by key."""
        table = agent.manifest.targets.get(self.name, {})
        return table.get("pinned_lead", ""), table.get("pinned", {})

    def pin(self, entry: "Entry", text: "AgentText") -> str:
        """The text a manifest pins for one header entry of a file read by :meth:`read`:
        the YAML after ``key:`` (see :meth:`pinned`, which writes it back)."""
        from ..sources.fidelity import split_entry

        return split_entry(entry.key, entry.text)

    def pinned_value(self, key: str, raw: str) -> Any:
        """What a pinned entry says (YAML here; a TOML format reads TOML). Raises
        ValueError when it does not parse."""
        import yaml

        from ..sources.fidelity import frontmatter_entry
        from ..sources.yaml import load_yaml

        try:
            data = load_yaml(frontmatter_entry(key, raw), core=True)
        except yaml.YAMLError as exc:
            raise ValueError(getattr(exc, "problem", None) or str(exc)) from None
        if not isinstance(data, dict) or key not in data:
            raise ValueError("not a `key: value` entry")
        return data[key]

    @property
    def tool(self) -> str:
        return self.label or self.name

    def describe(self) -> dict[str, Any]:
        """For the README table and `assembler list`."""
        return {"target": self.name, "folder": self.default_folder, "suffix": self.suffix}


DEFAULT_TARGETS = ("claude-code",)


# The last config :func:`configured` read, what it found, and each target's folder: it
# is asked for every output of every agent, and a run has one config.
_last: list[Any] = [None, None, None, {}, {}]


def configured(config: "Config") -> dict[str, dict[str, Any]]:
    """Every target the config names, in order, with its table (empty for a list entry).

    The result is shared between calls on the same config: read it, do not change it.
    """
    last = _last
    if last[0] is config and last[1] is config.targets and last[2] == config.target:
        return last[3]
    if config.targets is None:
        found = {config.target or DEFAULT_TARGETS[0]: {}}
    elif isinstance(config.targets, list):
        found = {name: {} for name in config.targets}
    else:
        found = {name: table if isinstance(table, dict) else {}
                 for name, table in config.targets.items()}
    last[:] = [config, config.targets, config.target, found, {}]
    return found


def folder_of(target: Target, settings: "Settings") -> str:
    config = settings.config
    tables = configured(config)
    legacy = getattr(config, target.legacy_folder_key) if target.legacy_folder_key else None
    folders, key = _last[4], (target.name, legacy)
    if key not in folders:
        folder = tables.get(target.name, {}).get("folder")
        folders[key] = (folder if isinstance(folder, str) else
                        legacy if target.legacy_folder_key else target.default_folder)
    return folders[key]
