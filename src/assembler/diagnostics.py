"""Located error messages: every problem names its file, line, column and a fix.

Loading never stops at the first problem. Each loader appends to a
:class:`Diagnostics` collection and carries on, so one run reports every error
in every file. :class:`Exit` is the one table of exit codes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Iterable, Iterator

from .credentials import mask

# Characters a terminal acts on instead of showing: C0 and C1 controls (ESC starts
# colour and cursor sequences), line and paragraph separators, and the bidirectional
# overrides that make text read differently from how it is stored.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape."""
    if text.isascii() and text.isprintable():  # the common case, at C speed
        return text
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"
                                                 if ord(m.group()) < 0x100
                                                 else f"\\u{ord(m.group()):04x}"), text)


class Exit(IntEnum):
    """The exit code of every command, the same on the fast path and the full one."""

    OK = 0
    DRIFT = 1  # files out of date, lint errors, an overwrite or adopt refused, files not imported
    INPUT = 2  # invalid input or usage: the diagnostics say what to fix
    INTERNAL = 3  # a bug in agent-assembler
    INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one input file. ``path`` is relative to the catalog root.

    The message and the hint quote file contents and names, so credentials in
    them are masked as the diagnostic is made (see :mod:`assembler.credentials`).
    """

    path: str
    line: int
    column: int
    message: str
    hint: str | None = None
    severity: str = "error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", mask(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", mask(self.hint))

    def format(self) -> str:
        """One line (and a hint line); control characters are shown escaped."""
        where = f"{printable(self.path)}:{self.line}:{self.column}: " if self.path else ""
        text = f"{where}{self.severity}: {printable(self.message)}"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of problems found in one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, path: str, line: int, column: int, message: str, hint: str | None = None
    ) -> None:
        diagnostic = Diagnostic(path, max(line, 1), max(column, 1), message, hint)
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def extend(self, other: Iterable[Diagnostic]) -> None:
        for diagnostic in other:
            if diagnostic not in self.items:
                self.items.append(diagnostic)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class CatalogError(Exception):
    """Raised by library entry points when the inputs are invalid."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def did_you_mean(word: str, choices: Iterable[str], noun: str = "") -> str | None:
    """A hint naming the closest known spelling, or listing what is known."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if not options:
        return None
    listed = ", ".join(f"`{o}`" for o in options[:12])
    more = f" (and {len(options) - 12} more)" if len(options) > 12 else ""
    return f"known {noun or 'names'}: {listed}{more}"
