"""Failures no command expected, reported in the format that was asked for.

A script that runs ``--format json`` or ``--format github`` reads stdout, so
those formats print their document whatever ends the run: an operating-system
error (a symbolic-link loop, a permission refused, a full disk) is reported
as invalid input (exit 2) at the file it names, and anything else as an
internal error (exit 3, a bug). In the text format an operating-system error
is reported the same way, on stderr; any other failure is left to the console
entry point (:func:`assembler.cli.entry.guarded`), which says it is a bug.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from pathlib import Path
from typing import Callable, TypeVar

from ..diagnostics import Diagnostic, Exit

T = TypeVar("T")
MACHINE_FORMATS = ("json", "github")
BUG_HINT = "this is a bug in agent-assembler; run again with ASSEMBLER_DEBUG=1 for details"
_OS_HINTS = {
    errno.ELOOP: "a symbolic link points to itself or into a loop: remove it or point it at a file",
    errno.EACCES: "check the permissions of the file and the folders above it (`ls -l`, `chmod`)",
    errno.EPERM: "check the permissions of the file and the folders above it (`ls -l`, `chmod`)",
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EROFS: "the file system is read-only: run where the catalog can be written",
    errno.ENAMETOOLONG: "shorten the name of the file or of the folders above it",
}


def failure(exc: BaseException, root: Path | None = None) -> tuple[Exit, Diagnostic]:
    """The exit code and the located problem for an exception no command handled."""
    if isinstance(exc, OSError):
        path = shown_path(exc.filename, root) if exc.filename is not None else ""
        reason = exc.strerror or str(exc)
        message = f"cannot use `{path}`: {reason}" if path else f"operating-system error: {reason}"
        hint = _OS_HINTS.get(exc.errno or 0, "check the file, then run again")
        return Exit.INPUT, Diagnostic(path, 1, 1, message, hint)
    return Exit.INTERNAL, Diagnostic("", 1, 1, f"internal error: {type(exc).__name__}: {exc}",
                                     BUG_HINT)


def shown_path(filename: object, root: Path | None = None) -> str:
    """``filename`` relative to the catalog root (or the current folder) when inside it."""
    from ..sources.roots import find_root

    path = Path(os.fsdecode(filename) if isinstance(filename, (str, bytes)) else str(filename))
    absolute = Path(os.path.abspath(path))
    for base in (root, find_root(Path.cwd()), Path.cwd()):
        if base is None:
            continue
        base = Path(os.path.abspath(base))
        if absolute.is_relative_to(base) and absolute != base:
            return absolute.relative_to(base).as_posix()
    return path.as_posix()


def report(exc: BaseException, fmt: str, root: Path | None = None, quiet: bool = False) -> Exit:
    """Print ``exc`` as the document of ``fmt`` and return the exit code.

    The text goes to stderr as one located line: the run may have written files before
    it failed, so it does not claim otherwise.
    """
    code, diagnostic = failure(exc, root)
    if not quiet:
        print_document([diagnostic], fmt)
        if fmt != "json":  # text, and github beside its annotations
            sys.stderr.write(diagnostic.format() + "\n")
    return code


def print_document(diagnostics: list[Diagnostic], fmt: str) -> None:
    """The machine document alone, on stdout."""
    from ..outputs.report import diagnostics_github, diagnostics_json

    if fmt in MACHINE_FORMATS:
        sys.stdout.write((diagnostics_json if fmt == "json" else diagnostics_github)(diagnostics))


def run_reported(call: Callable[[], T], fmt: str, root: Path | None = None,
                 quiet: bool = False) -> T | Exit:
    """Run ``call``; an operating-system error is reported at its file, and in a machine
    format any other unexpected failure is printed as its document.

    A bad option value found by the command is printed as a document too, then left to
    the command-line framework, which reports it on stderr as usual. With
    ``ASSEMBLER_DEBUG`` set the document is printed and the exception raised again, for
    the traceback.
    """
    try:
        return call()
    except OSError as exc:  # in any format: located at its file, relative to the root
        return report(exc, fmt, root, quiet)
    except Exception as exc:
        if fmt not in MACHINE_FORMATS:
            raise  # text: the console entry point reports it (tests see the exception)
        framework = sys.modules.get("typer")
        if framework is not None and isinstance(exc, framework.BadParameter):
            if not quiet:
                print_document([Diagnostic("", 1, 1, exc.format_message())], fmt)
            raise
        if framework is not None and isinstance(exc, (framework.Exit, framework.Abort,
                                                      framework.TyperException)):
            raise  # the framework's own ends of a run
        code = report(exc, fmt, root, quiet)
        if os.environ.get("ASSEMBLER_DEBUG"):
            raise
        return code


def reports_failures(command: Callable[..., T]) -> Callable[..., T]:
    """A command whose ``--format`` (``fmt``) document is printed even when it fails, and
    whose operating-system errors name their file relative to ``--root``."""
    import typer

    @functools.wraps(command)
    def run(*args, **kwargs):
        fmt = kwargs.get("fmt")
        fmt = "json" if kwargs.get("score") else getattr(fmt, "value", fmt or "text")
        outcome = run_reported(lambda: command(*args, **kwargs), fmt, kwargs.get("root"),
                               bool(kwargs.get("quiet")))
        if isinstance(outcome, Exit) and outcome != Exit.OK:
            raise typer.Exit(outcome)
        return outcome

    return run
