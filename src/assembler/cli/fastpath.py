"""``assembler check`` and a no-op ``assembler build`` without the CLI framework.

These two commands run in every hook and CI job. The command-line framework
costs about 80 ms to import and more to convert options, so before it is
loaded the entry point hands the arguments to :func:`answer`. A ``check``
with options this module knows runs here, through the same
:func:`~assembler.outputs.run.run_check` as the full command, and exits
with its code. A ``build`` of every agent is answered only when the render
cache vouches for every output. In every other case (other commands or
options, anything in doubt) it returns False without printing anything, and
the full command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

FORMATS = ("text", "json", "github")


def parse(args: list[str]) -> tuple[str, dict[str, object]] | None:
    """The command and its options, or None for anything this module does not handle."""
    if not args or args[0] not in ("check", "build"):
        return None
    command, rest = args[0], args[1:]
    options: dict[str, object] = {"root": None, "format": "text", "diff": False, "quiet": False}
    flags = {"check": {"--diff": "diff", "-q": "quiet", "--quiet": "quiet"},
             "build": {"--force": None, "--fail-on-change": None}}[command]
    valued = ("--root", "--format") if command == "check" else ("--root",)
    index = 0
    while index < len(rest):
        token = rest[index]
        name, equals, value = token.partition("=")
        if token in flags:
            if flags[token]:
                options[flags[token]] = True
        elif name in valued:
            if not equals:
                index += 1
                value = rest[index] if index < len(rest) else ""
            if not value or value.startswith("-"):
                return None
            options[name[2:]] = value
        else:  # agent names, --help, unknown options: the full command decides
            return None
        index += 1
    if options["format"] not in FORMATS:
        return None
    return command, options


def answer(args: list[str]) -> bool:
    """Print the full command's output and return True, or print nothing and return False."""
    parsed = parse(args)
    if parsed is None:
        return False
    command, options = parsed
    root = Path(str(options["root"])) if options["root"] is not None else None
    if command == "check":
        from ..outputs.run import run_check
        from .failures import run_reported

        fmt, quiet = str(options["format"]), bool(options["quiet"])

        def run() -> int:
            return run_reported(lambda: run_check(root, fmt, bool(options["diff"]), quiet,
                                                  annotate_diffs), fmt, root, quiet)

        if fmt == "text" and not quiet and sys.stderr.isatty():
            from .progress import progress  # a terminal only: pipes and CI never load it

            with progress("checking"):
                sys.exit(run())
        sys.exit(run())
    from ..outputs.run import answer_build

    return answer_build(root)  # False: something to write, and the full command writes it


def annotate_diffs(catalog, states):
    """``check --diff`` hunks that name their sources (see :mod:`assembler.provenance`)."""
    from ..provenance.explain import annotated_diffs

    return annotated_diffs(catalog, states)
