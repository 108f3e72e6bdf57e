"""What the Markdown-with-frontmatter formats share: the layout, and frontmatter entries.

Every such target renders the same layout (``agent.md.j2``: the body the tool
reads as the agent's prompt) and differs only in its frontmatter, which it
builds as a list of entries (:meth:`MarkdownTarget.entries`), each a
``key: value`` text that remembers the manifest or config key it comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..compose.composition import Source, TextOf, Value
from ..sources.fidelity import finish, frontmatter_entry
from ..sources.yaml import yaml_entry
from .base import HTML_COMMENT, PLACEHOLDER, Target
from .options import fields, where

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from .reading import AgentText
    from ..compose.render import Renderer
    from ..sources.catalog import Agent, Catalog

AGENT_LAYOUT = "agent.md.j2"


def entry(agent: "Agent", key: str, value: Any, loc: tuple | None = None,
          transform: str = "derived") -> Value:
    """A frontmatter entry for ``key``, taken from the manifest value at ``loc``."""
    source = None
    if loc is not None and _present(agent.document.data, loc):
        source = Source("manifest", agent.document, loc, agent.id, transform, whole=True)
    return Value(yaml_entry(key, value), source)


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
    imports = True  # `assembler import` reads these files (see read)
    dialect = "plain"  # how the tool reads frontmatter (see reading.py)
    name_required = True  # False: the tool names an agent without `name` after its file

    def read(self, data: bytes, stem: str) -> "AgentText":
        from .reading import read_markdown

        return read_markdown(data, stem, self.tool, self.dialect, self.name_required,
                             self.known_fields())

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

    def passed(self, catalog: "Catalog", agent: "Agent") -> list[Value]:
        """The `[targets.<name>]` fields written as they are, each from its own line."""
        return self.passed_keys(catalog, agent, self.passthrough)

    def passed_keys(self, catalog: "Catalog", agent: "Agent", keys: tuple[str, ...]) -> list[Value]:
        values = fields(self, catalog.settings, agent)
        out = []
        for key in keys:
            if key in values:
                kind, loc = where(self, catalog.settings, agent, key)
                document = agent.document if kind == "manifest" else catalog.settings.document
                source = None if document is None else Source(
                    kind, document, loc, agent.id,
                    "yaml" if isinstance(values[key], str) else "derived", whole=True)
                out.append(Value(yaml_entry(key, values[key]), source))
        return out

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
        entries the target derives that are not pinned, then the pins in their order."""
        def pinned(loc: tuple, text: str) -> Value:
            return Value(text, Source("manifest", agent.document, ("targets", self.name) + loc,
                                      agent.id, "derived", whole=True))

        out = [pinned(("pinned_lead",), lead)] if lead else []
        out += [item for item in items if item.text.split(":", 1)[0] not in pins]
        out += [pinned(("pinned", key), frontmatter_entry(key, raw)) for key, raw in pins.items()]
        return out

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        agent, catalog = composition.agent, renderer.catalog
        text = renderer.render_layout(
            self.layout, lambda text_of: self.variables(composition, catalog, text_of), agent,
            self.path(catalog.settings, agent.output_id), self.name)
        if text is None:
            return None
        return finish(text.rstrip("\n") + "\n", agent.manifest)
