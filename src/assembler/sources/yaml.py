"""YAML frontmatter: writing scalars that always parse back, reading block headers.

Writing needs no YAML library: a value is written plain when no YAML reader
could take it for anything but the same string, and double-quoted otherwise.
Reading goes through :func:`load_yaml`, the one YAML loader of the package; it
imports PyYAML only when there is YAML to read. A header of plain ``key: value``
lines, as block headers are, is read without it (:func:`parse_yaml_mapping`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_PLAIN_FIRST = re.compile(r"[A-Za-z0-9_(/$]")
_YAML_SPECIAL_WORDS = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
}
_NUMBER_LIKE = re.compile(r"^[-+]?[0-9][0-9_.:eExXoObBa-fA-F+-]*$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
# What the texts had on which libyaml and PyYAML's own parser disagreed, when
# both read many generated texts: a tag or a byte-order mark (different values),
# tabs, CR and Unicode line breaks, a `#` right after a character, or a `?` in a
# flow collection (libyaml accepted texts that PyYAML rejects).
_PARSERS_DIFFER = re.compile("[!\ufeff\t\r\x85\u2028\u2029]|[^\\s]#")


def load_yaml(text: str, core: bool = False) -> Any:
    """YAML text as plain data, read safely (no tag builds an object).

    libyaml's parser (``CSafeLoader``, several times faster) reads it when
    PyYAML was built with it. PyYAML's own parser (``SafeLoader``) reads the
    texts where the two may disagree, and again any text the C parser rejects,
    so results, errors, their messages and their positions are the ones
    ``yaml.safe_load`` gives.

    ``core`` reads scalars by YAML 1.2's core schema, as the agent tools' own
    readers (Bun's and js-yaml) do: ``yes``, ``on`` and dates stay text, ``0o17``
    is octal and ``017`` decimal. Pinned frontmatter and files being imported
    are read that way; everything else keeps PyYAML's YAML 1.1.
    """
    import yaml

    fast, slow = _core_loaders() if core else (getattr(yaml, "CSafeLoader", None),
                                               yaml.SafeLoader)
    return _load_fast_or_slow(text, fast, slow)


def _load_fast_or_slow(text: str, fast: type | None, slow: type) -> Any:
    """``text`` read by the C loader ``fast`` where it reads as the pure-Python ``slow`` does
    (see :data:`_PARSERS_DIFFER`), else by ``slow``; any failure of ``fast`` is read again by
    ``slow``, whose errors and positions are the ones reported."""
    import yaml

    if fast is not None and not _PARSERS_DIFFER.search(text) \
            and not ("?" in text and ("[" in text or "{" in text)):
        try:
            return yaml.load(text, Loader=fast)  # noqa: S506 - a SafeLoader
        except (yaml.YAMLError, FrontmatterError):
            pass  # read again below, for PyYAML's own account of the problem
    return yaml.load(text, Loader=slow)  # noqa: S506 - a SafeLoader


_CORE_SCALARS = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("null", r"^(?:~|null|Null|NULL|)$", ("~", "n", "N", "")),
)


@lru_cache(maxsize=1)
def _core_loaders() -> tuple[type | None, type]:
    """The C and the pure-Python safe loaders, each with YAML 1.2's core schema."""
    import yaml

    def integer(loader: Any, node: Any) -> int:
        text = loader.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)

    def core(base: type) -> type:
        loader = type(f"Core{base.__name__}", (base,), {"yaml_implicit_resolvers": {}})
        for tag, pattern, first in _CORE_SCALARS:
            loader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(pattern),
                                         list(first))
        loader.add_constructor("tag:yaml.org,2002:int", integer)
        return loader

    fast = getattr(yaml, "CSafeLoader", None)
    return (core(fast) if fast is not None else None), core(yaml.SafeLoader)


def _printable(ch: str) -> bool:
    if ch in "\ufeff\u0085\u2028\u2029":
        return False
    return unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp")


def _is_plain_safe(value: str) -> bool:
    if not value or value != value.strip() or not _PLAIN_FIRST.match(value):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    if value.lower() in _YAML_SPECIAL_WORDS or _NUMBER_LIKE.match(value):
        return False
    if value.isascii():  # the common case, in one pass at C speed: same answer
        return value.isprintable()
    return all(_printable(ch) and ch not in "\t\n\r" for ch in value)


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar that parses back to exactly ``value``."""
    if _is_plain_safe(value):
        return value
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def yaml_lines(fields: list[tuple[str, str]]) -> str:
    """``key: value`` lines, one per field, each ending in a newline."""
    return "".join(f"{key}: {yaml_scalar(value)}\n" for key, value in fields)


@dataclass(frozen=True)
class Split:
    """A Markdown text cut into its frontmatter and its body."""

    header: str | None  # the YAML between the fences, or None
    body: str
    body_line: int  # 1-based line of the file where the body starts


def split_frontmatter(text: str) -> Split:
    """Separate a leading ``---`` fenced header from the Markdown body."""
    if not text.startswith("---\n"):
        return Split(None, text, 1)
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            return Split(None, text, 1)
    header = text[4 : end + 1]
    body = text[end + 5 :]
    return Split(header, body, header.count("\n") + 3)


class FrontmatterError(ValueError):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line, self.column = line, column


@lru_cache(maxsize=1)
def _unique_key_loaders() -> tuple[type | None, type]:
    """The C (when PyYAML has it) and the pure-Python safe loaders, each refusing a key given
    twice in one mapping (PyYAML keeps the last one silently)."""
    import yaml

    def unique(base: type) -> type:
        def construct_mapping(self: Any, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=deep)
                    try:
                        duplicate = key in seen
                        seen.add(key)
                    except TypeError:  # an unhashable key: the constructor says so
                        continue
                    if duplicate:
                        mark = key_node.start_mark
                        raise FrontmatterError(f"duplicate key `{key}` in the frontmatter",
                                               mark.line + 1, mark.column + 1)
            return base.construct_mapping(self, node, deep=deep)

        return type(f"UniqueKey{base.__name__}", (base,), {"construct_mapping": construct_mapping})

    fast = getattr(yaml, "CSafeLoader", None)
    return (unique(fast) if fast is not None else None), unique(yaml.SafeLoader)


def parse_yaml_mapping(header: str) -> dict[str, Any]:
    """Parse a frontmatter header; positions in errors are relative to the header.
    A key given twice is an error."""
    plain = _plain_mapping(header)
    if plain is not None:
        return plain
    import yaml

    try:
        data = _load_fast_or_slow(header, *_unique_key_loaders())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FrontmatterError(f"invalid YAML frontmatter: {exc.problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise FrontmatterError(f"invalid YAML frontmatter: {exc}", 1, 1) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontmatterError("frontmatter must be a mapping of `key: value` lines", 1, 1)
    return data


# A header line read without PyYAML: a key, a colon, one space and the rest of the line.
_PLAIN_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*): (.*)")


def _plain_mapping(header: str) -> dict[str, str] | None:
    """What any YAML reader makes of ``header`` when it holds only ``key: value`` lines (and
    blank ones) whose keys and values :func:`yaml_scalar` would write plain, none given
    twice: those same strings. Else None, and PyYAML reads it. Block headers are such
    lines, and importing PyYAML costs more than rendering an agent."""
    data: dict[str, str] = {}
    for line in header.split("\n"):
        if not line:
            continue
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.groups()
        if key in data or not _is_plain_safe(key) or not _is_plain_safe(value):
            return None
        data[key] = value
    return data


def yaml_entry(key: str, value: Any, indent: int = 0) -> str:
    """``key: value`` in block style (lists and maps one entry a line), ending in a newline.

    Block style only: strict readers (strictyaml) refuse flow lists like ``[a, b]``.
    """
    pad = " " * indent
    name = yaml_scalar(key)
    if isinstance(value, list):
        if not value:
            return f"{pad}{name}: []\n"
        return f"{pad}{name}:\n" + "".join(_yaml_item(item, indent + 2) for item in value)
    if isinstance(value, dict):
        if not value:
            return f"{pad}{name}: {{}}\n"
        return f"{pad}{name}:\n" + "".join(yaml_entry(k, v, indent + 2) for k, v in value.items())
    return f"{pad}{name}: {_yaml_plain(value)}\n"


def _yaml_item(item: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(item, dict) and item:
        first, *rest = item.items()
        head = yaml_entry(first[0], first[1], indent + 2)
        return pad + "- " + head[indent + 2:] + "".join(yaml_entry(k, v, indent + 2) for k, v in rest)
    if isinstance(item, (list, dict)):
        raise ValueError("nested lists are not written")
    return f"{pad}- {_yaml_plain(item)}\n"


def _yaml_plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return yaml_scalar(str(value))

