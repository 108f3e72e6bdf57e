"""What an agent says, whatever the tool: the composition every target emits from.

Composing renders the agent's blocks once and gathers the manifest, role and
config values the layouts show. Every value keeps the TOML key it was taken
from (:class:`Source`), so the tracer can mark where each line of each output
comes from without knowing any layout, and no target has to know where a
value lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..sources.extrakeys import extra_values, handoff_extras
from ..sources.fidelity import TEXT_PREFIX
from ..sources.pathatoms import rewrite

if TYPE_CHECKING:
    from ..sources.catalog import Agent, Catalog
    from ..sources.toml import TomlDocument

@dataclass(frozen=True)
class Source:
    """The TOML value a piece of output text comes from."""

    kind: str  # manifest | role | config
    document: "TomlDocument"
    loc: tuple
    name: str  # the agent id (manifest, config) or the role name
    transform: str = "exact"  # exact: the value itself; yaml: YAML-quoted; derived from it
    whole: bool = False  # the text stands for the value as a whole (a derived title)


@dataclass(frozen=True)
class Value:
    """A piece of text and, when it is a value of a source file, where it comes from."""

    text: str
    source: Source | None = None


TextOf = Callable[[Value], str]


def plain(value: Value) -> str:
    return value.text


@dataclass
class Substrate:
    name: Value
    preamble: Value
    blocks: list[str]


@dataclass
class Composition:
    """One agent, composed: rendered blocks in their places and the values around them."""

    agent: "Agent"
    context: dict[str, Any]  # what the blocks saw
    role_text: Value
    substrate: Substrate | None
    blocks: list[str | Value]  # rendered blocks, and the manifest's own [text] pieces
    footer: list[str | Value]
    domain_in: list[Value]
    handoffs: list[dict[str, Any]]  # target and trigger are Values
    forbidden: list[Value]
    report_title: Value
    report_fields: list[Value]
    references: list[Value]
    body: tuple[bool, Value] | None  # a verbatim body: (blank line before the banner?, text)
    extra: dict[str, Any] = field(default_factory=dict)

    def sections(self, text_of: TextOf = plain) -> dict[str, Any]:
        """The layout's variables (besides the frontmatter and the banner), with values as
        ``text_of`` shows them."""
        def texts(items: list[Any]) -> list[Any]:
            return [text_of(item) if isinstance(item, Value) else item for item in items]

        substrate = self.substrate
        return {
            **self.context,
            "body": None if self.body is None else (self.body[0], text_of(self.body[1])),
            "role_text": text_of(self.role_text),
            "substrate": None if substrate is None else {
                "name": text_of(substrate.name),
                "preamble": text_of(substrate.preamble),
                "blocks": substrate.blocks,
            },
            "blocks": texts(self.blocks),
            "footer": texts(self.footer),
            "domain_in": texts(self.domain_in),
            "handoffs": [{key: text_of(item) if isinstance(item, Value) else item
                          for key, item in handoff.items()} for handoff in self.handoffs],
            "forbidden": texts(self.forbidden),
            "report": {"title": text_of(self.report_title), "fields": texts(self.report_fields)},
            "references": texts(self.references),
            "extra": {key: text_of(item) if isinstance(item, Value) else item
                      for key, item in self.extra.items()},
        }


def block_context(agent: "Agent", catalog: "Catalog") -> dict[str, Any]:
    """What a block template can see: the agent, merged vars, the role name."""
    manifest = agent.manifest
    return {
        "agent": {
            "id": agent.id,
            "name": manifest.name,
            "description": manifest.description,
            "tools": list(manifest.tools),
            "model": manifest.model,
            "handoffs": [h.target for h in manifest.handoff],
        },
        "vars": {**catalog.settings.config.vars, **manifest.vars},
        "role": agent.role.name if agent.role else None,
    }


RenderBlock = Callable[[str, dict[str, Any], "Agent"], "str | None"]


def compose(agent: "Agent", catalog: "Catalog", render_block: RenderBlock) -> Composition | None:
    """Render the agent's blocks with ``render_block`` and gather its values.

    Returns None when a block failed (``render_block`` returned None and has
    recorded why).
    """
    context = block_context(agent, catalog)
    manifest = agent.manifest
    document = agent.document
    placements: dict[str, list[str | Value]] = {"substrate": [], "body": [], "footer": []}
    failed = False
    role_blocks = agent.role.blocks if agent.role else ()
    for section, names in (("substrate", role_blocks), ("body", manifest.blocks),
                           ("footer", manifest.footer)):
        for name in names:
            if section != "substrate" and name.startswith(TEXT_PREFIX):
                key = name[len(TEXT_PREFIX):]
                own = manifest.text.get(key, "")
                if own:  # the agent's own text: as written, blank lines kept
                    placements[section].append(_manifest(agent, own, ("text", key)))
                continue
            text = render_block(name, context, agent)
            if text is None:
                failed = True
                continue
            text = text.strip("\n")
            if text:
                footer = catalog.blocks[name].meta.placement == "footer"
                placements["footer" if footer else section].append(text)
    if failed:
        return None
    config = catalog.settings.document
    layout = catalog.settings.config.layout
    role = agent.role
    substrate = None
    if role is not None and placements["substrate"]:
        substrate = Substrate(
            _manifest(agent, role.name, ("substrate_role",), transform="derived"),
            Value((role.role.preamble or "").strip("\n"),
                  Source("role", role.document, ("preamble",), role.name)),
            [item for item in placements["substrate"] if isinstance(item, str)],
        )

    def from_config(items: list[str], loc: tuple) -> list[Value]:
        if config is None:
            return [Value(text) for text in items]
        return [Value(text, Source("config", config, loc + (index,), agent.id))
                for index, text in enumerate(items)]

    report_fields = (from_config(layout.report_fields, ("layout", "report_fields"))
                     + [_manifest(agent, text, ("output_extra_fields", index))
                        for index, text in enumerate(manifest.output_extra_fields)]
                     + from_config(layout.report_closing_fields, ("layout", "report_closing_fields")))
    references = (from_config(layout.references, ("layout", "references"))
                  + [_reference(agent, text, index, catalog.settings.config.path_atoms)
                     for index, text in enumerate(manifest.references.extra)])
    declared = catalog.settings.config.extra_keys
    own_extras = handoff_extras(document.data, declared.handoff)
    handoffs = []
    for index, handoff in enumerate(manifest.handoff):
        values: dict[str, Any] = handoff.model_dump()
        for key in ("target", "trigger"):
            values[key] = _manifest(agent, values[key], ("handoff", index, key))
        if declared.handoff:
            values["extra"] = own_extras[index]
        handoffs.append(values)
    body = None
    if manifest.body is not None:
        text = manifest.body
        blank = text.startswith("\n")
        body = (blank, _manifest(agent, text[1:] if blank else text, ("body",)))
    return Composition(
        agent=agent,
        context=context,
        role_text=_manifest(agent, manifest.role.strip("\n"), ("role",)),
        substrate=substrate,
        blocks=placements["body"],
        footer=placements["footer"],
        domain_in=[_manifest(agent, text, ("domain_in", index))
                   for index, text in enumerate(manifest.domain_in)],
        handoffs=handoffs,
        forbidden=[_manifest(agent, text, ("forbidden_domain", index))
                   for index, text in enumerate(manifest.forbidden_domain)],
        report_title=_manifest(agent, f"=== {manifest.name.upper()} REPORT ===", ("name",),
                               transform="derived", whole=True),
        report_fields=report_fields,
        references=references,
        body=body,
        extra={key: _manifest(agent, value, (key,)) if isinstance(value, str) else value
               for key, value in extra_values(document.data, declared.manifest).items()},
    )


def _reference(agent: "Agent", text: str, index: int, atoms: list[str]) -> Value:
    """A REFERENCES line of ``[references] extra``, in backticks, its path atom written out."""
    rewritten = rewrite(text, atoms) if atoms else None
    if rewritten is None:
        return _manifest(agent, f"`{text}`", ("references", "extra", index))
    return _manifest(agent, f"`{rewritten}`", ("references", "extra", index), "derived",
                     whole=True)


def _manifest(agent: "Agent", text: str, loc: tuple, transform: str = "exact",
              whole: bool = False) -> Value:
    return Value(text, Source("manifest", agent.document, loc, agent.id, transform, whole))
