"""The ``[lint]`` table's models, for the rule modules.

They are defined in :mod:`assembler.sources.lintconfig`, because the config
loader validates the table with the rest of ``assembler.toml``, and sources
never import the linter.
"""

from ..sources.lintconfig import (
    DEFAULT_CANONICAL_NAMES,
    Budgets,
    LintConfig,
    PositiveInt,
    RequiredSections,
    Severity,
    Target,
)

__all__ = ["DEFAULT_CANONICAL_NAMES", "Budgets", "LintConfig", "PositiveInt",
           "RequiredSections", "Severity", "Target"]
