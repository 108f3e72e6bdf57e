"""Presentation helpers for every layer that prints: colour, plurals, GitHub annotations.

Colour follows the terminal: on when the stream is a TTY, off when
``NO_COLOR`` is set, forced on with ``FORCE_COLOR``. Nothing here knows what
is being reported; the report modules (:mod:`assembler.outputs.report`,
:mod:`assembler.lint.output`, :mod:`assembler.importing.report`) do.
"""

from __future__ import annotations

import os
from typing import IO

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2"}


class Style:
    """ANSI colour, only when the stream and the environment want it."""

    def __init__(self, stream: IO[str]):
        if os.environ.get("NO_COLOR"):
            self.enabled = False
        elif os.environ.get("FORCE_COLOR"):
            self.enabled = True
        else:
            self.enabled = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, text: str, colour: str) -> str:
        if not self.enabled:
            return text
        return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m"


def colour_diff(diff: str, style: Style) -> str:
    """A unified diff with its headers, hunks, additions and removals coloured."""
    if not style.enabled:
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(style(line.rstrip("\n"), "bold") + "\n")
        elif line.startswith("+"):
            out.append(style(line.rstrip("\n"), "green") + "\n")
        elif line.startswith("-"):
            out.append(style(line.rstrip("\n"), "red") + "\n")
        elif line.startswith("@@"):
            out.append(style(line.rstrip("\n"), "cyan") + "\n")
        else:
            out.append(line)
    return "".join(out)


def plural(count: int, noun: str) -> str:
    """The count and the noun, with an ``s`` unless there is one: ``1 agent``, ``2 agents``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def github_escape(text: str, property_value: bool = False) -> str:
    """Escape for a workflow command (``::error …::message``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(path: str, line: int, message: str, column: int | None = None,
                      title: str | None = None, level: str = "error") -> str:
    """One GitHub Actions workflow command that annotates ``path:line``."""
    props = [f"file={github_escape(path, True)}", f"line={line}"]
    if column is not None:
        props.append(f"col={column}")
    if title:
        props.append(f"title={github_escape(title, True)}")
    return f"::{level} {','.join(props)}::{github_escape(message)}"
