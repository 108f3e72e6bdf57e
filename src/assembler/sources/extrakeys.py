"""Declared extra keys (``[extra_keys]``): manifest keys read by other programs.

A catalog may carry tables no assembler reads (``[taxonomy]``, ``[lineage]``)
or keys only its layout shows (``provider``, a handoff's
``expects_artifact``). Declared keys are taken out before the schema sees a
manifest, so every other unknown key is still an error, and they reach the
layouts as ``extra.<key>`` (``None`` when a manifest leaves one out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import ExtraKeys


def without_extra(data: dict[str, Any], declared: "ExtraKeys") -> dict[str, Any]:
    """``data`` without the declared keys, at the top level and in each ``[[handoff]]``."""
    if not declared.manifest and not declared.handoff:
        return data
    kept = {key: value for key, value in data.items() if key not in declared.manifest}
    handoffs = kept.get("handoff")
    if declared.handoff and isinstance(handoffs, list):
        kept["handoff"] = [
            {key: value for key, value in item.items() if key not in declared.handoff}
            if isinstance(item, dict) else item for item in handoffs]
    return kept


def extra_values(data: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """Every key of ``keys`` with its value in ``data``, ``None`` when it is not set."""
    return {key: data.get(key) for key in keys}


def handoff_extras(data: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    """The declared extra values of each ``[[handoff]]``, in order."""
    handoffs = data.get("handoff")
    if not isinstance(handoffs, list):
        return []
    return [extra_values(item if isinstance(item, dict) else {}, keys) for item in handoffs]
