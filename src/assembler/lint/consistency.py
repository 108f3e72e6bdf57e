"""Consistency: what manifests, roles and blocks say about each other agrees.

Tools granted beyond what the role allows, handoffs that go round in a circle
with nobody saying why, blocks nobody renders, and blocks rendered twice.
"""

from __future__ import annotations

from typing import Iterator

from ..sources.blocks import ResolvedRole
from ..sources.catalog import Catalog
from ..sources.fidelity import TEXT_PREFIX
from ..sources.toml import TomlDocument
from .context import LintContext
from .paths import ShortestPaths
from .rules import Finding, Rule

RULES = (
    Rule("AA801", "tool-not-allowed", "consistency", "error",
         "a manifest grants a tool that its role's `tools_allowed` does not include"),
    Rule("AA802", "handoff-cycle", "consistency", "warning",
         "handoffs lead back to where they started and none of them gives a `cycle_reason`"),
    Rule("AA803", "unused-block", "consistency", "warning",
         "a block that no agent renders"),
    Rule("AA804", "block-included-twice", "consistency", "error",
         "one agent includes the same block twice"),
)


def check(ctx: LintContext) -> Iterator[Finding]:
    catalog = ctx.catalog
    yield from _tools(catalog)
    yield from _cycles(catalog)
    yield from _unused(catalog)
    yield from _twice(catalog)


def allowed_tools(role: ResolvedRole, roles: dict[str, ResolvedRole]) -> tuple[list[str], str] | None:
    """The tools a role allows and the role that says so (its own, or the nearest ancestor's)."""
    current: ResolvedRole | None = role
    seen: set[str] = set()
    while current is not None and current.name not in seen:
        seen.add(current.name)
        if current.role.tools_allowed is not None:
            return current.role.tools_allowed, current.name
        current = roles.get(current.role.extends) if current.role.extends else None
    return None


def _tools(catalog: Catalog) -> Iterator[Finding]:
    for agent in catalog.agents:
        if agent.role is None:
            continue
        allowed = allowed_tools(agent.role, catalog.roles)
        if allowed is None:
            continue
        tools, owner = allowed
        for index, tool in enumerate(agent.manifest.tools):
            if tool in tools or tool.split("(", 1)[0] in tools:
                continue
            listed = ", ".join(f"`{t}`" for t in tools) or "no tools"
            via = "" if owner == agent.role.name else f" (inherited from `{owner}`)"
            yield Finding(
                "AA801", agent.source, *agent.document.locate(("tools", index)),
                f"tool `{tool}` is not allowed by role `{agent.role.name}`, which allows "
                f"{listed}{via}",
                "remove the tool, or give the agent a role whose `tools_allowed` includes it")


def _targets(catalog: Catalog) -> dict[str, str]:
    """Handoff target spellings (name or path) → agent id."""
    by_stem: dict[str, list[str]] = {}
    for agent in catalog.agents:
        by_stem.setdefault(agent.id.rsplit("/", 1)[-1], []).append(agent.id)
    spelled = {agent.id: agent.id for agent in catalog.agents}
    spelled.update({stem: ids[0] for stem, ids in by_stem.items() if len(ids) == 1})
    return spelled


def _cycles(catalog: Catalog) -> Iterator[Finding]:
    """Each distinct cycle of unexplained handoffs, reported once at its first edge."""
    spelled = _targets(catalog)
    agents = {agent.id: agent for agent in catalog.agents}
    graph: dict[str, list[tuple[str, int]]] = {agent_id: [] for agent_id in sorted(agents)}
    for agent_id in graph:
        for index, handoff in enumerate(agents[agent_id].manifest.handoff):
            target = spelled.get(handoff.target)
            if target is not None and not handoff.cycle_reason:
                graph[agent_id].append((target, index))
    seen: set[tuple[str, ...]] = set()
    paths = ShortestPaths(graph)
    for agent_id, edges in graph.items():
        for target, index in edges:
            path = paths.find(target, agent_id)
            if path is None:
                continue
            cycle = [agent_id, *path[:-1]] if target != agent_id else [agent_id]
            start = cycle.index(min(cycle))
            key = tuple(cycle[start:] + cycle[:start])
            if key in seen:
                continue
            seen.add(key)
            agent = agents[agent_id]
            loop = " → ".join(f"`{node}`" for node in [*cycle, agent_id])
            yield Finding(
                "AA802", agent.source, *agent.document.locate(("handoff", index, "target")),
                f"handoffs go round in a cycle with no stated reason: {loop}",
                "if work may legitimately come back, add `cycle_reason = \"…\"` to one of these "
                "[[handoff]] entries saying why and what ends the loop; otherwise remove a handoff")


def _unused(catalog: Catalog) -> Iterator[Finding]:
    used = {name for agent in catalog.agents for name in agent.all_blocks}
    used.update(name for skill in catalog.skills for name in skill.all_blocks)
    for name, block in sorted(catalog.blocks.items()):
        if name not in used:
            yield Finding(
                "AA803", block.path, 1, 1, f"block `{name}` is not used by any agent",
                "add it to the `blocks` of a manifest or role, or delete the file")


def _twice(catalog: Catalog) -> Iterator[Finding]:
    # Capability roles drop a repeated entry by their format's rule: no list disagrees.
    merged = catalog.settings.config.role_format == "capabilities"
    for role in sorted(catalog.roles.values(), key=lambda r: r.name) if not merged else ():
        inherited = {name: f"inherited from role `{owner}`"
                     for name, owner in _inherited(role, catalog.roles).items()}
        entries = [(name, ("blocks", index)) for index, name in enumerate(role.role.blocks)]
        yield from _repeats(entries, inherited, role.path, role.document, "this role",
                            "remove this entry")
    for agent in catalog.agents:
        in_role = {name: f"in role `{agent.role.name}`" for name in agent.role.blocks} \
            if agent.role else {}
        manifest = agent.manifest
        entries = [(name, (key, index)) for key in ("blocks", "footer")
                   for index, name in enumerate(getattr(manifest, key))
                   if not name.startswith(TEXT_PREFIX)]
        yield from _repeats(entries, in_role, agent.source, agent.document, "this manifest",
                            "remove this entry; as it stands the block is rendered twice")


def _repeats(entries: list[tuple[str, tuple]], earlier: dict[str, str], path: str,
             document: TomlDocument, place: str, hint: str) -> Iterator[Finding]:
    """AA804 for each block entry that an earlier entry or ``earlier`` already covers."""
    seen: set[str] = set()
    for name, loc in entries:
        if name in seen or name in earlier:
            where = earlier.get(name, f"listed earlier in {place}")
            yield Finding("AA804", path, *document.locate(loc),
                          f"block `{name}` is included twice: it is also {where}", hint)
        seen.add(name)


def _inherited(role: ResolvedRole, roles: dict[str, ResolvedRole]) -> dict[str, str]:
    """Blocks a role gets from its parent chain (after `relaxes`), and which role gives each."""
    parent = roles.get(role.role.extends) if role.role.extends else None
    if parent is None:
        return {}
    owners = _inherited(parent, roles)
    for name in parent.role.blocks:
        owners.setdefault(name, parent.name)
    dropped = set(role.role.relaxes)
    return {name: owner for name, owner in owners.items()
            if name in parent.blocks and name not in dropped}
