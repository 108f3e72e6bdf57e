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
    turn) share the part grown from the goal. Nodes are numbered, and what a
    search has seen is kept in lists marked with the number of the search, so
    a search costs what it visits and no table is built or cleared for it.
    """

    def __init__(self, graph: Graph):
        number: dict[str, int] = {}
        for node, edges in graph.items():
            number.setdefault(node, len(number))
            for target, _ in edges:
                number.setdefault(target, len(number))
        self.number, self.names = number, list(number)
        self.forward: list[list[int]] = [[] for _ in self.names]
        self.reverse: list[list[int]] = [[] for _ in self.names]
        for node, edges in graph.items():
            self.forward[number[node]] = targets = [number[target] for target, _ in edges]
            for target in targets:
                self.reverse[target].append(number[node])
        size = len(self.names)
        self._search = 0  # number of the current search from a start
        self._seen, self._depth = [0] * size, [0] * size  # search number; distance from the start
        self._goal: int | None = None
        self._goals = 0  # number of the current goal
        self._reached, self._behind = [0] * size, [0] * size  # goal number; distance to the goal
        self._frontier: list[int] = []  # the nodes farthest from the goal so far
        self._all_behind = False  # every node that reaches the goal is known

    def find(self, start: str, goal: str) -> list[str] | None:
        """Nodes from ``start`` to ``goal`` inclusive, or None when there is no path."""
        if start == goal:
            return [start]
        if start not in self.number or goal not in self.number:
            return None
        first, last = self.number[start], self.number[goal]
        if last != self._goal:
            self._goal, self._goals = last, self._goals + 1
            self._reached[last], self._behind[last] = self._goals, 0
            self._frontier, self._all_behind = [last], False
        self._search += 1
        search, seen, depth = self._search, self._seen, self._depth
        goals, reached = self._goals, self._reached
        seen[first], depth[first] = search, 0
        layers = [[first]]
        # The first time the ends touch, every shortest path runs through a node of the
        # newest layer from the start that is also in the newest layer from the goal.
        met = [first] if reached[first] == goals else []
        while True:
            if met:
                return [self.names[node] for node in self._rebuild(layers, met)]
            if self._all_behind:
                return None
            if len(layers[-1]) <= len(self._frontier):  # grow the smaller end by one layer
                grown = []
                forward, distance = self.forward, len(layers)
                for node in layers[-1]:
                    for target in forward[node]:
                        if seen[target] != search:
                            seen[target], depth[target] = search, distance
                            grown.append(target)
                if not grown:
                    return None
                layers.append(grown)
                met = [node for node in grown if reached[node] == goals]
            else:
                behind = self._behind
                distance = behind[self._frontier[0]] + 1
                grown = []
                reverse = self.reverse
                for node in self._frontier:
                    for source in reverse[node]:
                        if reached[source] != goals:
                            reached[source], behind[source] = goals, distance
                            grown.append(source)
                if grown:
                    self._frontier = grown
                else:
                    self._all_behind = True
                newest = len(layers) - 1
                met = [node for node in grown if seen[node] == search and depth[node] == newest]

    def _rebuild(self, layers: list[list[int]], met: list[int]) -> list[int]:
        search, seen, depth = self._search, self._seen, self._depth
        on_path = [set(met)]  # per layer from the start, the nodes that lead on to a meeting node
        for layer in range(len(layers) - 2, -1, -1):
            on_path.append({source for node in on_path[-1] for source in self.reverse[node]
                            if seen[source] == search and depth[source] == layer})
        on_path.reverse()
        path = [layers[0][0]]
        for ahead in on_path[1:]:
            path.append(next(target for target in self.forward[path[-1]] if target in ahead))
        goals, reached, behind = self._goals, self._reached, self._behind
        for distance in range(behind[path[-1]] - 1, -1, -1):
            path.append(next(target for target in self.forward[path[-1]]
                             if reached[target] == goals and behind[target] == distance))
        return path
