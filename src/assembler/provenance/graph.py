"""`assembler graph`: the catalog as a picture, in Mermaid or Graphviz DOT.

Agents and their handoffs; with ``roles``, also each agent's role, the roles
they extend and the blocks agents and roles pull in. A handoff that lies on a
cycle of handoffs none of which gives a ``cycle_reason`` is marked (the same
cycles lint rule AA802 reports). The output depends only on the catalog, in a
fixed order, so a committed copy can be drift-checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sources.catalog import Catalog

CYCLE_LABEL = "cycle without cycle_reason"
FORMATS = ("mermaid", "dot")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # handoff, role, extends, block
    unexplained_cycle: bool = False


@dataclass
class Graph:
    """Nodes by kind (agent, role, block) and the edges between them, in a fixed order."""

    nodes: dict[str, str] = field(default_factory=dict)  # key → kind
    edges: list[Edge] = field(default_factory=list)

    @property
    def cycles(self) -> list[Edge]:
        return [edge for edge in self.edges if edge.unexplained_cycle]


def _key(kind: str, name: str) -> str:
    return name if kind == "agent" else f"{kind}:{name}"


def catalog_graph(catalog: Catalog, roles: bool = False) -> Graph:
    """The handoff graph of ``catalog`` (and its roles and blocks, with ``roles``)."""
    graph = Graph()
    agents = sorted(catalog.agents, key=lambda agent: agent.id)
    for agent in agents:
        graph.nodes[agent.id] = "agent"
    handoffs: list[tuple[str, str, bool]] = []
    for agent in agents:
        for handoff in agent.manifest.handoff:
            target = catalog.agent(handoff.target)
            if target is not None:
                handoffs.append((agent.id, target.id, bool(handoff.cycle_reason)))
    looping = _on_unexplained_cycles(handoffs)
    graph.edges += [Edge(source, target, "handoff", (source, target) in looping and not explained)
                    for source, target, explained in handoffs]
    if roles:
        _add_roles(catalog, agents, graph)
    return graph


def _add_roles(catalog: Catalog, agents: list, graph: Graph) -> None:
    used: list[str] = []
    for agent in agents:
        if agent.role is not None:
            graph.edges.append(Edge(agent.id, _key("role", agent.role.name), "role"))
            used.append(agent.role.name)
        for name in agent.all_blocks[len(agent.role.blocks) if agent.role else 0:]:
            graph.edges.append(Edge(agent.id, _key("block", name), "block"))
    seen: set[str] = set()
    while used:  # each role once, with the roles it extends
        name = used.pop(0)
        if name in seen or name not in catalog.roles:
            continue
        seen.add(name)
        role = catalog.roles[name]
        if role.role.extends:
            graph.edges.append(Edge(_key("role", name), _key("role", role.role.extends), "extends"))
            used.append(role.role.extends)
        for block in role.role.blocks:
            graph.edges.append(Edge(_key("role", name), _key("block", block), "block"))
    for edge in graph.edges:
        for key in (edge.source, edge.target):
            if key not in graph.nodes:
                graph.nodes[key] = key.split(":", 1)[0]


def _on_unexplained_cycles(handoffs: list[tuple[str, str, bool]]) -> set[tuple[str, str]]:
    """Handoffs without a reason whose target leads back to their source through such handoffs."""
    forward: dict[str, list[str]] = {}
    for source, target, explained in handoffs:
        if not explained:
            forward.setdefault(source, []).append(target)
    component = _components(forward)
    return {(source, target) for source, target, explained in handoffs
            if not explained and (source == target or (
                source in component and component.get(target) == component[source]))}


def _components(forward: dict[str, list[str]]) -> dict[str, int]:
    """Strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: dict[str, int] = {}
    counter = 0
    for start in sorted(forward):
        if start in index:
            continue
        work = [(start, iter(forward.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(forward.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    for member in members:
                        out[member] = index[node]
    return out


# -- drawing ---------------------------------------------------------------------------------
def _ids(graph: Graph) -> dict[str, str]:
    """Identifiers Mermaid accepts: a kind prefix, letters, digits and underscores."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key, kind in graph.nodes.items():
        name = key.split(":", 1)[1] if kind != "agent" else key
        base = kind[0] + "_" + re.sub(r"[^A-Za-z0-9]", lambda m: "__" if m.group() == "/" else "_",
                                      name)
        ident, n = base, 2
        while ident in taken:
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        ids[key] = ident
    return ids


def _label(key: str, kind: str) -> str:
    return key if kind == "agent" else key.split(":", 1)[1]


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


_SHAPES = {"agent": ('["', '"]'), "role": ('(["', '"])'), "block": ('[/"', '"/]')}
_ARROWS = {"handoff": "-->", "role": "-.->", "extends": "-.->", "block": "-.->"}


def mermaid(graph: Graph) -> str:
    """A Mermaid flowchart (GitHub renders it in a ```mermaid block)."""
    ids = _ids(graph)
    lines = ["flowchart LR"]
    for key, kind in graph.nodes.items():
        opening, closing = _SHAPES[kind]
        lines.append(f"  {ids[key]}{opening}{_mermaid_text(_label(key, kind))}{closing}")
    marked = []
    for number, edge in enumerate(graph.edges):
        arrow = _ARROWS[edge.kind]
        label = CYCLE_LABEL if edge.unexplained_cycle else ("extends" if edge.kind == "extends" else "")
        middle = f"{arrow}|{label}|" if label else arrow
        lines.append(f"  {ids[edge.source]} {middle} {ids[edge.target]}")
        if edge.unexplained_cycle:
            marked.append(str(number))
    if marked:
        lines.append(f"  linkStyle {','.join(marked)} stroke:#d33,stroke-width:2px")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPES = {"agent": "box", "role": "ellipse", "block": "note"}


def dot(graph: Graph) -> str:
    """A Graphviz digraph (`dot -Tsvg`)."""
    lines = ["digraph catalog {", "  rankdir=LR;"]
    for key, kind in graph.nodes.items():
        lines.append(f"  {_dot_text(key)} [label={_dot_text(_label(key, kind))}, "
                     f"shape={_DOT_SHAPES[kind]}];")
    for edge in graph.edges:
        attributes = []
        if edge.kind != "handoff":
            attributes.append("style=dashed")
        if edge.kind == "extends":
            attributes.append('label="extends"')
        if edge.unexplained_cycle:
            attributes += ["color=red", f"label={_dot_text(CYCLE_LABEL)}"]
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {_dot_text(edge.source)} -> {_dot_text(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(graph: Graph, fmt: str) -> str:
    return mermaid(graph) if fmt == "mermaid" else dot(graph)


BEGIN = "<!-- BEGIN assembler graph -->"
END = "<!-- END assembler graph -->"


def markdown_region(graph: Graph, fmt: str, regenerate: str) -> str:
    """The drawing in a fenced block between the two markers, with a note on how to update it."""
    fence = "mermaid" if fmt == "mermaid" else "dot"
    cycles = (f"\nHandoffs in red lie on a cycle that no `cycle_reason` explains "
              f"({len(graph.cycles)}).\n" if graph.cycles else "")
    return (f"{BEGIN}\n<!-- generated by `assembler graph`: do not edit; run `{regenerate}` -->\n"
            f"```{fence}\n{draw(graph, fmt)}```\n{cycles}{END}")


def place_in_markdown(existing: str | None, region: str, title: str) -> str | None:
    """``existing`` with the text between the markers replaced by ``region``; a new page
    when there is no file; None when the file has no markers (it is not ours to rewrite)."""
    if existing is None:
        return f"# {title}\n\n{region}\n"
    begin = re.search(rf"^{re.escape(BEGIN)}[ \t]*$", existing, re.M)  # markers on lines of their own
    end = re.compile(rf"^{re.escape(END)}[ \t]*$", re.M).search(existing, begin.end()) if begin else None
    if end is None:
        return None
    return existing[:begin.start()] + region + existing[end.end():]
