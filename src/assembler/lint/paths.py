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
    search has seen is kept in a list marked with the number of the search and
    the distance together (``search * stride + distance``), so a search costs
    what it visits, no table is built or cleared for it, and one look tells
    both whether a node was seen and how far away it is.
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
        self._stride = size + 1  # more than any distance
        self._start = 0  # mark of distance 0 from the start, in the current search
        self._seen = [-1] * size  # a node's mark from the start: seen now when >= _start
        self._goal: int | None = None
        self._at_goal = 0  # mark of distance 0 to the goal, for the current goal
        self._reached = [-1] * size  # a node's mark towards the goal: known when >= _at_goal
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
            self._goal, self._at_goal = last, self._at_goal + self._stride
            self._reached[last] = self._at_goal
            self._frontier, self._all_behind = [last], False
        self._start += self._stride
        base, seen = self._start, self._seen
        at_goal, reached = self._at_goal, self._reached
        seen[first] = base
        layers = [[first]]
        # The first time the ends touch, every shortest path runs through a node of the
        # newest layer from the start that is also in the newest layer from the goal.
        met = [first] if reached[first] >= at_goal else []
        while True:
            if met:
                return [self.names[node] for node in self._rebuild(layers, met)]
            if self._all_behind:
                return None
            if len(layers[-1]) <= len(self._frontier):  # grow the smaller end by one layer
                grown = []
                forward, mark = self.forward, base + len(layers)
                for node in layers[-1]:
                    for target in forward[node]:
                        if seen[target] < base:
                            seen[target] = mark
                            grown.append(target)
                if not grown:
                    return None
                layers.append(grown)
                met = [node for node in grown if reached[node] >= at_goal]
            else:
                mark = reached[self._frontier[0]] + 1
                grown = []
                reverse = self.reverse
                for node in self._frontier:
                    for source in reverse[node]:
                        if reached[source] < at_goal:
                            reached[source] = mark
                            grown.append(source)
                if grown:
                    self._frontier = grown
                else:
                    self._all_behind = True
                newest = base + len(layers) - 1
                met = [node for node in grown if seen[node] == newest]

    def _rebuild(self, layers: list[list[int]], met: list[int]) -> list[int]:
        base, seen = self._start, self._seen
        on_path = [set(met)]  # per layer from the start, the nodes that lead on to a meeting node
        for layer in range(len(layers) - 2, -1, -1):
            mark = base + layer
            on_path.append({source for node in on_path[-1] for source in self.reverse[node]
                            if seen[source] == mark})
        on_path.reverse()
        path = [layers[0][0]]
        for ahead in on_path[1:]:
            path.append(next(target for target in self.forward[path[-1]] if target in ahead))
        reached = self._reached
        for mark in range(reached[path[-1]] - 1, self._at_goal - 1, -1):
            path.append(next(target for target in self.forward[path[-1]] if reached[target] == mark))
        return path
