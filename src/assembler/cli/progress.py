"""A progress line on stderr for long runs, on a terminal only.

A run that is still going after :data:`AFTER` seconds (a first build of
thousands of agents, lint at 10,000, a large import) shows what it is doing and
for how long, rewritten in place, and erased when the run ends. Never in a
pipe or a file, never under CI (``CI`` set), never with ``--format json`` or
``github`` (the caller passes ``enabled=False``): those outputs stay exactly
as they are.

The line is drawn from a ``SIGALRM`` interval timer, not a thread: the renderer
forks worker processes, and a fork must never copy a thread that holds the
stream's lock. A forked child does not inherit the timer.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from contextlib import contextmanager
from typing import IO, Iterator

AFTER = 2.0  # seconds before the line appears
EVERY = 0.5  # seconds between redraws
_CLEAR = "\r\x1b[2K"


def wanted(stream: IO[str]) -> bool:
    """A terminal, not CI."""
    if os.environ.get("CI"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class _StopFirst:
    """A stream that ends the progress line before the first thing the run prints."""

    def __init__(self, inner: IO[str], stop):
        self._inner, self._stop = inner, stop

    def write(self, text: str) -> int:
        self._stop()
        return self._inner.write(text)

    def writelines(self, lines) -> None:
        self._stop()
        self._inner.writelines(lines)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@contextmanager
def progress(label: str, enabled: bool = True, after: float = AFTER,
             every: float = EVERY) -> Iterator[None]:
    """Show ``label`` and the elapsed time on stderr while the block runs long.

    The line goes before anything the block prints on stdout or stderr: the first
    write ends it, so reports and errors are never mixed with it.
    """
    stream = sys.stderr
    if not (enabled and wanted(stream)) or not hasattr(signal, "setitimer"):
        yield
        return
    started = time.monotonic()
    state = {"drawn": False, "stopped": False}

    def draw(signum, frame) -> None:
        if state["stopped"]:
            return
        try:
            stream.write(f"{_CLEAR}{label}… {time.monotonic() - started:.0f} s")
            stream.flush()
            state["drawn"] = True
        except RuntimeError:  # the run was writing to the stream itself: skip this redraw
            pass

    def stop() -> None:
        if state["stopped"]:
            return
        state["stopped"] = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        if state["drawn"]:
            stream.write(_CLEAR)
            stream.flush()

    try:
        previous = signal.signal(signal.SIGALRM, draw)
    except ValueError:  # not the main thread: no signals, no line
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _StopFirst(out, stop), _StopFirst(err, stop)
    signal.setitimer(signal.ITIMER_REAL, max(after, 0.001), every)
    try:
        yield
    finally:
        stop()
        signal.signal(signal.SIGALRM, previous)
        sys.stdout, sys.stderr = out, err
