"""A map over a large list on every available core, for CPU-bound pure Python.

Threads do not help such work; a forked child does. :func:`fork_map` cuts the
items into one contiguous slice per process: forked children map theirs
(they inherit everything already loaded, nothing is pickled on the way in)
and send their results back through a pipe in one pickle, while this process
maps the first slice. Results come back in item order, so the outcome is the
same as a serial map. Short lists, platforms other than Linux (where ``fork``
is cheap and safe) and any failure of a child fall back to mapping in this
process. ``ASSEMBLER_JOBS=N`` caps the number of processes (1: never fork).

This module knows nothing of what it maps. :func:`render_agents` is the
adapter that renders a catalog's agents with it.
"""

from __future__ import annotations

import os
import pickle
import sys
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from ..diagnostics import Diagnostics

if TYPE_CHECKING:
    from ..sources.catalog import Agent

T = TypeVar("T")
R = TypeVar("R")

# Below this many items (agents) a fork and the transfer back cost more than they save.
PARALLEL_MIN_AGENTS = 300
JOBS_ENV = "ASSEMBLER_JOBS"


def worker_count(items: int) -> int:
    """How many processes should share ``items`` items: one per available core."""
    if items < PARALLEL_MIN_AGENTS or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    setting = os.environ.get(JOBS_ENV, "")
    return min(cores, int(setting)) if setting.isdigit() and int(setting) > 0 else cores


def fork_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """``[function(item) for item in items]``, computed by ``workers`` processes.

    ``workers`` defaults to :func:`worker_count`. The results must pickle; what
    ``function`` changes besides its result is lost in a child, so it should
    return everything the caller needs.
    """
    if workers is None:
        workers = worker_count(len(items))
    if workers < 2 or len(items) < 2:
        return [function(item) for item in items]
    size = -(-len(items) // workers)
    slices = [items[start:start + size] for start in range(0, len(items), size)]
    children = [_fork(function, part) for part in slices[1:]]
    results = [function(item) for item in slices[0]]
    for (pid, reader), part in zip(children, slices[1:]):
        outcome = _collect(pid, reader)
        if outcome is None:  # the child failed: do its share here, with the same results
            outcome = [function(item) for item in part]
        results += outcome
    return results


def _fork(function: Callable[[T], R], items: Sequence[T]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    status = 1
    try:  # the child: map, send everything in one pickle, never return
        os.close(reader)
        results = [function(item) for item in items]
        with os.fdopen(writer, "wb") as pipe:  # streamed: no second copy in memory
            pickle.dump(results, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, reader: int) -> list[Any] | None:
    """The child's results, or None when it failed (then its pipe ends early)."""
    with os.fdopen(reader, "rb") as pipe:
        try:
            outcome = pickle.load(pipe)
        except Exception:
            outcome = None
    _, status = os.waitpid(pid, 0)
    return outcome if os.waitstatus_to_exitcode(status) == 0 else None


# -- rendering agents ------------------------------------------------------------------------
def render_agents(renderer: Any, agents: list[Agent]) -> list[Any]:
    """``renderer.render_agent`` for each agent, in order, dropping failures.

    Template failures and diagnostics end up in ``renderer`` as a serial render
    leaves them. Only a plain :class:`~assembler.compose.render.Renderer` is
    forked, never a subclass (the tracing renderer, for one), which may keep
    per-agent state that a child would lose; this module does not import the
    renderer, so "plain" is told by the class having no base but ``object``.
    """
    if type(renderer).__bases__ != (object,) or worker_count(len(agents)) < 2:
        return [result for agent in agents if (result := renderer.render_agent(agent)) is not None]
    results = []
    for agent, (result, failures, diagnostics) in zip(agents, fork_map(partial(_render, renderer), agents)):
        for key, agent_ids in failures.items():
            renderer._failures.setdefault(key, []).extend(agent_ids)
        renderer.diagnostics.extend(diagnostics)
        if result is not None:
            results.append(replace(result, agent=agent))
    return results


def _render(renderer: Any, agent: Agent) -> tuple[Any, dict, list]:
    """One agent's result (without the agent, which the caller has) and the failures it caused."""
    failures, diagnostics = renderer._failures, renderer.diagnostics
    renderer._failures, renderer.diagnostics = {}, Diagnostics()
    try:
        result = renderer.render_agent(agent)
        return (None if result is None else replace(result, agent=None),
                renderer._failures, list(renderer.diagnostics))
    finally:
        renderer._failures, renderer.diagnostics = failures, diagnostics
