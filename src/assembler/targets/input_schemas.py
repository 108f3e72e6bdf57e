"""JSON Schemas of the input files, for editors (`assembler schema`).

Each schema comes from the pydantic model that validates the file, so an
editor and the loader never disagree about a key. The models leave the
`[targets.<name>]` tables open (each target validates its own table); here
every target's options model is put in its place, so a misspelt Codex field
is flagged in the editor as it is by the loader. TOML has no null: the
``null`` alternatives pydantic writes for optional fields are dropped.

Adding a kind of file is one entry in :data:`KINDS`.
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel

from ..sources.config import Config
from ..sources.schema import MAX_NAME_LENGTH, SLUG, Manifest, Role
from ..sources.skills import MAX_COMPATIBILITY, MAX_DESCRIPTION, SkillManifest
from .options import TargetOptions
from .registry import REGISTRY, SKILL_FORMATS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
Schema = dict[str, Any]


def _model(model: type[BaseModel]) -> Schema:
    return model.model_json_schema(ref_template="#/$defs/{model}")


def _without_null(node: Any) -> Any:
    """``anyOf: [X, {"type": "null"}]`` becomes ``X``, everywhere in the schema."""
    if isinstance(node, list):
        return [_without_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _without_null(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:
            node.pop("anyOf")
            node = {**kept[0], **node}
        elif len(kept) < len(options):
            node["anyOf"] = kept
    if node.get("default", 0) is None:
        node.pop("default")
    return node


def _target_tables(defs: Schema, folder: bool) -> Schema:
    """``targets`` as a table of target tables, each with its own fields (and ``folder``
    only in the config)."""
    properties: Schema = {}
    for name, target in REGISTRY.items():
        schema = _model(target.options or TargetOptions)
        for key, value in schema.pop("$defs", {}).items():
            if defs.setdefault(key, value) != value:
                raise ValueError(f"two target option models define `{key}` differently")
        if not folder:
            schema["properties"].pop("folder", None)
        schema["title"] = f"[targets.{name}]"
        properties[name] = schema
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "description": "One table per target: that tool's own fields, and `enabled`."}


def _finish(schema: Schema, title: str) -> Schema:
    schema = _without_null(schema)
    return {"$schema": DIALECT, "title": title, **{k: v for k, v in schema.items() if k != "title"}}


def manifest_schema() -> Schema:
    schema = _model(Manifest)
    defs = schema.setdefault("$defs", {})
    properties = schema["properties"]
    properties["name"].update(pattern=SLUG.pattern, maxLength=MAX_NAME_LENGTH)
    properties["targets"] = _target_tables(defs, folder=False)
    return _finish(schema, "agent-assembler manifest (_manifests/<name>.toml)")


def config_schema() -> Schema:
    schema = _model(Config)
    defs = schema.setdefault("$defs", {})
    properties = schema["properties"]
    names = {"type": "string", "enum": sorted(REGISTRY)}
    properties["target"] = {**names, "description": "The older spelling of `targets = [name]`."}
    properties["targets"] = {"anyOf": [
        {"type": "array", "items": names},
        _target_tables(defs, folder=True),
    ]}
    properties["models"] = {
        "type": "object",
        "description": "`[models.<alias>]`: the model each target uses for `model = \"<alias>\"`.",
        "additionalProperties": {
            "type": "object",
            "properties": {name: {"type": "string"} for name in sorted(REGISTRY)},
            "additionalProperties": False,
        },
    }
    return _finish(schema, "agent-assembler config (assembler.toml)")


def _trimmed(most: int) -> str:
    """A pattern for text of 1 to ``most`` characters once the whitespace around it is
    trimmed, as the loader measures a skill's description and compatibility."""
    return rf"^\s*(\S|\S[\s\S]{{0,{most - 2}}}\S)\s*$"


def _skill_target_tables(defs: Schema) -> Schema:
    """A skill's ``targets``: a table for each target that reads skills, with the fields of
    the skills folder it reads (Claude Code's own keys for ``claude-code``)."""
    properties: Schema = {}
    for name, target in REGISTRY.items():
        if target.skills is None:
            continue
        schema = _model(SKILL_FORMATS[target.skills].options)
        for key, value in schema.pop("$defs", {}).items():
            defs.setdefault(key, value)
        schema["title"] = f"[targets.{name}]"
        properties[name] = schema
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "description": "One table per target that reads skills: `enabled`, and that "
                           "tool's own SKILL.md keys."}


def skill_schema() -> Schema:
    schema = _model(SkillManifest)
    defs = schema.setdefault("$defs", {})
    properties = schema["properties"]
    properties["name"].update(pattern=SLUG.pattern, maxLength=MAX_NAME_LENGTH)
    properties["description"]["pattern"] = _trimmed(MAX_DESCRIPTION)
    properties["compatibility"]["pattern"] = _trimmed(MAX_COMPATIBILITY)
    properties["targets"] = _skill_target_tables(defs)
    if not defs:
        schema.pop("$defs")
    return _finish(schema, "agent-assembler skill (_skills/<name>/skill.toml)")


def role_schema() -> Schema:
    return _finish(_model(Role), "agent-assembler role (_roles/<name>.toml)")


KINDS: dict[str, Callable[[], Schema]] = {
    "manifest": manifest_schema,
    "config": config_schema,
    "role": role_schema,
    "skill": skill_schema,
}


def schema(kind: str) -> Schema:
    """The JSON Schema of one kind of input file (a key of :data:`KINDS`)."""
    return KINDS[kind]()
