"""Config keys that let a catalog written for another assembler load unchanged.

``[extra_keys]``, ``role_format``, ``capabilities``, ``block_syntax``,
``external_agents``, ``banner`` and ``path_atoms`` are validated here, each at
its own config line, so :mod:`.config` only declares them.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import Diagnostics
from . import bannertemplate
from .folders import has_control
from .schema import Handoff, Manifest
from .toml import TomlDocument

ATOM = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def check_compat(config: Any, document: TomlDocument, diagnostics: Diagnostics) -> bool:
    """False (with located errors) when a compatibility key of ``config`` (a
    :class:`~.config.Config`) cannot be used as written."""
    before = len(diagnostics)

    def error(loc: tuple, message: str, hint: str) -> None:
        diagnostics.error(document.path, *document.locate(loc, value=True), message, hint)

    for table, model in (("manifest", Manifest), ("handoff", Handoff)):
        seen: set[str] = set()
        for index, key in enumerate(getattr(config.extra_keys, table)):
            loc = ("extra_keys", table, index)
            if key in model.model_fields:
                error(loc, f"`{key}` is already a {table} field, not an extra key",
                      f"remove `{key}` from `extra_keys.{table}`")
            elif not _KEY.match(key):
                error(loc, f"extra key {key!r} is not a TOML bare key",
                      "use letters, digits, `_` and `-`, starting with a letter or `_`")
            elif key in seen:
                error(loc, f"extra key `{key}` is declared twice", "declare it once")
            seen.add(key)
    if config.role_format == "capabilities" and config.capabilities is None:
        error(("role_format",), "`role_format = \"capabilities\"` needs a capabilities folder",
              "add `capabilities = \"_capabilities\"` (the folder of <cat>/<slug>/text.md)")
    if config.banner is not None:
        if has_control(config.banner):
            error(("banner",), "`banner` holds a line break or a control character",
                  "the banner is one line: write it on one line")
        else:
            found = bannertemplate.problem(config.banner)
            if found is not None:
                error(("banner",), *found)
    for index, atom in enumerate(config.path_atoms):
        if not ATOM.match(atom):
            error(("path_atoms", index), f"path atom {atom!r} is not a plain name",
                  "use letters, digits, `_`, `-` and `.` (the NAME of `path:NAME/…`)")
    for index, name in enumerate(config.external_agents):
        if not name.strip() or has_control(name):
            error(("external_agents", index), "an external agent name is empty or holds a "
                  "control character", "write the agent's name as handoffs name it")
    return len(diagnostics) == before
