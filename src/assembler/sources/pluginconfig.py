"""The ``[plugin]`` table of the catalog config: the catalog as a Claude Code plugin.

``assembler build --plugin DIR`` writes ``DIR/.claude-plugin/plugin.json`` from
this table (see :mod:`assembler.outputs.plugin`), and ``[plugin.marketplace]``
adds a ``marketplace.json`` that lists the plugin. Only the shape is checked
here, when the config loads.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Person(_Table):
    """``author`` or a marketplace ``owner``: as plugin.json writes a person."""

    name: str
    email: str | None = None
    url: str | None = None


class Marketplace(_Table):
    """``[plugin.marketplace]``: a marketplace of this one plugin, at the plugin's root."""

    name: str
    owner: Person
    description: str | None = None


class PluginConfig(_Table):
    """``[plugin]``: the fields of plugin.json (``name`` defaults to the root folder's name)."""

    name: str | None = None
    version: str | None = None
    description: str | None = None
    author: Person | None = None
    license: str | None = None
    homepage: str | None = None
    repository: str | None = None
    keywords: list[str] = Field(default_factory=list)
    marketplace: Marketplace | None = None
