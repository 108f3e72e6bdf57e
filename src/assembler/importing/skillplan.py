"""Planning one imported skill: its manifest's fields, pins, blocks and own text.

The frontmatter entries the skills folder's format writes itself, the same way
and in the same order (``name``, ``description``, ``when_to_use``, ``license``,
``compatibility``, ``metadata``, ``allowed-tools``, then Claude Code's own keys),
are left to it; from the first entry that differs on, every entry is pinned as
written in ``[targets.<reader>] pinned``, which keeps keys outside the standard
byte for byte. Standard values stay manifest fields (lint and the listing limits
read them; the loader checks that a pin says the same).

The layout writes the body's pieces one blank line apart and strips the newlines
around each, so a shared section becomes a block only where exactly one blank
line surrounds it; everything else is own text, written as it is (no Jinja2, so
``{{`` stays literal). Two modes, each proven by rendering: ``sections`` (shared
sections as blocks) and ``verbatim`` (the whole body one own text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..compose.skill import WHEN_TO_USE_HEADING
from ..sources.fidelity import TEXT_PREFIX, split_entry
from ..sources.skills import WHEN_TO_USE
from ..sources.yaml import yaml_entry
from ..targets.tools import CANONICAL, mcp_parts
from ..targets.registry import SKILL_FORMATS
from .plan import text_key
from .sections import split_sections
from .skillfile import SkillFile

SKILL_MODES = ("sections", "verbatim")
STANDARD = ("name", "description", WHEN_TO_USE, "license", "compatibility", "metadata",
            "allowed-tools")
_PATTERNED = re.compile(r"^(?P<tool>[A-Za-z]+)\((?P<pattern>[^()]*)\)$")


@dataclass
class SkillPlan:
    """How one skill is expressed: its body pieces ("block", "text" or "when", text)."""

    file: SkillFile
    mode: str
    items: list[tuple[str, str]]
    footer: list[tuple[str, str]] = field(default_factory=list)  # (skills have none)

    def block_texts(self) -> list[str]:
        return [text for kind, text in self.items if kind == "block"]

    @property
    def places_when(self) -> bool:
        return any(kind == "when" for kind, _ in self.items)


def skill_sections(file: SkillFile) -> list:
    cached = file.__dict__.get("_sections")
    if cached is None:
        cached = split_sections(file.body.strip("\n"))[1]
        file.__dict__["_sections"] = cached
    return cached


def plan_skill(file: SkillFile, mode: str, shared: set[str]) -> SkillPlan:
    core = file.body.strip("\n")
    if mode == "verbatim":
        return SkillPlan(file, mode, [("text", core)])
    sections = skill_sections(file)
    when = _when_section(file) if file.format == "claude-code" else None
    kinds = []
    for i, section in enumerate(sections):
        alone = (i == 0 or sections[i - 1].gap == 2) and (i == len(sections) - 1
                                                          or section.gap == 2)
        if alone and section.heading is not None and section.text == when:
            kinds.append("when")
            when = None  # placed once
        elif alone and section.heading is not None and section.text in shared:
            kinds.append("block")
        else:
            kinds.append("text")
    items: list[tuple[str, str]] = []
    for i, (kind, section) in enumerate(zip(kinds, sections)):
        if kind == "text" and i and kinds[i - 1] == "text":
            _, text = items.pop()
            items.append(("text", text + "\n" * sections[i - 1].gap + section.text))
        else:
            items.append((kind, section.text))
    return SkillPlan(file, mode, items)


def _when_section(file: SkillFile) -> str | None:
    """The body's `## When to use` section as the layout writes it from ``when_to_use``."""
    value = file.value(WHEN_TO_USE)
    if not isinstance(value, str) or not value.strip():
        return None
    return f"{WHEN_TO_USE_HEADING}\n\n{value.strip(chr(10))}"


def allowed_tools(value: Any) -> list[str] | None:
    """``allowed-tools`` as the manifest's list, when every tool is one the catalog knows."""
    if isinstance(value, str):
        tools = re.findall(r"[^\s(]+(?:\([^()]*\))?", value)
    elif isinstance(value, list) and all(isinstance(t, str) for t in value):
        tools = list(value)
    else:
        return None
    for tool in tools:
        patterned = _PATTERNED.match(tool)
        name = patterned["tool"] if patterned else tool
        if not (name in CANONICAL or (patterned is None and mcp_parts(tool) is not None)):
            return None
    return tools or None


def _fields(file: SkillFile, places_when: bool, extras: tuple[str, ...],
            options: Any) -> dict[str, tuple[str, Any]]:
    """Per frontmatter key the catalog can derive: (manifest field, value)."""
    found: dict[str, tuple[str, Any]] = {"name": ("name", file.skill_id)}
    description = file.value("description")
    found["description"] = ("description", description)
    when = file.value(WHEN_TO_USE)
    if places_when and "claude-code" == file.format and isinstance(when, str):
        found[WHEN_TO_USE] = (WHEN_TO_USE, when)
    for key in ("license", "compatibility"):
        value = file.value(key)
        if isinstance(value, str) and value.strip():
            found[key] = (key, value)
    metadata = file.value("metadata")
    if isinstance(metadata, dict) and metadata and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        found["metadata"] = ("metadata", metadata)
    tools = allowed_tools(file.value("allowed-tools"))
    if tools:
        found["allowed-tools"] = ("allowed_tools", tools)
    for key in extras:
        if key in file.text.values:
            try:
                options.model_validate({key: file.value(key)}, strict=True)
            except Exception:  # noqa: BLE001 - any validation error: keep it pinned
                continue
            found[key] = ("extra", file.value(key))
    return found


def _derived(key: str, value: Any) -> str:
    if key == "allowed-tools":
        return yaml_entry(key, " ".join(value))
    if isinstance(value, str):
        value = value.strip()
    return yaml_entry(key, value)


def skill_manifest(plan: SkillPlan, block_names: dict[str, str], reader: str,
                   disabled: tuple[str, ...]) -> dict[str, Any]:
    """The skill manifest as TOML data, keys in the order they are written. ``reader`` is
    the target whose table holds the pins; ``disabled`` the catalog's targets that read
    another skills folder."""
    file = plan.file
    fmt = SKILL_FORMATS[file.format]
    fields = _fields(file, plan.places_when, fmt.extras, fmt.options)
    order = [key for key in STANDARD if key in fields] + [k for k in fmt.extras if k in fields]
    kept, at = 0, 0
    for entry in file.text.entries:
        if entry.key not in order[at:] or entry.text != _derived(entry.key,
                                                                 fields[entry.key][1]):
            break
        at = order.index(entry.key, at) + 1
        kept += 1
    pinned = {entry.key: split_entry(entry.key, entry.text) for entry in file.text.entries[kept:]}
    data: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for key in order:
        name, value = fields[key]
        if name == "extra":
            if key not in pinned:
                extras[key] = value
        elif name != "metadata":
            data[name] = value
    blocks, texts, taken = [], {}, {WHEN_TO_USE}
    for kind, text in plan.items:
        if kind == "block":
            blocks.append(block_names[text])
        elif kind == "when":
            blocks.append(TEXT_PREFIX + WHEN_TO_USE)
        else:
            key = text_key(text, taken)
            texts[key] = text
            blocks.append(TEXT_PREFIX + key)
    data["blocks"] = blocks
    if "metadata" in fields:
        data["metadata"] = fields["metadata"][1]
    if texts:
        data["text"] = texts
    table: dict[str, Any] = dict(extras)
    if file.text.lead:
        table["pinned_lead"] = file.text.lead
    if pinned:
        table["pinned"] = pinned
    targets: dict[str, Any] = {}
    if table:
        targets[reader] = table
    for name in disabled:
        targets[name] = {"enabled": False}
    if targets:
        data["targets"] = targets
    return data
