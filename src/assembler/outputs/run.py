"""``check`` and a cached ``build`` as plain functions, and the one render-cache policy.

They live outside :mod:`assembler.cli` so that the entry point can answer them
without importing the command-line framework (see :mod:`assembler.cli.fastpath`);
the typer commands call the same functions, so both paths print the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..diagnostics import Exit

if TYPE_CHECKING:
    from ..sources.catalog import Catalog
    from .cache import RenderCache
    from .drift import FileState

# Diffs annotated with their sources (provenance, a layer above this one, passes it in).
Annotate = Callable[["Catalog", "list[FileState]"], "dict[str, str]"]


def cached(root: Path | None, everything: bool = True, answer: bool = True,
           meanwhile: bool = False, record: bool = True
           ) -> tuple["RenderCache", "list[FileState] | None"]:
    """The render cache of ``root``, and its word that every output is clean, if it has one.

    The one policy: only a run over every agent may take the cache's answer
    (``everything``); anything in doubt gives None and the caller renders. With
    ``answer`` false the inputs are still hashed, so the render can be recorded;
    with ``meanwhile`` that may happen in another process (see
    :meth:`RenderCache.clean_states`). With ``record`` false the caller wants the
    answer only, and nothing is hashed when the record cannot give one.
    """
    from .cache import RenderCache

    cache = RenderCache.open(root)
    if not everything:
        return cache, None
    return cache, cache.clean_states(answer=answer, meanwhile=meanwhile, record=record)


def answer_build(root: Path | None) -> bool:
    """Print what ``build`` prints when the cache vouches for every output; True if it did."""
    from .report import build_summary

    _, clean = cached(root, record=False)  # the full command hashes, if it renders
    if clean is None:
        return False
    sys.stdout.write(build_summary(0, len(clean), 0) + "\n")
    return True


def run_check(root: Path | None, fmt: str = "text", diff: bool = False, quiet: bool = False,
              annotate: Annotate | None = None) -> int:
    """Compare generated files with a fresh render (or the cache's word for it)."""
    from . import report as reporting

    cache, clean = cached(root, meanwhile=True)
    if clean is not None:  # every output known to match its sources
        if not quiet:
            sys.stdout.write(reporting.check_report(clean, cache.regenerate, fmt, diff, sys.stdout))
        return Exit.OK
    # Only now the heavy modules (jinja2, pydantic): a cached answer never needs them.
    # A fresh clone's inputs are being hashed meanwhile, for the record.
    from ..diagnostics import CatalogError
    from .stream import check_outputs

    cache.hashed()  # before the loader reads a file: the record is of what was rendered
    try:
        catalog, states, hashes = check_outputs(root)
        cache.store_hashes(catalog, hashes)  # only once the outputs could be compared
    except CatalogError as exc:
        reporting.print_diagnostics(exc.diagnostics, fmt, quiet)
        return Exit.INPUT
    drifted = any(state.drifted for state in states)
    if quiet:
        return Exit.DRIFT if drifted else Exit.OK
    diffs = None
    if fmt == "text" and diff and annotate is not None \
            and any(state.kind in ("edited", "stale") for state in states):
        diffs = annotate(catalog, states)
    regenerate = catalog.settings.config.regenerate
    sys.stdout.write(reporting.check_report(states, regenerate, fmt, diff, sys.stdout, diffs))
    return Exit.DRIFT if drifted else Exit.OK
