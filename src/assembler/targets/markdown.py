"""What the Markdown-with-frontmatter formats share: the layout, and frontmatter entries.

Every such target renders the same layout (``agent.md.j2``: the body the tool
reads as the agent's prompt) and differs only in its frontmatter, which it
builds as a list of entries (:meth:`MarkdownTarget.entries`), each a
``key: value`` text that remembers the manifest or config key it comes from.

Some tools read only the top level of their folder. Such a target sets
``flat``: an agent from a manifest subfolder is written as one file whose name
joins the folders with ``-`` (``ml/dataset-auditor`` becomes
``ml-dataset-auditor.md``), and :meth:`MarkdownTarget.check_flat` reports two
agents that would share a file or a name there.

Each such target also reads its own files back for ``assembler import``
(:meth:`MarkdownTarget.read`, see :mod:`.reading`), and writes the header
entries an adopted file pins (`[targets.<name>] pinned`) as they are.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..compose.composition import Source, TextOf, Value
from ..sources.fidelity import finish, frontmatter_entry
from ..sources.yaml import yaml_entry
from .base import HTML_COMMENT, PLACEHOLDER, Target
from .options import INHERIT, configured, fields, option_source, resolve_model

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from .reading import AgentText
    from ..compose.render import Renderer
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog
    from ..sources.config import Settings

AGENT_LAYOUT = "agent.md.j2"


def entry(agent: "Agent", key: str, value: Any, loc: tuple | None = None,
          transform: str = "derived") -> Value:
    """A frontmatter entry for ``key``, taken from the manifest value at ``loc``."""
    source = None
    if loc is not None and _present(agent.document.data, loc):
        source = Source("manifest", agent.document, loc, agent.id, transform, whole=True)
    return Value(yaml_entry(key, value), source)


def flat_name(agent_id: str) -> str:
    """The file name (without suffix) of agent ``agent_id`` in a flat folder."""
    return agent_id.replace("/", "-")


@dataclass
class _FlatIndex:
    by_path: dict[str, list["Agent"]]
    by_name: dict[str, list["Agent"]]


def _from_table(item: Value) -> bool:
    """The entry comes from a `[targets.<name>]` field (of the manifest or the config)."""
    return item.source is not None and item.source.loc[:1] == ("targets",)


def _present(data: Any, loc: tuple) -> bool:
    for key in loc:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return False
    return True


class MarkdownTarget(Target):
    """A format of Markdown files opening with YAML frontmatter."""

    suffix = ".md"
    comment = HTML_COMMENT
    layout = AGENT_LAYOUT
    # Tool fields written after the ones the target derives, in this order
    # (the keys of the target's options schema, in the tool's spelling).
    passthrough: tuple[str, ...] = ()
    # The tool reads only the top level of its folder (subfolders are written flat).
    flat: ClassVar[bool] = False
    # The tool skips files whose name starts with `_`.
    skips_underscore: ClassVar[bool] = False
    _flat_index: tuple[Any, "_FlatIndex"] | None = None

    def path(self, settings: "Settings", agent: "Agent") -> str:
        if not self.flat:
            return super().path(settings, agent)
        return f"{self.folder(settings)}/{flat_name(agent.output_id)}{self.suffix}"

    def check_flat(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        """Report, at the manifest's name, another agent written to the same file of
        this flat folder or known there by the same name, and a file the tool skips."""
        index = self._index(catalog)
        path = self.path(catalog.settings, agent)
        at = agent.document.locate(("name",), value=True)
        switch = f"[targets.{self.name}] enabled = false"
        for other in index.by_path[path]:
            if other is not agent:
                diagnostics.error(
                    agent.source, *at,
                    f"agents `{agent.id}` and `{other.id}` would both be written to {path}: "
                    f"target {self.name} reads only the top level of its folder, so subfolders "
                    "become part of the file name",
                    f"rename one of them (or its folder), or switch the target off for one: {switch}")
        for other in index.by_name[agent.manifest.name.lower()]:
            if other is not agent:
                diagnostics.error(
                    agent.source, *at,
                    f"agents `{agent.id}` and `{other.id}` are both named "
                    f"`{agent.manifest.name}`: target {self.name} knows an agent by its name alone",
                    f"rename one of them, or switch the target off for one: {switch}")
        if self.skips_underscore and path.rsplit("/", 1)[-1].startswith("_"):
            folder = agent.id.split("/", 1)[0]
            move = (f"move the manifest out of the `{folder}` folder" if "/" in agent.id
                    else "give it a `filename` that does not start with `_`")
            diagnostics.error(
                agent.source, *at,
                f"target {self.name} skips files whose name starts with `_`, so {path} "
                "would never be loaded",
                f"{move}, or switch the target off for this agent: {switch}")

    def _index(self, catalog: "Catalog") -> "_FlatIndex":
        cached = self._flat_index
        if cached is not None and cached[0] is catalog:
            return cached[1]
        index = _FlatIndex({}, {})
        for agent in catalog.agents:
            if self.renders(agent):
                index.by_path.setdefault(self.path(catalog.settings, agent), []).append(agent)
                index.by_name.setdefault(agent.manifest.name.lower(), []).append(agent)
        self._flat_index = (catalog, index)
        return index

    # -- reading a file back, for `assembler import` ---------------------------------------
    imports = True
    dialect: ClassVar[str] = "plain"  # how the tool reads frontmatter (see reading.py)
    # What the tool does with a file whose frontmatter has no `name`: "required" (it
    # does not load it), "file" (names the agent after its file; import writes that
    # name in) or "path" (knows the agent by its path under the folder, no `name`).
    unnamed: ClassVar[str] = "required"
    # Entries the target writes on its own when the manifest says nothing (opencode's
    # `mode`, Kiro's `name`). An adopted file's pinned header goes without them, as the
    # file did (the tool's own default applies, as it did before), unless the target's
    # `[targets.<name>]` table sets them.
    defaults: ClassVar[tuple[str, ...]] = ()

    def read(self, data: bytes, path: str) -> "AgentText":
        from .reading import read_markdown

        self.read_path(path)
        text = read_markdown(data, path, self.tool, self.dialect, self.unnamed,
                             self.known_fields())
        self.read_values(text)
        return text

    def read_path(self, path: str) -> None:
        """Raise :class:`~.reading.NotAnAgent` when the tool never loads a file at
        ``path`` (under its folder, without the suffix): below the top level of a flat
        folder, or a name the tool skips."""
        from .reading import NotAnAgent

        if self.flat and "/" in path:
            raise NotAnAgent(f"{self.tool} reads only the top level of its folder, so it "
                             f"never loads `{path}{self.suffix}`", 1,
                             f"move the file to the top of the folder, or import it as another "
                             "tool's file with --from")
        if self.skips_underscore and path.rsplit("/", 1)[-1].startswith("_"):
            raise NotAnAgent(f"{self.tool} skips files whose name starts with `_`", 1,
                             "rename the file if it is meant to be an agent")

    def read_values(self, text: "AgentText") -> None:
        """Raise :class:`~.reading.NotAnAgent` for a file the tool refuses for what its
        frontmatter says (a name it does not take, a key it does not know)."""

    def known_fields(self) -> frozenset[str] | None:
        """The frontmatter fields the tool uses, to warn about others on import (None: no
        warning)."""
        return None

    def entries(self, composition: "Composition", catalog: "Catalog") -> list[Value]:
        raise NotImplementedError

    def name_and_description(self, agent: "Agent", name: bool = True) -> list[Value]:
        out = [entry(agent, "name", agent.manifest.name, ("name",))] if name else []
        out.append(entry(agent, "description", agent.manifest.description.strip(),
                         ("description",), transform="yaml"))
        return out

    def model_entry(self, catalog: "Catalog", agent: "Agent") -> list[Value]:
        """``model`` as :func:`~.options.resolve_model` gives it, nothing for ``inherit``,
        from the manifest line that chose it."""
        model = resolve_model(self, catalog, agent)
        if not model or model == INHERIT:
            return []
        own = ("targets", self.name, "model")
        return [entry(agent, "model", model, own if _present(agent.document.data, own)
                      else ("model",))]

    def passed(self, catalog: "Catalog", agent: "Agent") -> list[Value]:
        """The `[targets.<name>]` fields written as they are, each from its own line."""
        return self.passed_keys(catalog, agent, self.passthrough)

    def passed_keys(self, catalog: "Catalog", agent: "Agent", keys: tuple[str, ...]) -> list[Value]:
        values = fields(self, catalog.settings, agent)
        out = []
        for key in keys:
            if key in values:
                transform = "yaml" if isinstance(values[key], str) else "derived"
                source = option_source(self, catalog.settings, agent, key, transform)
                out.append(Value(yaml_entry(key, values[key]), source))
        return out

    def option_entry(self, catalog: "Catalog", agent: "Agent", key: str, value: Any,
                     written: str | None = None) -> Value:
        """``written: value`` (``key`` by default), from the line that sets `[targets.<name>] key`."""
        return Value(yaml_entry(written or key, value),
                     option_source(self, catalog.settings, agent, key))

    def variables(self, composition: "Composition", catalog: "Catalog",
                  text_of: TextOf) -> dict[str, Any]:
        variables = composition.sections(text_of)
        variables["banner"] = PLACEHOLDER
        items = self.entries(composition, catalog)
        lead, pins = self.pinned(composition.agent)
        if lead or pins:
            items = self.with_pins(composition.agent, items, lead, pins)
        variables["frontmatter"] = "".join(text_of(item) for item in items)
        return variables

    def with_pins(self, agent: "Agent", items: list[Value], lead: str,
                  pins: dict[str, str]) -> list[Value]:
        """The entries with the pinned ones written as they are: the pinned lead first,
        entries the target derives that are not pinned (nor among its :attr:`defaults`),
        then the pins in their order."""
        def pinned(loc: tuple, text: str) -> Value:
            return Value(text, Source("manifest", agent.document, ("targets", self.name) + loc,
                                      agent.id, "derived", whole=True))

        out = [pinned(("pinned_lead",), lead)] if lead else []
        out += [item for item in items if item.text.split(":", 1)[0] not in pins
                and not (item.text.split(":", 1)[0] in self.defaults and not _from_table(item))]
        out += [pinned(("pinned", key), frontmatter_entry(key, raw)) for key, raw in pins.items()]
        return out

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        agent, catalog = composition.agent, renderer.catalog
        text = renderer.render_layout(
            self.layout, lambda text_of: self.variables(composition, catalog, text_of), agent,
            self.path(catalog.settings, agent), self.name)
        if text is None:
            return None
        return finish(text.rstrip("\n") + "\n", agent.manifest)


class FlatMarkdownTarget(MarkdownTarget):
    """A Markdown format whose tool reads only the top level of its folder.

    A manifest in a subfolder (``ml/dataset-auditor``) is written under its
    name alone (``dataset-auditor.md``); two manifests of the same name in
    different subfolders would write one file, which :meth:`check_collisions`
    reports at the later manifest's ``name``.
    """

    flat = True

    def path(self, settings: "Settings", agent: "Agent") -> str:
        return f"{self.folder(settings)}/{agent.output_id.rsplit('/', 1)[-1]}{self.suffix}"

    def check_collisions(self, catalog: "Catalog", agent: "Agent", diagnostics) -> None:
        settings = catalog.settings
        mine = self.path(settings, agent)
        first = self._first_writers(catalog).get(mine)
        if first is not None and first is not agent:
            diagnostics.error(
                agent.source, *agent.document.locate(("name",), value=True),
                f"target {self.name} reads only the top level of `{self.folder(settings)}`: "
                f"`{agent.id}` and `{first.id}` would both be written to `{mine}`",
                f"rename one of them, or switch the target off for one: "
                f"[targets.{self.name}] enabled = false")

    def _first_writers(self, catalog: "Catalog") -> dict[str, "Agent"]:
        """The first agent writing each file, worked out once per catalog."""
        cached = getattr(self, "_writers", None)
        if cached is not None and cached[0]() is catalog:
            return cached[1]
        first: dict[str, "Agent"] = {}
        for other in catalog.agents:
            if self.renders(other):
                first.setdefault(self.path(catalog.settings, other), other)
        self._writers = (weakref.ref(catalog), first)
        return first

def model_at(target: "Target", catalog: "Catalog", agent: "Agent") -> tuple[str, int, int]:
    """The file, line and column that set the model ``target`` gets for ``agent``, in the
    order :func:`~.options.resolve_model` looks: the manifest's `[targets.<name>] model`,
    the `[models.<alias>]` value of the config, the config's `[targets.<name>] model`."""
    settings, name = catalog.settings, target.name
    if isinstance(agent.manifest.targets.get(name, {}).get("model"), str):
        return (agent.source, *agent.document.locate(("targets", name, "model"), value=True))
    model, document = agent.manifest.model, settings.document
    if document is not None and model is not None and model != INHERIT:
        if model in settings.config.models:
            return (document.path, *document.locate(("models", model, name), value=True))
        if "model" in configured(settings.config).get(name, {}):
            return (document.path, *document.locate(("targets", name, "model"), value=True))
    if document is not None and model is None:
        return (document.path, *document.locate(("targets", name, "model"), value=True))
    return (agent.source, *agent.document.locate(("model",), value=True))
