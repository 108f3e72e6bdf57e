"""The shared ``.agents/skills/<name>/SKILL.md`` folder of the Agent Skills standard.

Codex, Gemini CLI, Qwen Code, GitHub Copilot, opencode, Cursor and Antigravity
all scan it, so one file serves them all and must satisfy the strictest: the
reference validator (``skills-ref``) allows only the standard's six keys and
refuses flow-style YAML lists, Copilot and skills-ref refuse descriptions over
1,024 characters. Nothing but the six keys is written here.
"""

from __future__ import annotations

from .skill_format import SkillFormat


class AgentSkills(SkillFormat):
    key = "agents"
    default_folder = ".agents/skills"
