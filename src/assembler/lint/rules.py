"""Rule codes and findings: the vocabulary every rule family speaks.

A code never changes meaning once published (``AA101`` is always "a required
section is missing"), so configs, inline comments and CI filters that name a
code keep working across versions. The first digit after ``AA`` is the family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from ..credentials import mask
from ..sources.lintconfig import Severity

CODE = re.compile(r"^AA\d{3}$")
SELECTOR = re.compile(r"^AA\d{0,3}$")


@dataclass(frozen=True)
class Rule:
    """One check: its stable code, a short name, and how it behaves by default."""

    code: str
    name: str
    family: str
    severity: Severity
    summary: str
    enabled: bool = True  # rules that are off by default run only when enabled or selected


@dataclass(frozen=True)
class Finding:
    """One problem a rule found, located where the fix belongs.

    ``snippet`` is the matched text. It is used to move a finding from a
    generated file to the source line it came from and to merge duplicates;
    it is never printed (it may be a secret). The message and the hint quote
    file contents, so credentials in them are masked as the finding is made.
    """

    code: str
    path: str
    line: int
    column: int
    message: str
    hint: str | None = None
    severity: Severity = "error"
    snippet: str | None = field(default=None, repr=False, compare=False)
    outputs: tuple[str, ...] = field(default=(), compare=False)  # generated files it shows in

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", mask(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", mask(self.hint))

    def moved(self, **changes: object) -> "Finding":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


def matches(code: str, selectors: Iterable[str]) -> bool:
    """True when a selector (a full code like ``AA101`` or a prefix like ``AA1``) covers ``code``."""
    return any(code.startswith(selector) for selector in selectors)


def split_codes(values: Iterable[str]) -> list[str]:
    """``["AA101,AA2", "AA6"]`` → ``["AA101", "AA2", "AA6"]`` (commas or spaces separate)."""
    return [part.upper() for value in values for part in re.split(r"[,\s]+", value) if part]
