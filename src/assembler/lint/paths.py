"""Shortest handoff paths, exactly as a breadth-first search finds them, at a fraction of the cost.

The cycle rule needs one path per handoff: from its target back to the agent
that hands off. A breadth-first search from the target visits most of a
large catalog before it gets there, once per handoff, which makes the rule
quadratic. This search grows from both ends, a layer at a time, until they
meet; on a catalog whose handoffs fan out, each end stays small.

It returns the path a breadth-first search returns, which is the shortest
path whose handoffs come first in file order at the first place two shortest
paths differ: the layers from the start are walked back from where the ends
met to learn which nodes lie on a shortest path, and the path is then
rebuilt forwards, always taking the first such handoff.
"""

from __future__ import annotations

Graph = dict[str, list[tuple[str, int]]]  # node → (target, handoff index), in file order


class ShortestPaths:
    """Shortest paths in one graph; the reverse edges are indexed once."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.reverse: dict[str, list[str]] = {}
        for node, edges in graph.items():
            for target, _ in edges:
                self.reverse.setdefault(target, []).append(node)

    def find(self, start: str, goal: str) -> list[str] | None:
        """Nodes from ``start`` to ``goal`` inclusive, or None when there is no path."""
        if start == goal:
            return [start]
        layers = [[start]]  # from the start: every layer, to rebuild the path
        seen = {start}
        behind = {goal: 0}  # distance to the goal, of each node that reaches it so far
        frontier = [goal]
        while True:
            if len(layers[-1]) <= len(frontier):  # grow the smaller end by one layer
                grown = []
                for node in layers[-1]:
                    for target, _ in self.graph.get(node, ()):
                        if target not in seen:
                            seen.add(target)
                            grown.append(target)
                if not grown:
                    return None
                layers.append(grown)
            else:
                depth = behind[frontier[0]] + 1
                grown = []
                for node in frontier:
                    for source in self.reverse.get(node, ()):
                        if source not in behind:
                            behind[source] = depth
                            grown.append(source)
                if not grown:
                    return None
                frontier = grown
            # The first time the ends touch, every shortest path runs through a node of the
            # newest layer from the start that is also in the newest layer from the goal.
            met = {node for node in layers[-1] if node in behind}
            if met:
                return self._rebuild(layers, met, behind)

    def _rebuild(self, layers: list[list[str]], met: set[str], behind: dict[str, int]) -> list[str]:
        on_path = [met]  # per layer from the start, the nodes that lead on to a meeting node
        for layer in reversed(layers[:-1]):
            ahead = on_path[-1]
            on_path.append({node for node in layer
                            if any(target in ahead for target, _ in self.graph.get(node, ()))})
        on_path.reverse()
        path = [layers[0][0]]
        for ahead in on_path[1:]:
            path.append(next(target for target, _ in self.graph.get(path[-1], ()) if target in ahead))
        for distance in range(behind[path[-1]] - 1, -1, -1):
            path.append(next(target for target, _ in self.graph.get(path[-1], ())
                             if behind.get(target) == distance))
        return path
