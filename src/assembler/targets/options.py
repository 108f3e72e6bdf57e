"""The `[targets.<name>]` tables and `[models]`: which targets, where, with which fields.

The config names the targets either as a list (``targets = ["claude-code",
"codex"]``) or, when a target needs settings, as one table per target
(``[targets.codex]``: its ``folder`` and defaults for that tool's fields); TOML
cannot hold both under one key. A manifest's own ``[targets.<name>]`` table
overrides those defaults for one agent, and ``enabled = false`` switches the
target off for it. Each table is validated against the target's own schema, so
a misspelt field of one tool fails at its line with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from ..diagnostics import Diagnostics, did_you_mean
from ..sources.schema import report_validation_errors, validate

from .base import Target, configured, folder_of

if TYPE_CHECKING:
    from ..compose.composition import Source
    from ..sources.catalog import Agent, Catalog
    from ..sources.config import Settings

INHERIT = "inherit"


class TargetOptions(BaseModel):
    """Keys every `[targets.<name>]` table takes; targets add their tool's own fields."""

    # Built when a table is first validated: most runs validate none, and building
    # the ten targets' schemas costs more than the rest of a small check.
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False, defer_build=True)

    enabled: bool = True
    folder: str | None = None
    model: str | None = None
    # Fidelity of an imported file (a manifest's own table only): header entries written
    # as they are, by key, and the header text before the first one.
    pinned: dict[str, str] | None = None
    pinned_lead: str | None = None


def fields(target: Target, settings: "Settings", agent: "Agent") -> dict[str, Any]:
    """The tool fields for one agent: the config's defaults, then the manifest's table."""
    merged = {key: value for key, value in configured(settings.config).get(target.name, {}).items()
              if key not in ("enabled", "folder")}
    merged.update({key: value for key, value in agent.manifest.targets.get(target.name, {}).items()
                   if key not in ("enabled", "pinned", "pinned_lead")})
    return merged


def where(target: Target, settings: "Settings", agent: "Agent", key: str) -> tuple[str, tuple]:
    """Which file sets ``key`` for this agent ("manifest" or "config"), and its TOML path."""
    if key in agent.manifest.targets.get(target.name, {}):
        return "manifest", ("targets", target.name, key)
    return "config", ("targets", target.name, key)


def option_source(target: Target, settings: "Settings", agent: "Agent", key: str,
                  transform: str = "derived") -> "Source | None":
    """Where `[targets.<name>] key` is set for this agent: the manifest's line, or the config's."""
    from ..compose.composition import Source

    kind, loc = where(target, settings, agent, key)
    document = agent.document if kind == "manifest" else settings.document
    return None if document is None else Source(kind, document, loc, agent.id, transform, whole=True)


def resolve_model(target: Target, catalog: "Catalog", agent: "Agent",
                  diagnostics: Diagnostics | None = None) -> str | None:
    """The model ``target`` gets for ``agent`` (``inherit`` or None: the tool's default).

    A `[targets.<name>] model` in the manifest wins; then the manifest's ``model``,
    which is an alias from `[models]` or, for Claude Code only, a Claude model
    name; then the config's `[targets.<name>] model`.
    """
    settings = catalog.settings
    own = agent.manifest.targets.get(target.name, {}).get("model")
    if isinstance(own, str):
        return own
    default = configured(settings.config).get(target.name, {}).get("model")
    model = agent.manifest.model
    if model is None or model == INHERIT:
        return default if model is None else INHERIT
    aliases = settings.config.models
    if model in aliases:
        value = aliases[model].get(target.name)
        if value is None:
            _model_error(diagnostics, agent, f"model alias `{model}` has no value for target "
                         f"{target.name}", f"add `{target.name} = \"…\"` under [models.{model}] "
                         "in the config (\"inherit\" leaves the choice to the tool)")
        return value
    if target.name == "claude-code":
        return model
    if default is not None:
        return default
    _model_error(diagnostics, agent,
                 f"model `{model}` is a Claude Code model name, which target {target.name} "
                 "does not know",
                 f"define [models.<alias>] in the config with a value for each target and write "
                 f"`model = \"<alias>\"`, or set `model` in [targets.{target.name}]")
    return None


def _model_error(diagnostics: Diagnostics | None, agent: "Agent", message: str, hint: str) -> None:
    if diagnostics is not None:
        diagnostics.error(agent.source, *agent.document.locate(("model",), value=True), message, hint)


# -- validation ------------------------------------------------------------------------------
def check_config(settings: "Settings", registry: Mapping[str, Target], diagnostics: Diagnostics) -> None:
    """Target names, their tables and the model aliases of the config."""
    config, document = settings.config, settings.document
    if document is None:
        return
    if config.target is not None and config.targets is not None:
        diagnostics.error(document.path, *document.locate(("target",)),
                          "`target` and `targets` are both set",
                          "keep `targets` (a list of names, or one table per target)")
    if config.target is not None:
        _known(config.target, ("target",), document, registry, diagnostics)
    names = configured(config)
    if isinstance(config.targets, list):
        for index, name in enumerate(config.targets):
            _known(name, ("targets", index), document, registry, diagnostics)
    elif isinstance(config.targets, dict):
        for name, table in config.targets.items():
            if not _known(name, ("targets", name), document, registry, diagnostics):
                continue
            if not isinstance(table, dict):
                diagnostics.error(document.path, *document.locate(("targets", name)),
                                  f"`targets.{name}` must be a table",
                                  f"write [targets.{name}] with the target's settings")
                continue
            for key in ("pinned", "pinned_lead"):
                if key in table:
                    diagnostics.error(document.path, *document.locate(("targets", name, key)),
                                      f"`{key}` is a setting of one agent",
                                      f"set it in [targets.{name}] of that agent's manifest")
            _validate(registry[name], table, document, ("targets", name), diagnostics)
    seen: dict[tuple[str, str], str] = {}
    for name in names:
        if name not in registry:
            continue
        target = registry[name]
        place = (folder_of(target, settings), target.suffix)
        if place in seen:
            diagnostics.error(document.path, *document.locate(("targets", name)),
                              f"targets {seen[place]} and {name} would write the same files "
                              f"({place[0]}/*{place[1]})", f"set another `folder` in [targets.{name}]")
        seen[place] = name
    for alias, table in config.models.items():
        for name in table:
            _known(name, ("models", alias, name), document, registry, diagnostics)


def check_manifest(agent: "Agent", registry: Mapping[str, Target], diagnostics: Diagnostics) -> None:
    """The manifest's own `[targets.<name>]` tables."""
    document = agent.document
    for name, table in agent.manifest.targets.items():
        if not _known(name, ("targets", name), document, registry, diagnostics):
            continue
        if "folder" in table:
            diagnostics.error(agent.source, *document.locate(("targets", name, "folder")),
                              "`folder` is a setting of the whole catalog",
                              f"set it in [targets.{name}] of the config")
            continue
        _validate(registry[name], table, document, ("targets", name), diagnostics)
        pins = table.get("pinned")
        if isinstance(pins, dict) and isinstance(pins.get("description"), str):
            _check_pinned_description(registry[name], agent, pins["description"], diagnostics)


def _check_pinned_description(target: "Target", agent: "Agent", raw: str,
                              diagnostics: Diagnostics) -> None:
    """A pinned description must say what the manifest's says (other targets write that)."""
    try:
        said = target.pinned_value("description", raw)
    except ValueError as exc:
        said, problem = None, f"does not parse ({exc})"
    else:
        problem = f"says {said!r}, but `description` is {agent.manifest.description!r}"
    if said != agent.manifest.description:
        diagnostics.error(agent.source, *agent.document.locate(
            ("targets", target.name, "pinned", "description"), value=True),
            f"`targets.{target.name}.pinned.description` {problem}",
            "write the same text in both, or remove the pinned entry")


def _known(name: str, loc: tuple, document, registry: Mapping[str, Target],
           diagnostics: Diagnostics) -> bool:
    if name in registry:
        return True
    diagnostics.error(document.path, *document.locate(loc, value=isinstance(loc[-1], int)),
                      f"unknown target `{name}`", did_you_mean(name, registry, "targets"))
    return False


def _validate(target: Target, table: dict[str, Any], document, prefix: tuple,
              diagnostics: Diagnostics) -> None:
    model = target.options or TargetOptions
    _, errors = validate(model, table)
    if errors:
        report_validation_errors(errors, document, diagnostics, model=model, prefix=prefix)
