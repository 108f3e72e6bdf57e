"""What every skills folder shares: the SKILL.md file, the open standard's frontmatter.

A :class:`SkillFormat` is one folder layout that tools read skills from
(``<folder>/<name>/SKILL.md`` plus the skill's copied files). Targets name the
format they read (``Target.skills``); several targets reading the same
folder share one format, which writes each skill once and so must satisfy the
strictest of those readers. Every format writes the Agent Skills standard's six
keys (``name``, ``description``, ``license``, ``compatibility``, ``metadata``,
``allowed-tools``) as block-style YAML; a format may add its tool's own keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from pydantic import BaseModel, ConfigDict

from ..compose.composition import Source, Value
from ..sources.fidelity import frontmatter_entry
from ..sources.skills import OUTPUT
from ..sources.yaml import yaml_entry
from .base import HTML_COMMENT, PLACEHOLDER
from .tools import CANONICAL, mcp_parts

if TYPE_CHECKING:
    from ..compose.render import Renderer
    from ..compose.skill import SkillComposition
    from ..diagnostics import Diagnostics
    from ..sources.catalog import Catalog
    from ..sources.skills import Skill

SKILL_LAYOUT = "skill.md.j2"
# `Bash(git log *)`: a tool with an argument pattern, as Claude Code's allowed-tools take it.
_PATTERNED = re.compile(r"^(?P<tool>[A-Za-z]+)\((?P<pattern>[^()]*)\)$")


class SkillOptions(BaseModel):
    """A skill's `[targets.<name>]` table: every format takes ``enabled``, and the pins
    that keep an adopted ``SKILL.md`` byte-exact: ``pinned`` (YAML value text by key,
    written as ``key: <text>`` after the entries the format derives, replacing a derived
    entry of the same key) and ``pinned_lead`` (the text between the opening ``---`` and
    the first key)."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)

    enabled: bool = True
    pinned: dict[str, str] = {}
    pinned_lead: str = ""


@dataclass(frozen=True)
class SkillLimit:
    """A limit a tool publishes for skills, checked by ``assembler lint`` (AA704)."""

    what: str
    unit: str
    limit: int
    measure: Callable[["Skill"], int]
    at: str = "description"  # the manifest key a finding points at


def entry(skill: "Skill", key: str, value: Any, loc: tuple) -> Value:
    """A frontmatter entry ``key: value`` from the skill manifest's value at ``loc``."""
    source = Source("manifest", skill.document, loc, skill.id, "derived", whole=True)
    return Value(yaml_entry(key, value), source)


class SkillFormat:
    """One skills folder layout. Subclasses set the class attributes."""

    key: ClassVar[str]  # e.g. "agents": the format's name in messages and Rendered.target
    default_folder: ClassVar[str]
    comment = HTML_COMMENT
    layout = SKILL_LAYOUT
    options: ClassVar[type[SkillOptions]] = SkillOptions
    limits: ClassVar[tuple[SkillLimit, ...]] = ()
    # `[targets.<name>]` keys written after the standard ones, in the tool's spelling.
    extras: ClassVar[tuple[str, ...]] = ()

    @property
    def name(self) -> str:
        """What :class:`~assembler.outputs.render.Rendered` records as the file's format."""
        return f"skills:{self.key}"

    def folder(self) -> str:
        return self.default_folder

    def path(self, skill_id: str, rel: str = OUTPUT) -> str:
        return f"{self.folder()}/{skill_id}/{rel}"

    def entries(self, composition: "SkillComposition", tables: dict[str, dict[str, Any]]
                ) -> list[Value]:
        """The frontmatter; ``tables`` are the skill's `[targets.<name>]` tables of the
        targets reading this folder."""
        skill = composition.skill
        manifest = skill.manifest
        out = [entry(skill, "name", manifest.name, ("name",)),
               entry(skill, "description", manifest.description.strip(), ("description",))]
        out += self.own_entries(composition)
        if manifest.license is not None:
            out.append(entry(skill, "license", manifest.license.strip(), ("license",)))
        if manifest.compatibility is not None:
            out.append(entry(skill, "compatibility", manifest.compatibility.strip(),
                             ("compatibility",)))
        if manifest.metadata:
            out.append(entry(skill, "metadata", dict(manifest.metadata), ("metadata",)))
        if manifest.allowed_tools:
            # The standard's form: one space-separated string.
            out.append(entry(skill, "allowed-tools", " ".join(manifest.allowed_tools),
                             ("allowed_tools",)))
        for name, table in tables.items():
            for key in self.extras:
                if key in table:
                    out.append(entry(skill, key, table[key], ("targets", name, key)))
        pinned = {key: (name, raw) for name, table in tables.items()
                  for key, raw in table.get("pinned", {}).items()}
        if pinned:
            out = [item for item in out if _key_of(item) not in pinned]
            out += [Value(frontmatter_entry(key, raw),
                          Source("manifest", skill.document, ("targets", name, "pinned", key),
                                 skill.id, "derived", whole=True))
                    for key, (name, raw) in pinned.items()]
        return out

    def own_entries(self, composition: "SkillComposition") -> list[Value]:
        """Keys this format writes right after ``name`` and ``description``."""
        return []

    def emit(self, composition: "SkillComposition", renderer: "Renderer",
             tables: dict[str, dict[str, Any]], copies: str = "") -> str | None:
        """``SKILL.md`` with the banner placeholder, or None when the layout failed.
        ``copies`` is the comment recording the files copied beside it."""
        skill = composition.skill

        def variables(text_of):
            values = composition.sections(text_of)
            values["banner"] = PLACEHOLDER
            values["copies"] = copies
            lead = "".join(table.get("pinned_lead", "") for table in tables.values())
            values["frontmatter"] = lead + "".join(text_of(item)
                                                   for item in self.entries(composition, tables))
            return values

        text = renderer.render_layout(self.layout, variables, skill,  # type: ignore[arg-type]
                                      self.path(skill.id), self.name)
        return None if text is None else text.rstrip("\n") + "\n"


def _key_of(item: Value) -> str:
    return str(item.text).split(":", 1)[0]


def check_tools(skill: "Skill", diagnostics: "Diagnostics") -> None:
    """``allowed_tools`` in the canonical vocabulary (Claude Code's names, optionally with an
    argument pattern such as ``Bash(git log *)``), at each entry's line."""
    from ..diagnostics import did_you_mean

    for index, tool in enumerate(skill.manifest.allowed_tools):
        patterned = _PATTERNED.match(tool)
        name = patterned["tool"] if patterned else tool
        if name in CANONICAL or (patterned is None and mcp_parts(tool) is not None):
            continue
        at = skill.document.locate(("allowed_tools", index), value=True)
        if " " in tool and patterned is None:
            diagnostics.error(skill.source, *at, f"`{tool}` holds a space outside a pattern",
                              "write one tool per entry: [\"Read\", \"Bash(git log *)\"]")
            continue
        diagnostics.error(skill.source, *at, f"unknown tool `{name}`",
                          did_you_mean(name, CANONICAL, "tools")
                          or "tools are named as in Claude Code (`Read`, `Bash(git *)`, "
                             "`mcp__server__tool`)")
