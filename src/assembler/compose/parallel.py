"""Rendering a large catalog on every available core.

Rendering is CPU-bound pure Python, so threads do not help; a forked child
does. After the catalog is loaded and the templates compiled, the agents are
cut into one contiguous slice per core: forked children render theirs (they
inherit the loaded catalog, nothing is pickled on the way in) and send back
the bytes and template failures through a pipe, while this process renders
the first slice. Results are merged in catalog order, so output, failure
messages and their agent lists are the same as a serial render. Small
catalogs, platforms other than Linux (where ``fork`` is cheap and safe) and
any failure of a child fall back to rendering in this process.
``ASSEMBLER_JOBS=N`` caps the number of processes (1: never fork).
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..sources.catalog import Agent
    from .render import Rendered, Renderer

# Below this many agents a fork and the transfer back cost more than they save.
PARALLEL_MIN_AGENTS = 300
JOBS_ENV = "ASSEMBLER_JOBS"


def worker_count(agents: int) -> int:
    """How many processes should render ``agents`` agents: one per available core."""
    if agents < PARALLEL_MIN_AGENTS or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    setting = os.environ.get(JOBS_ENV, "")
    return min(cores, int(setting)) if setting.isdigit() and int(setting) > 0 else cores


def render_agents(renderer: Renderer, agents: list[Agent]) -> list[Rendered]:
    """``renderer.render_agent`` for each agent, in order, dropping failures.

    Only a plain :class:`~assembler.render.Renderer` is forked: a subclass (the
    tracing renderer, for one) may keep per-agent state that a child would lose.
    """
    from .render import Renderer

    workers = worker_count(len(agents))
    if workers < 2 or type(renderer) is not Renderer:
        return _serial(renderer, agents)
    size = -(-len(agents) // workers)
    slices = [agents[start:start + size] for start in range(0, len(agents), size)]
    children = [_fork(renderer, part) for part in slices[1:]]
    results = _serial(renderer, slices[0])
    for (pid, reader), part in zip(children, slices[1:]):
        outcome = _collect(pid, reader)
        if outcome is None:  # the child failed: do its share here, with the same errors
            results += _serial(renderer, part)
            continue
        rendered, failures, diagnostics = outcome
        results += [_rebuild(part[index], path, data) for index, path, data in rendered]
        for key, agent_ids in failures.items():
            renderer._failures.setdefault(key, []).extend(agent_ids)
        renderer.diagnostics.extend(diagnostics)
    return results


def _serial(renderer: Renderer, agents: list[Agent]) -> list[Rendered]:
    return [result for agent in agents if (result := renderer.render_agent(agent)) is not None]


def _rebuild(agent: Agent, path: str, data: bytes) -> Rendered:
    from .render import Rendered

    return Rendered(agent, path, data)


def _fork(renderer: Renderer, agents: list[Agent]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    status = 1
    try:  # the child: render, send everything in one pickle, never return
        os.close(reader)
        renderer._failures.clear()
        renderer.diagnostics.items.clear()
        rendered = []
        for index, agent in enumerate(agents):
            result = renderer.render_agent(agent)
            if result is not None:
                rendered.append((index, result.path, result.data))
        with os.fdopen(writer, "wb") as pipe:  # streamed: no second copy in memory
            pickle.dump((rendered, renderer._failures, list(renderer.diagnostics)), pipe,
                        protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, reader: int):
    """The child's results, or None when it failed (then its pipe ends early)."""
    with os.fdopen(reader, "rb") as pipe:
        try:
            outcome = pickle.load(pipe)
        except Exception:
            outcome = None
    _, status = os.waitpid(pid, 0)
    return outcome if os.waitstatus_to_exitcode(status) == 0 else None
