"""The registry of output formats: one module each, one line here.

Adding a format is one module with a :class:`~.base.Target` subclass and one
line in :data:`REGISTRY`. Everything that writes, checks, scans or reads
generated files asks the registry (see :func:`enabled`) instead of assuming
one format.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from ..sources.yaml import split_frontmatter
from .base import HASH_COMMENT, HTML_COMMENT, CommentStyle, Limit, Target, configured
from .agent_skills import AgentSkills
from .claude_skills import ClaudeSkills
from .skill_format import SkillFormat

if TYPE_CHECKING:
    from ..sources.config import Settings


class _Registry(Mapping[str, Target]):
    """The targets by name, each module imported the first time its target is asked for:
    a run imports only the formats its catalog renders to (all of them cost about 25 ms)."""

    def __init__(self, classes: dict[str, str]):
        self._classes = classes  # name -> "module:Class" in this package
        self._made: dict[str, Target] = {}

    def __getitem__(self, name: str) -> Target:
        if name not in self._made:
            module, cls = self._classes[name].split(":")
            target = getattr(importlib.import_module(f"{__package__}.{module}"), cls)()
            assert target.name == name, f"{cls} is registered as {name}, named {target.name}"
            self._made[name] = target
        return self._made[name]

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)


REGISTRY: Mapping[str, Target] = _Registry({
    "antigravity": "antigravity:Antigravity",
    "claude-code": "claude_code:ClaudeCode",
    "codex": "codex:Codex",
    "copilot": "copilot:Copilot",
    "cursor": "cursor:Cursor",
    "gemini": "gemini:Gemini",
    "qwen": "qwen:Qwen",
    "factory": "factory:Factory",
    "kiro": "kiro:Kiro",
    "opencode": "opencode:Opencode",
})


@cache
def porting_limits() -> dict[str, Limit]:
    """Limits other agent formats publish, for files meant to be ported there:
    `[lint.budgets] targets` names them, and AA704 measures each generated file."""
    return {limit.key: limit for limit in (
        Limit("copilot", "agent body (after the frontmatter)", "characters", 30_000,
              lambda data, agent: len(split_frontmatter(_text(data)).body)),
        Limit("codex", "AGENTS.md file (the whole instruction chain)", "bytes", 32 * 1024,
              lambda data, agent: len(data)),
        Limit("skill", "`description`", "characters", 1_024,
              lambda data, agent: len(agent.manifest.description.strip()), at="description"),
        *REGISTRY["factory"].limits,
    )}

COMMENT_STYLES: tuple[CommentStyle, ...] = (HTML_COMMENT, HASH_COMMENT)

# The skills folders targets read (`Target.skills` names one).
SKILL_FORMATS: dict[str, SkillFormat] = {fmt.key: fmt for fmt in (ClaudeSkills(), AgentSkills())}


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n")


def get(name: str) -> Target:
    return REGISTRY[name]


_enabled: list[Any] = [None, []]  # the tables last asked about, and their targets


def enabled(settings: "Settings") -> list[Target]:
    """The targets a catalog renders to, in the config's order (asked for every output,
    so worked out once per config)."""
    tables = configured(settings.config)
    if _enabled[0] is not tables:
        _enabled[:] = [tables, [REGISTRY[name] for name, table in tables.items()
                                if name in REGISTRY and table.get("enabled", True) is not False]]
    return list(_enabled[1])



def skill_readers(settings: "Settings") -> list[tuple[SkillFormat, list[Target]]]:
    """Each skills folder an enabled target reads, once, with the targets that read it."""
    found: dict[str, list[Target]] = {}
    for target in enabled(settings):
        if target.skills is not None:
            found.setdefault(target.skills, []).append(target)
    return [(SKILL_FORMATS[key], readers) for key, readers in found.items()]


def banner_words(name: str, template: str | None) -> str | None:
    """The config's ``banner`` template for files written for ``name``, or None for a skills
    format: a SKILL.md always carries the tool's own banner."""
    return template if name in REGISTRY else None


def comment_of(name: str) -> CommentStyle:
    """The banner comment style of files written for ``name`` (a target or a skills format)."""
    if name in REGISTRY:
        return REGISTRY[name].comment
    return SKILL_FORMATS[name.removeprefix("skills:")].comment
