"""Claude Code skills: ``.claude/skills/<name>/SKILL.md``.

Claude Code reads the standard's six keys and keys of its own: ``when_to_use``
(added to the description in its skill listing, which it cuts at 1,536
characters) and the `[targets.claude-code]` fields of the skill manifest
(``argument-hint``, ``disable-model-invocation``, …). They are written only
here: the shared ``.agents/skills`` folder keeps to the standard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from .skill_format import SkillFormat, SkillLimit, SkillOptions, entry

if TYPE_CHECKING:
    from ..compose.composition import Value
    from ..compose.skill import SkillComposition
    from ..sources.skills import Skill

LISTING_LIMIT = 1_536  # skillListingMaxDescChars


def _listing(skill: "Skill") -> int:
    manifest = skill.manifest
    return len(manifest.description.strip()) + len((manifest.when_to_use or "").strip())


class ClaudeSkillOptions(SkillOptions):
    """A skill's `[targets.claude-code]` table: Claude Code's own SKILL.md keys."""

    argument_hint: str | None = Field(default=None, alias="argument-hint")
    arguments: str | list[str] | None = None
    disable_model_invocation: bool | None = Field(default=None, alias="disable-model-invocation")
    user_invocable: bool | None = Field(default=None, alias="user-invocable")
    disallowed_tools: list[str] | None = Field(default=None, alias="disallowed-tools")
    model: str | None = None
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    context: Literal["fork"] | None = None
    agent: str | None = None
    paths: str | list[str] | None = None
    shell: Literal["bash", "powershell"] | None = None
    hooks: dict[str, Any] | None = None


class ClaudeSkills(SkillFormat):
    key = "claude-code"
    default_folder = ".claude/skills"
    options = ClaudeSkillOptions
    extras = ("argument-hint", "arguments", "disable-model-invocation", "user-invocable",
              "disallowed-tools", "model", "effort", "context", "agent", "paths", "shell", "hooks")
    limits = (
        SkillLimit("Claude Code skill listing (`description` + `when_to_use`)", "characters",
                   LISTING_LIMIT, _listing),
    )

    def own_entries(self, composition: "SkillComposition") -> list["Value"]:
        skill = composition.skill
        when = skill.manifest.when_to_use
        return [] if when is None else [entry(skill, "when_to_use", when.strip(), ("when_to_use",))]
