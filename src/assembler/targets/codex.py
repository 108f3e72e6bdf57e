"""Codex CLI custom agents: ``.codex/agents/<id>.toml``.

The file is TOML: ``name``, ``description``, ``model`` and the Codex fields of
``[targets.codex]``, then the agent layout's body as ``developer_instructions``,
a multi-line literal string (a basic one, escaped, when the body itself holds
``'''``). Codex has no tool list: an agent whose tools cannot change anything
gets ``sandbox_mode = "read-only"``; any other agent has the sandbox the
session gives it. The banner is a ``#`` comment on the first line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from ..compose.composition import Source, Value
from ..sources.fidelity import finish
from .base import HASH_COMMENT, PLACEHOLDER, Limit, Target
from .markdown import AGENT_LAYOUT
from .options import INHERIT, TargetOptions, fields, option_source, resolve_model
from .tools import read_only

if TYPE_CHECKING:
    from ..compose.composition import Composition
    from .reading import AgentText, Entry
    from ..compose.render import Ink, Renderer
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Agent, Catalog

_NICKNAME = r"^[A-Za-z0-9 _-]+$"
# What a literal string cannot hold: control characters other than tab and line feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


class CodexOptions(TargetOptions):
    """`[targets.codex]`: agent-file keys Codex reads (any other config key is refused)."""

    model_reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    sandbox_mode: Literal["read-only", "workspace-write", "danger-full-access"] | None = None
    nickname_candidates: list[Annotated[str, Field(pattern=_NICKNAME)]] | None = Field(
        default=None, min_length=1)
    mcp_servers: dict[str, dict[str, Any]] | None = None
    web_search: Literal["disabled", "cached", "live"] | None = None


def _toml(key: str, value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({key: value})


def _literal(body: str) -> str:
    """``body`` as a TOML multi-line string: literal when it can be, else basic, escaped."""
    if "'''" not in body and not _CONTROL.search(body) and not body.endswith("'"):
        return "'''\n" + body + "'''"
    escaped = body.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " or ch in "\t\n" else f"\\u{ord(ch):04x}" for ch in escaped)
    return '"""\n' + escaped + '"""'


class Codex(Target):
    name = "codex"
    skills = "agents"  # reads <folder>/<name>/SKILL.md
    default_folder = ".codex/agents"
    suffix = ".toml"
    comment = HASH_COMMENT
    layout = AGENT_LAYOUT
    label = "Codex"
    imports = True
    options = CodexOptions
    fields_order = ("model_reasoning_effort", "sandbox_mode", "nickname_candidates", "web_search")
    limits = (
        Limit("codex", "AGENTS.md chain (the whole instruction budget)", "bytes", 32 * 1024,
              lambda data, agent: len(data)),
    )

    def check(self, catalog: "Catalog", agent: "Agent", diagnostics: "Diagnostics") -> None:
        resolve_model(self, catalog, agent, diagnostics)

    def header(self, catalog: "Catalog", agent: "Agent") -> list[Value]:
        manifest, document = agent.manifest, agent.document
        out = [Value(_toml("name", manifest.name),
                     Source("manifest", document, ("name",), agent.id, "derived", whole=True)),
               Value(_toml("description", manifest.description.strip()),
                     Source("manifest", document, ("description",), agent.id, "derived", whole=True))]
        model = resolve_model(self, catalog, agent)
        if model and model != INHERIT:
            loc = ("model",) if "model" in document.data else ("targets", self.name, "model")
            out.append(Value(_toml("model", model),
                             Source("manifest", document, loc, agent.id, "derived", whole=True)
                             if _has(document.data, loc) else None))
        values = fields(self, catalog.settings, agent)
        if "sandbox_mode" not in values and read_only(manifest.tools):
            out.append(Value(_toml("sandbox_mode", "read-only"),
                             Source("manifest", document, ("tools",), agent.id, "derived", whole=True)))
        for key in self.fields_order:
            if key in values:
                out.append(self._field(catalog, agent, key, values[key]))
        return out

    def _field(self, catalog: "Catalog", agent: "Agent", key: str, value: Any) -> Value:
        return Value(_toml(key, value), option_source(self, catalog.settings, agent, key))

    def emit(self, composition: "Composition", renderer: "Renderer") -> str | None:
        agent, catalog = composition.agent, renderer.catalog
        output = self.path(catalog.settings, agent)

        def variables(text_of):
            variables = composition.sections(text_of)
            variables.update(banner=PLACEHOLDER, frontmatter="")
            return variables

        text = renderer.render_layout(self.layout, variables, agent, output, self.name)
        if text is None:
            return None
        lines = text.split("\n")
        skip = next(i for i, line in enumerate(lines) if PLACEHOLDER in line) + 2  # and the blank

        def wrap(text: str, ink: "Ink") -> str:
            body = ink.rstrip(text.split("\n", skip)[-1]) + "\n"
            values = self.header(catalog, agent)
            lead, pins = self.pinned(agent)
            if lead or pins:
                header = self._with_pins(agent, values, lead, pins, body, ink)
            else:
                header = "".join(ink.text(value) for value in values) + \
                    "developer_instructions = " + _literal(body) + "\n"
            tables = fields(self, catalog.settings, agent).get("mcp_servers")
            tail = "\n" + _toml("mcp_servers", tables) if tables else ""
            return PLACEHOLDER + "\n" + header + tail

        return finish(renderer.transform(output, wrap, text), agent.manifest)

    def pinned_value(self, key: str, raw: str) -> Any:
        try:
            import tomli as tomllib
        except ImportError:  # pragma: no cover
            import tomllib
        if key == "developer_instructions":
            return None
        try:
            return tomllib.loads(f"{key} = {raw}\n")[key]
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(str(exc)) from None

    def pin(self, entry: "Entry", text: "AgentText") -> str:
        """The TOML after ``key =``; for the instructions, their delimiters and what
        follows the closing one (the body goes between them)."""
        value = entry.text.partition("=")[2]
        value = value[1:] if value.startswith(" ") else value
        value = value[:-1] if value.endswith("\n") else value
        if entry.key == "developer_instructions":
            opening, _, inside = value.partition("\n")
            value = opening + "\n" + inside[len(text.written_body):]
        return value

    def read(self, data: bytes, path: str) -> "AgentText":
        from .reading import read_codex

        return read_codex(data, path, self.tool)

    def _with_pins(self, agent: "Agent", values: list[Value], lead: str, pins: dict[str, str],
                   body: str, ink: "Ink") -> str:
        """The header and instructions with pinned entries written as they are
        (``key = <text>``), after the derived ones they do not replace. A pinned
        ``developer_instructions`` holds its delimiters and what follows the closing one;
        the instructions go between them."""
        from .reading import toml_basic

        def pinned(loc: tuple, text: str) -> str:
            return ink.text(Value(text, Source("manifest", agent.document,
                                               ("targets", self.name) + loc, agent.id, "derived",
                                               whole=True)))

        out = [pinned(("pinned_lead",), lead)] if lead else []
        out += [ink.text(value) for value in values
                if value.text.split("=", 1)[0].strip() not in pins]
        instructions = "developer_instructions = " + _literal(body) + "\n"
        for key, raw in pins.items():
            if key == "developer_instructions":
                opening, _, closing = raw.partition("\n")
                inside = body if opening == "'''" else toml_basic(body)
                out.append(pinned(("pinned", key), f"{key} = {opening}\n") + inside
                           + pinned(("pinned", key), closing + "\n"))
                instructions = ""
            else:
                out.append(pinned(("pinned", key), f"{key} = {raw}\n"))
        return "".join(out) + instructions


def _has(data: Any, loc: tuple) -> bool:
    for key in loc:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True
