"""The two ways a role file can be written, and how each merges with its parent.

``blocks`` (the default): ``blocks``, ``extends``, ``relaxes`` at the top of
the file; the parent's blocks minus ``relaxes``, then the role's own.
``relaxes`` must name parent blocks.

``capabilities`` (``role_format = "capabilities"``, as catalogs of another
assembler write them): only the ``[capabilities]`` table is read
(``required``, ``extends``, ``relaxes``), plus ``[tools] allowed`` as the
role's allowed tools; every other table is for other programs. Merge: the
parent's list, then the role's own entries, duplicates removed, minus
``relaxes``; a role left with nothing is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ..diagnostics import Diagnostics
from .schema import Role, report_validation_errors, validate

if TYPE_CHECKING:
    from .toml import TomlDocument

CAPABILITY = "::"  # `cat::slug` names the text `<capabilities>/<cat>/<slug>/text.md`


def capability_path(name: str, folder: str | None) -> str:
    category, _, slug = name.partition(CAPABILITY)
    return f"{folder or '<capabilities>'}/{category}/{slug}/text.md"


def capability_named(path: str, folder: str | None) -> str | None:
    """The ``cat::slug`` name of the capability file ``path`` (relative to the root), if it is one."""
    if folder is None or not path.startswith(folder + "/"):
        return None
    parts = path[len(folder) + 1:].split("/")
    return CAPABILITY.join(parts[:2]) if len(parts) == 3 and parts[2] == "text.md" else None


def capability_problem(name: str, folder: str | None) -> tuple[str, str]:
    """The error and hint for a ``cat::slug`` name that names no loaded capability."""
    if folder is None:
        return (f"`{name}` names a capability, but the config names no capabilities folder",
                "add `capabilities = \"_capabilities\"` to the config")
    return (f"unknown capability `{name}` (no {capability_path(name, folder)})",
            f"create {capability_path(name, folder)}, or fix the name (`<category>::<slug>`)")


class _Capabilities(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    required: list[str] = Field(default_factory=list)
    extends: str | None = None
    relaxes: list[str] = Field(default_factory=list)


class _Tools(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    allowed: list[str] | None = None


class _CapabilityRoleFile(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    capabilities: _Capabilities = Field(default_factory=_Capabilities)
    tools: _Tools = Field(default_factory=_Tools)


@dataclass(frozen=True)
class RoleFormat:
    """Where a role's keys live, and how a role merges with its parent."""

    name: str
    prefix: tuple[str, ...] = ()
    list_key: str = "blocks"
    strict_relaxes: bool = True  # `relaxes` must name parent blocks, and needs `extends`
    requires_entries: bool = False  # a role that resolves to nothing is an error

    def at(self, key: str, *rest: object) -> tuple:
        """The location of ``key`` (``blocks``, ``extends``, ``relaxes``) in a role file."""
        return self.prefix + (self.list_key if key == "blocks" else key, *rest)

    def read(self, document: "TomlDocument", diagnostics: Diagnostics) -> Role | None:
        if self.name == "blocks":
            role, errors = validate(Role, document.data)
            if errors:
                report_validation_errors(errors, document, diagnostics, model=Role)
            return role
        table, errors = validate(_CapabilityRoleFile, document.data)
        if errors or table is None:
            report_validation_errors(errors, document, diagnostics, model=_CapabilityRoleFile)
            return None
        found = table.capabilities
        return Role(blocks=found.required, extends=found.extends, relaxes=found.relaxes,
                    tools_allowed=table.tools.allowed)

    def merge(self, inherited: tuple[str, ...], role: Role) -> list[str]:
        if self.strict_relaxes:
            kept = [b for b in inherited if b not in role.relaxes]
            return kept + [b for b in role.blocks if b not in kept]
        merged = list(dict.fromkeys((*inherited, *role.blocks)))
        return [name for name in merged if name not in role.relaxes]

    def empty(self, role: str) -> tuple[str, str]:
        return (f"role `{role}` has no capabilities left once its parent's are merged and "
                "`relaxes` applied",
                "list at least one `cat::slug` in [capabilities] required, or relax fewer")


BLOCK_ROLES = RoleFormat("blocks")
CAPABILITY_ROLES = RoleFormat("capabilities", ("capabilities",), "required",
                              strict_relaxes=False, requires_entries=True)
FORMATS = {"blocks": BLOCK_ROLES, "capabilities": CAPABILITY_ROLES}
