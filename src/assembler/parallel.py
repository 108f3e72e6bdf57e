"""Running one function over a long list on every available core.

Rendering is CPU-bound pure Python, so threads do not help; a forked child
does. The items are cut into one contiguous slice per core: forked children
run the function on theirs (they inherit everything loaded so far, nothing is
pickled on the way in) and send the result back through a pipe, while this
process does the first slice. Results come back in slice order, so callers
that merge them in order get what a serial run gives. Platforms other than
Linux (where ``fork`` is cheap and safe) run serially, and a child that fails
has its slice done again here. ``ASSEMBLER_JOBS=N`` caps the number of
processes (1: never fork).
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Callable, TypeVar

# Below this many items a fork and the transfer back cost more than they save.
PARALLEL_MIN_AGENTS = 300
JOBS_ENV = "ASSEMBLER_JOBS"
T = TypeVar("T")
R = TypeVar("R")


def worker_count(items: int) -> int:
    """How many processes should share ``items`` items: one per available core."""
    if items < PARALLEL_MIN_AGENTS or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    setting = os.environ.get(JOBS_ENV, "")
    return min(cores, int(setting)) if setting.isdigit() and int(setting) > 0 else cores


def fork_map(work: Callable[[list[T]], R], items: list[T], workers: int) -> list[R]:
    """``work(slice)`` for each contiguous slice of ``items``, in order.

    ``work`` must return something picklable; in a child it runs on a copy
    of this process, so whatever it changes there is lost unless returned.
    """
    if workers < 2 or len(items) < 2:
        return [work(items)]
    size = -(-len(items) // workers)
    slices = [items[start:start + size] for start in range(0, len(items), size)]
    children = [_fork(work, part) for part in slices[1:]]
    results = [work(slices[0])]
    for (pid, reader), part in zip(children, slices[1:]):
        outcome = _collect(pid, reader)
        results.append(work(part) if outcome is None else outcome[0])
    return results


def start(work: Callable[[], R]) -> Callable[[], R]:
    """Run ``work()`` in a forked process while this one goes on; the function returned
    waits for its result. Callers ask :func:`worker_count` whether that is worth it; where
    fork is not safe (not Linux) or the child fails, ``work()`` runs here when waited for."""
    if not sys.platform.startswith("linux"):
        return work
    pid, reader = _fork(lambda _: work(), [])

    def wait() -> R:
        outcome = _collect(pid, reader)
        return work() if outcome is None else outcome[0]

    return wait


def _fork(work: Callable[[list[T]], R], part: list[T]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    status = 1
    try:  # the child: run, send the result in one pickle, never return
        os.close(reader)
        result = work(part)
        with os.fdopen(writer, "wb") as pipe:  # streamed: no second copy in memory
            pickle.dump((result,), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, reader: int) -> tuple | None:
    """The child's ``(result,)``, or None when it failed (then its pipe ends early)."""
    with os.fdopen(reader, "rb") as pipe:
        try:
            outcome = pickle.load(pipe)
        except Exception:
            outcome = None
    _, status = os.waitpid(pid, 0)
    return outcome if os.waitstatus_to_exitcode(status) == 0 else None
