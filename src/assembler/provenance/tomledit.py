"""Rewriting one TOML string value in place, leaving every other byte of the file alone.

Adopting a hand edit into a manifest must not reformat the manifest: only the
literal of the one value changes. tomlkit, a style-preserving TOML parser,
finds that literal; the result is parsed again and compared with the intended
data, so a rewrite that would change anything else is refused.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import tomli_w

from ..sources.toml import TomlDocument, value_span

__all__ = ["TomlEditError", "replace_string", "string_literal"]

# A character no catalog text has a reason to contain; it stands in for the new
# literal while tomlkit writes the document back.
_PLACEHOLDER = "\U0010fffd"


class TomlEditError(ValueError):
    """The value cannot be rewritten safely."""


def string_literal(value: str, multiline: bool) -> str:
    """A TOML basic string for ``value``; multi-line style keeps text readable."""
    if not multiline:
        return tomli_w.dumps({"v": value})[4:].rstrip("\n")
    body = value.replace("\\", "\\\\").replace("\r", "\\r")
    body = "".join(ch if ch in "\n\t" or ch >= " " and ch != "\x7f" else f"\\u{ord(ch):04x}"
                   for ch in body)
    if '""' in body or body.endswith('"'):
        body = body.replace('"', '\\"')
    return '"""\n' + body + '"""'


def _literal_span(text: str, path: tuple) -> tuple[int, int] | None:
    """Start and end offsets of the literal at ``path`` (prefix included), found by tomlkit.

    tomlkit writes the document back with a placeholder in place of the value;
    the span is only trusted when the old literal, put back there, gives
    ``text`` byte for byte.
    """
    import tomlkit  # only adopt needs it: a build or check never pays for the import
    from tomlkit.exceptions import TOMLKitError

    placeholder = _PLACEHOLDER
    while placeholder in text:
        placeholder += _PLACEHOLDER
    try:
        tree = tomlkit.parse(text)
        node: Any = tree
        for key in path[:-1]:
            node = node[key]
        literal = node[path[-1]].as_string()
        node[path[-1]] = tomlkit.string(placeholder)
        marked = tree.as_string()
    except (TOMLKitError, KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    before, found, after = marked.partition(f'"{placeholder}"')
    if not found or before + literal + after != text:
        return None
    return len(before), len(before) + len(literal)


def replace_string(document: TomlDocument, loc: tuple, value: str) -> str:
    """The document's text with the string at ``loc`` set to ``value``.

    A literal that was multi-line, or a value with a line break, is written as
    a multi-line basic string. Raises :class:`TomlEditError` when the value
    cannot be found or the rewritten file would parse to anything but that
    one change.
    """
    path = document.prefix + tuple(loc)
    # tomlkit does not write back every file it reads as it was (an array of
    # tables split by another table comes back regrouped); the position
    # scanner finds the literal there
    span = _literal_span(document.text, path) or value_span(document, loc)
    if span is None:
        raise TomlEditError(f"cannot find the literal of `{'.'.join(map(str, loc))}`")
    start, end = span
    old = document.text[start:end]
    multiline = old.startswith(('"""', "'''")) or "\n" in value
    text = document.text[:start] + string_literal(value, multiline) + document.text[end:]
    intended = copy.deepcopy(document.data)
    target: Any = intended
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlEditError(f"the rewritten file would not parse: {exc}") from None
    if parsed != intended:
        raise TomlEditError("the rewritten file would change more than this value")
    return text
