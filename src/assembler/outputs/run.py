"""``assembler check`` as a plain function: print the report, return the exit code.

It lives outside :mod:`assembler.cli` so that the entry point can run a check
without importing the command-line framework (see :mod:`assembler.shortcut`);
the typer command calls the same function, so both print the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_DRIFT, EXIT_INPUT = 0, 1, 2


def run_check(root: Path | None, fmt: str = "text", diff: bool = False,
              quiet: bool = False) -> int:
    """Compare generated files with a fresh render (or the cache's word for it)."""
    from . import report as reporting
    from .cache import RenderCache

    cache = RenderCache.open(root)
    clean = cache.clean_states()
    if clean is not None:  # every output known to match its sources
        if not quiet:
            sys.stdout.write(reporting.check_report(clean, cache.regenerate, fmt, diff, sys.stdout))
        return EXIT_OK
    # Only now the heavy modules (jinja2, pydantic): a cached answer never needs them.
    from .drift import compare
    from ..diagnostics import CatalogError
    from .render import assemble

    try:
        catalog, rendered = assemble(root)
        states = compare(catalog, rendered)
        cache.store(catalog, rendered)  # only once the outputs could be compared
    except CatalogError as exc:
        reporting.print_diagnostics(exc.diagnostics, fmt, quiet)
        return EXIT_INPUT
    drifted = any(state.drifted for state in states)
    if quiet:
        return EXIT_DRIFT if drifted else EXIT_OK
    diffs = None
    if fmt == "text" and diff and any(state.kind in ("edited", "stale") for state in states):
        from ..provenance.explain import annotated_diffs

        diffs = annotated_diffs(catalog, states)
    regenerate = catalog.settings.config.regenerate
    sys.stdout.write(reporting.check_report(states, regenerate, fmt, diff, sys.stdout, diffs))
    return EXIT_DRIFT if drifted else EXIT_OK
