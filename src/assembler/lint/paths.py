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
    """Shortest paths in one graph; the reverse edges are indexed once.

    Searches towards the same goal one after another (an agent's handoffs, in
    turn) share the part grown from the goal.
    """

    def __init__(self, graph: Graph):
        self.forward = {node: [target for target, _ in edges] for node, edges in graph.items()}
        self.reverse: dict[str, list[str]] = {}
        for node, targets in self.forward.items():
            for target in targets:
                self.reverse.setdefault(target, []).append(node)
        self._goal: str | None = None
        self._behind: dict[str, int] = {}  # distance to the goal, of each node that reaches it so far
        self._frontier: list[str] = []  # the nodes farthest from the goal so far
        self._all_behind = False  # every node that reaches the goal is known

    def find(self, start: str, goal: str) -> list[str] | None:
        """Nodes from ``start`` to ``goal`` inclusive, or None when there is no path."""
        if start == goal:
            return [start]
        if goal != self._goal:
            self._goal, self._behind, self._frontier, self._all_behind = goal, {goal: 0}, [goal], False
        behind = self._behind
        depth = {start: 0}  # distance from the start
        layers = [[start]]
        while True:
            # The first time the ends touch, every shortest path runs through a node of the
            # newest layer from the start that is also in the newest layer from the goal.
            met = {node for node in layers[-1] if node in behind}
            if met:
                return self._rebuild(layers, met, depth)
            if self._all_behind:
                return None
            if len(layers[-1]) <= len(self._frontier):  # grow the smaller end by one layer
                grown = []
                forward, distance = self.forward, len(layers)
                for node in layers[-1]:
                    for target in forward.get(node, ()):
                        if target not in depth:
                            depth[target] = distance
                            grown.append(target)
                if not grown:
                    return None
                layers.append(grown)
            else:
                distance = behind[self._frontier[0]] + 1
                grown = []
                reverse = self.reverse
                for node in self._frontier:
                    for source in reverse.get(node, ()):
                        if source not in behind:
                            behind[source] = distance
                            grown.append(source)
                if grown:
                    self._frontier = grown
                else:
                    self._all_behind = True

    def _rebuild(self, layers: list[list[str]], met: set[str], depth: dict[str, int]) -> list[str]:
        on_path = [met]  # per layer from the start, the nodes that lead on to a meeting node
        for layer in range(len(layers) - 2, -1, -1):
            on_path.append({source for node in on_path[-1] for source in self.reverse.get(node, ())
                            if depth.get(source) == layer})
        on_path.reverse()
        path = [layers[0][0]]
        for ahead in on_path[1:]:
            path.append(next(target for target in self.forward.get(path[-1], ()) if target in ahead))
        behind = self._behind
        for distance in range(behind[path[-1]] - 1, -1, -1):
            path.append(next(target for target in self.forward.get(path[-1], ())
                             if behind.get(target) == distance))
        return path
