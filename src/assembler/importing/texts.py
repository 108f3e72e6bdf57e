"""The texts an import writes and compares: manifests as TOML, outputs without banners."""

from __future__ import annotations

from typing import Any

from ..outputs.banner import strip_banner
from ..targets.base import HTML_COMMENT, CommentStyle


def toml_text(data: dict[str, Any]) -> str:
    """A manifest as TOML: keys in the given order, ``[[handoff]]`` and tables last."""
    parts, tables = [], {}
    for key, value in data.items():
        if isinstance(value, dict):
            tables[key] = value
        elif key != "handoff":
            parts.append(_dump({key: value}))
    for handoff in data.get("handoff", []):
        parts.append("\n[[handoff]]\n" + _dump(handoff))
    for name, table in tables.items():
        if any(isinstance(v, dict) for v in table.values()):  # `[targets.<name>]` tables
            parts.append("\n" + _dump({name: table}))
        else:
            parts.append(f"\n[{name}]\n" + "".join(_dump({k: v}) for k, v in table.items()))
    return "".join(parts)


def _dump(mapping: dict[str, Any]) -> str:
    import tomli_w

    # TOML reads CRLF inside a multi-line string as LF: such text stays escaped.
    return tomli_w.dumps(mapping, multiline_strings=not _has_cr(mapping))


def _has_cr(value: Any) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_cr(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_cr(v) for v in value)
    return False


def without_banner(data: bytes, comment: CommentStyle = HTML_COMMENT,
                   template: str | None = None) -> bytes:
    """A generated file without its banner line (in the words of the config's ``banner``
    template, if any) and the blank line after it."""
    return strip_banner(data, comment or HTML_COMMENT, blank=True, template=template)


def first_difference(actual: bytes, expected: bytes) -> int | None:
    """The 1-based line where two files first differ, or None when they are equal."""
    if actual == expected:
        return None
    a, b = actual.splitlines(keepends=True), expected.splitlines(keepends=True)
    for number, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            return number
    return min(len(a), len(b)) + 1
