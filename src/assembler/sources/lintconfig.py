"""The ``[lint]`` table of the catalog config: which rules run, how severe, which limits.

Only the shape is checked here, when the config loads: the table is part of
``assembler.toml``, so its models live with the config's, below the linter.
Whether a rule code exists is checked by the linter itself
(:func:`assembler.lint.engine.config_problems`), so that this module stays
free of the rule registry.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning"]
Target = Literal["copilot", "codex", "skill", "factory"]
PositiveInt = Annotated[int, Field(gt=0)]

DEFAULT_CANONICAL_NAMES = ["SKILL.md", "AGENTS.md", "CLAUDE.md", "GEMINI.md", "README.md"]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RequiredSections(_Table):
    """``[lint.required_sections]``: headings each kind of output must contain, in order."""

    agent: list[str] = Field(default_factory=list)
    skill: list[str] = Field(default_factory=list)  # headings every SKILL.md must contain


class Budgets(_Table):
    """``[lint.budgets]``: size limits per generated file, and targets to check against."""

    bytes: PositiveInt | None = None
    lines: PositiveInt | None = None
    tokens: PositiveInt | None = None
    targets: list[Target] = Field(default_factory=list)


class LintConfig(_Table):
    """``[lint]``: rule selection, severities and thresholds for ``assembler lint``."""

    enable: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    freshness_months: PositiveInt = 6
    secret_entropy: Annotated[float, Field(gt=0)] = 3.5
    canonical_names: list[str] = Field(default_factory=lambda: list(DEFAULT_CANONICAL_NAMES))
    reference_root: str = "."
    required_sections: RequiredSections = Field(default_factory=RequiredSections)
    budgets: Budgets = Field(default_factory=Budgets)
