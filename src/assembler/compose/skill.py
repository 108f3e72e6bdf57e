"""What a skill says, whatever the tool: its body pieces, composed once.

A skill's body is its ``blocks`` in order: shared blocks rendered by the same
sandboxed Jinja2 as an agent's (they see the skill as ``skill`` and, so that a
block written for agents renders here too, as ``agent``), the skill's own
``[text]`` pieces as they are written, and the ``## When to use`` section made
from ``when_to_use``. Every piece of manifest text keeps the key it came from
(:class:`~.composition.Source`), so provenance can trace ``SKILL.md`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..sources.fidelity import TEXT_PREFIX
from ..sources.skills import WHEN_TO_USE
from .composition import RenderBlock, Source, TextOf, Value, plain

if TYPE_CHECKING:
    from ..sources.catalog import Catalog
    from ..sources.skills import Skill

WHEN_TO_USE_HEADING = "## When to use"


@dataclass
class SkillComposition:
    """One skill, composed: its body pieces in order and what its blocks saw."""

    skill: "Skill"
    context: dict[str, Any]
    body: list[str | Value]
    # What made each piece of ``body``: ("block", name), ("text", key), or ("when_to_use", "")
    # for the section's heading and text.
    made_by: list[tuple[str, str]]

    def sections(self, text_of: TextOf = plain) -> dict[str, Any]:
        """The layout's variables (besides the frontmatter and the banner)."""
        return {**self.context,
                "body": [text_of(item) if isinstance(item, Value) else item for item in self.body]}


def skill_context(skill: "Skill", catalog: "Catalog") -> dict[str, Any]:
    """What a block sees when it renders inside a skill."""
    manifest = skill.manifest
    # `Bash(git log *)` grants Bash: blocks test tool names, not patterns.
    tools = list(dict.fromkeys(tool.split("(", 1)[0] for tool in manifest.allowed_tools))
    about = {
        "id": skill.id,
        "name": manifest.name,
        "description": manifest.description,
        "tools": tools,
        "allowed_tools": list(manifest.allowed_tools),
        "when_to_use": manifest.when_to_use,
        "license": manifest.license,
        "compatibility": manifest.compatibility,
        "metadata": dict(manifest.metadata),
    }
    return {
        "skill": about,
        "agent": {"id": skill.id, "name": manifest.name, "description": manifest.description,
                  "tools": tools, "model": None, "handoffs": []},
        "vars": {**catalog.settings.config.vars, **manifest.vars},
        "role": None,
    }


def compose_skill(skill: "Skill", catalog: "Catalog",
                  render_block: RenderBlock) -> SkillComposition | None:
    """Render the skill's blocks and gather its pieces; None when a block failed (the
    renderer has recorded why)."""
    manifest = skill.manifest
    context = skill_context(skill, catalog)
    body: list[str | Value] = []
    made_by: list[tuple[str, str]] = []
    failed = False
    entries = list(manifest.blocks)
    when = TEXT_PREFIX + WHEN_TO_USE
    if manifest.when_to_use is not None and when not in entries:
        entries.insert(0, when)
    for entry in entries:
        if entry == when:
            body.append(Value(WHEN_TO_USE_HEADING))
            body.append(_own(skill, manifest.when_to_use.strip("\n"), (WHEN_TO_USE,)))
            made_by += [(WHEN_TO_USE, ""), (WHEN_TO_USE, "")]
        elif entry.startswith(TEXT_PREFIX):
            key = entry[len(TEXT_PREFIX):]
            text = manifest.text.get(key, "").strip("\n")
            if text:
                body.append(_own(skill, text, ("text", key)))
                made_by.append(("text", key))
        else:
            text = render_block(entry, context, skill)  # type: ignore[arg-type]
            if text is None:
                failed = True
                continue
            text = text.strip("\n")
            if text:
                body.append(text)
                made_by.append(("block", entry))
    return None if failed else SkillComposition(skill, context, body, made_by)


def _own(skill: "Skill", text: str, loc: tuple) -> Value:
    return Value(text, Source("manifest", skill.document, loc, skill.id))
