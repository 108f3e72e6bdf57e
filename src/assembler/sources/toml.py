"""TOML files with positions: parse with tomllib, locate keys for error messages.

``tomllib`` gives values but no positions. Validation errors must still point at
a line and column, so :func:`key_positions` re-scans the (already valid) text
and records where each key, table header and array element starts, and
:func:`value_span` finds where the literal of one value ends.
"""

from __future__ import annotations

import bisect
import re

try:  # the compiled tomli parses long strings about three times faster than tomllib
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the same parser
    import tomllib
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics

Loc = tuple[Any, ...]
_TOML_ERROR_AT = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# What the scanner steps over in one go; each mirrors a character-by-character
# rule: a backslash in a basic string also takes the character after it.
_SPACE = {True: re.compile(r"(?:[ \t\n]+|#[^\n]*)*"), False: re.compile(r"(?:[ \t]+|#[^\n]*)*")}
_BASIC_BODY = re.compile(r'(?:[^"\\\n]+|\\[\s\S])*')
_BASIC_MULTILINE_BODY = re.compile(r'(?:[^"\\]+|\\[\s\S]|"(?!""))*')
_LITERAL_BODY = re.compile(r"[^'\n]*")
_SCALAR = re.compile(r"[^,\]}\n#]*")
# The two shapes most lines have, each in one match; anything else takes the general path.
# The space and string bodies in them are those of _SPACE and the _*_BODY patterns, each
# taken whole (atomic: a failed match must not try every way of splitting a run of spaces
# or characters, which takes exponential time).
_LINE_SPACE, _ANY_SPACE = r"(?:[ \t]+|#[^\n]*)*+", r"(?:[ \t\n]+|#[^\n]*)*+"
# A bare key, `=` and the space around it (as key() and key_value() step over them):
_BARE_ASSIGN = re.compile(rf"([A-Za-z0-9_-]++){_LINE_SPACE}={_LINE_SPACE}")
# An array element that is a one-line string, the space around it and its comma (as the
# array loop of value() steps over them); a string opening with three quotes is multi-line:
_ARRAY_STRING = re.compile(
    rf"{_ANY_SPACE}(\"(?!\"\")(?>{_BASIC_BODY.pattern})\"|'(?!'')(?>{_LITERAL_BODY.pattern})')"
    rf"{_ANY_SPACE},?")


class _ValueMark:
    """Marks the position of a key's value in the position map; one object, also after a
    document comes back from another process (pickled by name)."""

    def __reduce__(self) -> str:
        return "_VALUE"


_VALUE = _ValueMark()


@dataclass
class TomlDocument:
    """A parsed TOML file and where its keys are."""

    path: str
    data: dict[str, Any]
    text: str
    prefix: Loc = ()  # where the keys live, e.g. ("tool", "assembler") in pyproject.toml
    _positions: dict[Loc, tuple[int, int]] | None = field(default=None, repr=False)

    def pin(self, loc: Loc, at: tuple[int, int]) -> None:
        """Say where ``loc`` is, for a document made from text that is not TOML (a YAML header)."""
        if self._positions is None:
            self._positions = {}
        self._positions[tuple(loc)] = at

    def locate(self, loc: Loc, value: bool = False) -> tuple[int, int]:
        """Line and column of the deepest known prefix of ``loc`` (1-based).

        With ``value``, the position of the value rather than of its key.
        """
        if self._positions is None:
            self._positions = key_positions(self.text)
        loc = self.prefix + tuple(loc)
        if value and loc + (_VALUE,) in self._positions:
            return self._positions[loc + (_VALUE,)]
        while loc:
            if loc in self._positions:
                return self._positions[loc]
            loc = loc[:-1]
        return (1, 1)


def read_text(path: Path, rel: str, diagnostics: Diagnostics) -> str | None:
    """Read a UTF-8 file with LF line endings, or record why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.error(rel, 1, 1, f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.error(
            rel, line, column, "file is not valid UTF-8", "save the file as UTF-8"
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def parse_toml(text: str, rel: str, diagnostics: Diagnostics) -> TomlDocument | None:
    """Parse TOML text, turning a syntax error into a located diagnostic."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_ERROR_AT.match(message)
        if match:
            line, column = int(match["line"]), int(match["col"])
            message = match["msg"]
        else:
            line, column = text.count("\n") + 1, 1
            message = message.replace(" (at end of document)", "")
        diagnostics.error(
            rel,
            line,
            column,
            f"invalid TOML: {message[0].lower()}{message[1:]}",
            "see https://toml.io for the syntax; strings need quotes",
        )
        return None
    return TomlDocument(rel, data, text)


def load_toml(path: Path, rel: str, diagnostics: Diagnostics) -> TomlDocument | None:
    text = read_text(path, rel, diagnostics)
    return None if text is None else parse_toml(text, rel, diagnostics)


class _Scanner:
    """Walks valid TOML text and records the position of every key path."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.line_starts = [0, *accumulate(len(line) + 1 for line in text.split("\n"))][:-1]
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.array_counts: dict[Loc, int] = {}

    # -- low level -----------------------------------------------------------------
    def pos(self, offset: int | None = None) -> tuple[int, int]:
        """Line and column of ``offset`` (by default, of where the scanner is)."""
        offset = self.i if offset is None else offset
        line = bisect.bisect_right(self.line_starts, offset)
        return (line, offset - self.line_starts[line - 1] + 1)

    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def advance(self, n: int = 1) -> None:
        self.i += n

    def skip(self, pattern: re.Pattern[str]) -> None:
        """Step over what ``pattern`` matches here (one character at a time would be slow)."""
        end = pattern.match(self.text, self.i).end()
        if end > self.i:
            self.i = end

    def skip_space(self, newlines: bool) -> None:
        end = _SPACE[newlines].match(self.text, self.i).end()
        if end > self.i:
            self.i = end

    def record(self, loc: Loc, at: tuple[int, int]) -> None:
        self.positions.setdefault(loc, at)

    # -- grammar ---------------------------------------------------------------------
    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_space(newlines=False)
            ch = self.peek()
            if ch in "\"'":
                parts.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.i)
                if not match:
                    return parts
                parts.append(match.group())
                self.advance(match.end() - self.i)
            self.skip_space(newlines=False)
            if self.peek() != ".":
                return parts
            self.advance()

    def string(self, decode: bool = True) -> str:
        start = self.i
        quote = self.text[start : start + 1]
        if self.text.startswith(quote * 3, start):
            self.advance(3)
            if quote == '"':
                self.skip(_BASIC_MULTILINE_BODY)
                self._trailing_backslash()
            else:
                end = self.text.find(quote * 3, self.i)
                self.advance((len(self.text) if end == -1 else end) - self.i)
            self.advance(3)
            while self.peek() == quote:  # up to two quotes may end the string
                self.advance()
            return self.text[start + 3 : self.i - 3]
        self.i = _BASIC_BODY.match(self.text, start + 1).end() if quote == '"' \
            else _LITERAL_BODY.match(self.text, start + 1).end()
        if quote == '"':
            self._trailing_backslash()
        self.advance()
        raw = self.text[start + 1 : self.i - 1]
        return tomllib.loads(f"k = {self.text[start:self.i]}")["k"] if quote == '"' and decode else raw

    def _trailing_backslash(self) -> None:
        """A backslash as the very last character takes a character that is not there."""
        if self.i == len(self.text) - 1 and self.text[self.i] == "\\":
            self.advance(2)

    def value(self, loc: Loc) -> None:
        ch = self.peek()
        if ch in "\"'":
            self.string(decode=False)  # only keys need their text
        elif ch == "[":
            self.advance()
            index = 0
            while True:
                item = _ARRAY_STRING.match(self.text, self.i)
                if item:
                    self.record(loc + (index,), self.pos(item.start(1)))
                    self.i = item.end()
                    index += 1
                    continue
                self.skip_space(newlines=True)
                ch = self.peek()
                if ch in ("]", ""):
                    self.advance()
                    return
                self.record(loc + (index,), self.pos())
                if ch in "\"'":
                    self.string(decode=False)
                else:
                    self.value(loc + (index,))
                index += 1
                self.skip_space(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif ch == "{":
            self.advance()
            while True:
                self.skip_space(newlines=False)
                if self.peek() in ("}", ""):
                    self.advance()
                    return
                self.key_value(loc)
                self.skip_space(newlines=False)
                if self.peek() == ",":
                    self.advance()
        else:
            self.skip(_SCALAR)

    def key_value(self, table: Loc) -> None:
        at = self.pos()
        simple = _BARE_ASSIGN.match(self.text, self.i)
        if simple:
            loc = table + (simple.group(1),)
            self.record(loc, at)
            self.i = simple.end()
            self.record(loc + (_VALUE,), self.pos())
            self.value(loc)
            return
        parts = self.key()
        for depth in range(1, len(parts) + 1):
            self.record(table + tuple(parts[:depth]), at)
        self.skip_space(newlines=False)
        if self.peek() == "=":
            self.advance()
            self.skip_space(newlines=False)
            self.record(table + tuple(parts) + (_VALUE,), self.pos())
            self.value(table + tuple(parts))
        else:  # not valid TOML; skip the line rather than loop
            while self.i < len(self.text) and self.peek() != "\n":
                self.advance()

    def header(self) -> Loc:
        at = self.pos()
        is_array = self.peek(2) == "[["
        self.advance(2 if is_array else 1)
        path = tuple(self.key())
        self.skip_space(newlines=False)
        self.advance(2 if is_array else 1)
        if not is_array:
            self.record(path, at)
            return path
        index = self.array_counts.get(path, 0)
        self.array_counts[path] = index + 1
        self.record(path, at)
        self.record(path + (index,), at)
        return path + (index,)

    def document(self) -> dict[Loc, tuple[int, int]]:
        table: Loc = ()
        while True:
            self.skip_space(newlines=True)
            if self.i >= len(self.text):
                return self.positions
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)


def key_positions(text: str) -> dict[Loc, tuple[int, int]]:
    """Map each key path (``("handoff", 0, "target")``) to its (line, column).

    Array elements are keyed by index; a key's value position is stored under
    the key path followed by a private marker.
    """
    return _Scanner(text).document()


def value_span(document: TomlDocument, loc: Loc) -> tuple[int, int] | None:
    """Start and end offsets in ``document.text`` of the literal of the value at ``loc``.

    None when ``loc`` names no value, or when the text found there does not
    parse to that value (the scanner only knows valid TOML).
    """
    try:
        expected: Any = document.data
        for key in document.prefix + tuple(loc):
            expected = expected[key]
        line, column = document.locate(loc, value=True)
    except (KeyError, IndexError, TypeError):
        return None
    scanner = _Scanner(document.text)
    if line > len(scanner.line_starts):
        return None
    start = scanner.i = scanner.line_starts[line - 1] + column - 1
    scanner.value(())
    try:
        found = tomllib.loads(f"v = {document.text[start:scanner.i]}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    return (start, scanner.i) if found == expected else None
