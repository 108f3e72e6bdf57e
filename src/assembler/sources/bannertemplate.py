"""A catalog's own banner words: ``banner = "… {source} … {hash} …"`` in the config.

Catalogs that come from another generator carry that generator's banner. The
template lets the tool write and recognise the same line, so those files are
read back as generated ones. Kept free of pydantic and jinja2: the banner
reader and the cached drift check use it.
"""

from __future__ import annotations

import string

FIELDS = ("name", "source", "regenerate", "hash")


def parts(template: str) -> list[tuple[str, str | None]]:
    """``(literal text, field or None)`` pairs, in order (``{{`` and ``}}`` are braces)."""
    return [(literal, field) for literal, field, _, _ in string.Formatter().parse(template)]


def problem(template: str) -> tuple[str, str] | None:
    """What is wrong with ``template`` and how to fix it, or None when it can be used."""
    fix = "write one line of text with {source} or {name}; braces are written `{{` and `}}`"
    if not template.strip():
        return "`banner` is empty", fix
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"`banner` is not a valid template: {exc}", fix
    fields = [field for _, field, _, _ in pieces if field is not None]
    for _, field, spec, conversion in pieces:
        if field is not None and (field not in FIELDS or spec or conversion):
            known = ", ".join(f"{{{name}}}" for name in FIELDS)
            return f"`banner` uses an unknown placeholder {{{field}}}", f"use only {known}"
    if "source" not in fields and "name" not in fields:
        return ("`banner` names neither {source} nor {name}: an orphaned file could not say "
                "which manifest it came from", fix)
    if fields.count("hash") > 1:
        return "`banner` uses {hash} more than once", "write {hash} once"
    return None


def has_hash(template: str | None) -> bool:
    """True when banners written with ``template`` carry a content hash (the tool's own do)."""
    return template is None or any(field == "hash" for _, field in parts(template))


def fill(template: str, name: str, source: str, regenerate: str, digest: str) -> str:
    return template.format(name=name, source=source, regenerate=regenerate, hash=digest)
