"""The console entry point, kept free of heavy imports.

``assembler --version`` answers before the command-line framework is even
imported, and so do a ``check`` or ``build`` that the render cache can answer
(see :mod:`assembler.cli.fastpath`). For every command the cyclic garbage
collector is switched off first: a run builds one large graph of manifests
and rendered files that lives until exit and holds no reference cycles worth
collecting, and on big catalogs the collector's repeated scans of it cost
a tenth to a fifth of the run (memory use measured the same with and without
it). ``watch``, which runs for hours, collects after each rebuild. For the
same reason a run ends without the interpreter's teardown (:func:`leave`).

This module starts the commands of :mod:`assembler.cli.app`; they never
import it back.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import Callable, TypeVar

from .. import __version__

T = TypeVar("T")


def guarded(run: Callable[[], T]) -> T:
    """Run a command so that no failure ends in a traceback."""
    from ..diagnostics import Exit  # here, not above: ``--version`` needs none of it

    try:
        return run()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(Exit.INTERRUPTED)
    except SystemExit:
        raise
    except OSError as exc:  # located at the file it names, like any invalid input
        from .failures import failure

        sys.stderr.write(failure(exc)[1].format() + "\n")
        sys.exit(Exit.INPUT)
    except Exception as exc:  # a bug: say so plainly, show the traceback only on request
        if os.environ.get("ASSEMBLER_DEBUG"):
            raise
        sys.stderr.write(
            f"assembler: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in agent-assembler. Run again with ASSEMBLER_DEBUG=1 for details.\n")
        sys.exit(Exit.INTERNAL)


def main() -> None:
    """``assembler``: the version, a fast-path answer, or the full command line."""
    if sys.argv[1:] == ["--version"]:
        print(f"assembler {__version__}")
        return
    gc.disable()
    try:
        from .fastpath import answer

        if not guarded(lambda: answer(sys.argv[1:])):
            run_full()
        code = 0
    except SystemExit as exc:
        code = exc.code
    leave(code)


def leave(code: object) -> None:
    """End the process with ``code`` as ``sys.exit(code)`` would, without tearing down the
    interpreter.

    Teardown frees every object of the run one by one, and nothing of the run needs it:
    every file it wrote is closed. At 1,000 agents that took 70-120 ms, longer than
    loading every manifest. The streams are flushed and the ``atexit`` functions run
    first; if a stream cannot be flushed (a closed pipe), the interpreter exits as usual
    and reports it as it always has.
    """
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        run_exit_functions = None
    if run_exit_functions is None:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # what the interpreter does with a message
        sys.stderr.write(f"{code}\n")
        code = 1
    run_exit_functions()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code & 0xFF)


def run_full() -> None:
    """Every command and option, through the command-line framework, with the guard."""
    gc.disable()
    from .app import app

    guarded(lambda: app(standalone_mode=True))
