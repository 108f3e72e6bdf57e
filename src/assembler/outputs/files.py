"""What a render produces: a file's bytes in memory, and where a target writes one agent.

Kept apart from :mod:`.render` so that the skill outputs (:mod:`.skills`), which
:mod:`.render` calls, can make the same records without importing it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sources.catalog import Agent
from ..targets.base import Target


@dataclass(frozen=True)
class Rendered:
    """One generated file, in memory."""

    agent: Agent
    path: str  # relative to the root
    data: bytes
    target: str = "claude-code"
    mode: int | None = None  # permission bits a copied file keeps (a skill's scripts)


@dataclass(frozen=True)
class Output:
    """Where one target writes one agent's file."""

    agent: Agent
    target: Target
    path: str
