"""The typed shape of manifests, roles and block frontmatter.

Models are strict (no silent coercion) and forbid unknown keys, so a typo is an
error with a did-you-mean rather than a field that is quietly ignored. Pydantic
errors are translated into located diagnostics here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..diagnostics import Diagnostics, did_you_mean
from .toml import TomlDocument

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME_LENGTH = 64
MAX_FINAL_NEWLINES = 1000

_SLUG_WORD = re.compile(r"[a-z0-9]+")
_CAPITALISED_WORD = re.compile(r"([a-z0-9])([A-Z])")


def slugify(text: str, fallback: str, *, split_capitals: bool = False,
            limit: int | None = None) -> str:
    """``text`` made a :data:`SLUG`: its lowercase letters and digits, one hyphen between runs.

    ``split_capitals`` starts a word at each capital after a lowercase letter or
    digit (``NoGitOps`` → ``no-git-ops``); ``limit`` cuts the slug to that many
    characters; ``fallback`` is the answer when no letter or digit is left.
    """
    if split_capitals:
        text = _CAPITALISED_WORD.sub(r"\1-\2", text)
    slug = "-".join(_SLUG_WORD.findall(text.lower()))
    if limit is not None:
        slug = slug[:limit].strip("-")
    return slug or fallback


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Handoff(_Strict):
    """``[[handoff]]``: another agent to pass work to, and when."""

    target: str
    trigger: str
    cycle_reason: str | None = None  # why work may come back around; read by `assembler lint`


class References(_Strict):
    """``[references]``: lines added after the catalog's fixed references."""

    extra: list[str] = Field(default_factory=list)


class Manifest(_Strict):
    """``_manifests/<name>.toml``: everything specific to one agent."""

    name: str
    description: str
    tools: list[str] = Field(default_factory=list)
    model: str | None = None
    role: str = ""
    substrate_role: str | None = None
    blocks: list[str] = Field(default_factory=list)
    domain_in: list[str] = Field(default_factory=list)
    forbidden_domain: list[str] = Field(default_factory=list)
    handoff: list[Handoff] = Field(default_factory=list)
    output_extra_fields: list[str] = Field(default_factory=list)
    references: References = Field(default_factory=References)
    vars: dict[str, Any] = Field(default_factory=dict)
    deprecated: bool | str = False  # true, or what replaces the agent
    removed_after: date | None = None
    # Fidelity settings (see fidelity.py): they let an adopted hand-written
    # file render back byte for byte; a catalog written from scratch needs none.
    footer: list[str] = Field(default_factory=list)
    frontmatter: dict[str, str] = Field(default_factory=dict)
    text: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    # The agent's own Markdown in a file beside the manifest, instead of TOML strings:
    # the whole `body`, or the `[text]` pieces, each under a `<!-- @key -->` line.
    body_file: str | None = None
    text_file: str | None = None
    newline: Literal["lf", "crlf"] = "lf"
    final_newlines: int = Field(default=1, ge=0, le=MAX_FINAL_NEWLINES)
    filename: str | None = None  # the output file's name, when it is not `name` (dots, capitals)
    # `[targets.<name>]`: fields of one output format, in that tool's own spelling,
    # and `enabled = false` to skip it; each target validates its own table.
    targets: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Role(_Strict):
    """``_roles/<name>.toml``: an ordered, inheritable set of blocks."""

    description: str | None = None
    preamble: str | None = None
    extends: str | None = None
    relaxes: list[str] = Field(default_factory=list)
    blocks: list[str] = Field(default_factory=list)
    tools_allowed: list[str] | None = None  # None: inherited, or no limit


class BlockMeta(_Strict):
    """The optional YAML frontmatter of a block; never copied into outputs."""

    description: str | None = None
    placement: Literal["body", "footer"] = "body"
    deprecated: bool | str = False  # true, or what replaces the block
    removed_after: date | None = None


Model = TypeVar("Model", bound=BaseModel)

_EXPECTED = {
    "string_type": "a string",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "bool_type": "true or false",
    "int_type": "an integer",
    "float_type": "a number",
    "date_type": "a date",
}
_BOUNDS = {
    "greater_than": "greater than", "greater_than_equal": "at least",
    "less_than": "less than", "less_than_equal": "at most",
}
_TOML_TYPES = {
    str: "a string", list: "an array", dict: "a table", bool: "a boolean",
    int: "an integer", float: "a number",
}


def validate(model: type[Model], data: Any) -> tuple[Model | None, list[dict[str, Any]]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, exc.errors(include_url=False)


def dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of ``loc`` (for did-you-mean)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if isinstance(current, type) else None
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if current is None:
            return None
    return current if isinstance(current, type) else None


def report_validation_errors(
    errors: list[dict[str, Any]],
    document: TomlDocument,
    diagnostics: Diagnostics,
    model: type[BaseModel] | None = None,
    prefix: tuple[Any, ...] = (),
    declared: dict[type[BaseModel], list[str]] | None = None,
) -> None:
    """Turn pydantic errors into ``file:line:col`` diagnostics with fix hints.

    ``prefix`` is where the validated table sits in the document (a model for
    ``[targets.codex]`` validates that table alone). ``declared`` adds keys a model
    accepts besides its fields (the config's ``[extra_keys]``) to the did-you-mean.
    """
    for error in errors:
        inner = tuple(error["loc"])
        loc = prefix + inner
        kind = error["type"]
        where = document.locate(loc, value=kind != "extra_forbidden")
        key = dotted(loc)
        if kind == "missing":
            parent = dotted(loc[:-1])
            place = f" in `{parent}`" if parent else ""
            at = document.locate(loc[:-1]) if loc[:-1] or document.prefix else (1, 1)
            diagnostics.error(
                document.path, *at, f"missing required key `{loc[-1]}`{place}",
                f"add `{loc[-1]} = …`{place}",
            )
        elif kind == "extra_forbidden":
            owner = _model_at(model, inner[:-1]) if model else None
            known = [f.alias or n for n, f in owner.model_fields.items()] if owner else []
            known += (declared or {}).get(owner, []) if owner else []
            hint = did_you_mean(str(loc[-1]), known, "keys") if known else None
            diagnostics.error(
                document.path, *where, f"unknown key `{key}`",
                hint or "remove it; unknown keys are not ignored",
            )
        elif kind in _EXPECTED:
            got = _TOML_TYPES.get(type(error.get("input")), type(error.get("input")).__name__)
            diagnostics.error(
                document.path, *where, f"`{key}` must be {_EXPECTED[kind]}, not {got}",
                _type_hint(kind),
            )
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            diagnostics.error(
                document.path, *where,
                f"`{key}` has an unsupported value {error.get('input')!r}",
                f"use one of: {expected}",
            )
        elif kind in _BOUNDS:
            bound = next(iter(error.get("ctx", {}).values()), "")
            diagnostics.error(
                document.path, *where, f"`{key}` is {error.get('input')!r}, but it must be "
                f"{_BOUNDS[kind]} {bound}", f"use a number {_BOUNDS[kind]} {bound}",
            )
        else:
            diagnostics.error(document.path, *where, f"`{key}`: {error['msg']}")


def _type_hint(kind: str) -> str:
    return {
        "string_type": 'quote the value: key = "text"',
        "list_type": 'write an array: key = ["a", "b"]',
        "dict_type": "write a table: [key] on its own line, then key = value lines",
        "model_type": "write a table: [key] on its own line, then key = value lines",
        "date_type": "write a date without quotes, e.g. 2026-06-30",
    }.get(kind, "fix the value's type")
