"""``assembler check`` and ``assembler build`` answered from the render cache alone.

Most runs of these two commands, in hooks and CI, find every generated file up
to date. The render cache can tell in a few milliseconds, but the command-line
framework costs about 150 ms to import and to convert options (it imports
pydantic to do so). So before the framework is loaded, the entry point hands
the arguments to :func:`answer`: when they are a plain ``check`` or a ``build``
of every agent with options it knows, and the cache vouches for every output,
it prints exactly what the full command would print and exits 0. In every
other case (other commands or options, drift, no record, any doubt) it
returns None without printing anything, and the full command runs.
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
    from . import reporting
    from .cache import RenderCache

    command, options = parsed
    root = Path(str(options["root"])) if options["root"] is not None else None
    cache = RenderCache.open(root)
    states = cache.clean_states()
    if states is None:
        return False
    if command == "build":
        sys.stdout.write(reporting.build_summary(0, len(states), 0) + "\n")
    elif not options["quiet"]:
        sys.stdout.write(reporting.check_report(
            states, cache.regenerate, str(options["format"]), bool(options["diff"]), sys.stdout))
    return True
