"""`assembler watch`: rebuild whenever a source changes, until interrupted.

The sources are the config file and the folders it names for manifests, blocks,
roles, templates and skills (a skill's copied files included), and the
capabilities folder when the config names one; writes to
the output folders, the tool's own ``.assembler/`` and editors' temporary files
do not trigger a rebuild. Each rebuild is an ordinary full build: invalid input
prints its located errors and writes nothing, and a hand-edited output is never
overwritten (it is reported, as ``build`` reports it). Changes that arrive
together are handled as one rebuild (the watcher groups them until it has seen
none for ``step`` milliseconds).

``watchfiles`` is imported here, by this command only: it costs about 50 ms.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterable

from ..diagnostics import CatalogError, Diagnostics, printable
from ..present import Style, plural
from ..sources import folders
from ..sources.roots import CONFIG_FILE, PYPROJECT_FILE, find_root
from .report import diagnostics_text

if TYPE_CHECKING:
    from threading import Event

# Config keys of source folders (`capabilities` only when the config sets it).
SOURCE_KEYS = ("manifests", "blocks", "roles", "templates", "skills", "capabilities")
_SHOWN = 3  # changed and written files named on a rebuild's line
READY_MS = 200  # how often the watcher wakes up with nothing to do


@dataclass
class Rebuild:
    """One rebuild: what triggered it and what it did."""

    changed: list[str]
    written: list[str]
    removed: list[str]
    unchanged: int
    refused: list[str]
    errors: int
    seconds: float

    def line(self) -> str:
        what = _names(self.changed) + " changed" if self.changed else "first build"
        if self.errors:
            return (f"{what}: {plural(self.errors, 'error')}, nothing written "
                    f"({self.seconds:.2f} s); watching")
        parts = [f"{len(self.written)} written" + (f" ({_names(self.written)})" if self.written else "")]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        parts.append(f"{self.unchanged} unchanged")
        if self.refused:
            parts.append(f"{len(self.refused)} refused (edited by hand)")
        return f"{what}: {', '.join(parts)} ({self.seconds:.2f} s)"


def _names(paths: list[str]) -> str:
    shown = ", ".join(printable(p) for p in paths[:_SHOWN])
    return shown + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")


class Watcher:
    """The catalog at ``root``: which paths are its sources, and one rebuild at a time."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.sources = self._source_folders()

    def _source_folders(self) -> tuple[str, ...]:
        """The source folders the config names now (the defaults while it cannot be read)."""
        from ..sources.config import load_settings

        settings = load_settings(self.root, self.root, Diagnostics())
        if settings is None:
            return getattr(self, "sources", tuple(folders.DEFAULTS[k] for k in SOURCE_KEYS
                                                  if k in folders.DEFAULTS))
        config = settings.config
        return tuple(value for key in SOURCE_KEYS
                     if isinstance(value := getattr(config, key, None), str))

    def is_source(self, path: str) -> bool:
        """True for the config file and files in the source folders (never an output)."""
        try:
            rel = Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return False
        name = rel.rsplit("/", 1)[-1]
        if name.startswith(".") and name.endswith(".tmp"):
            return False
        if rel in (CONFIG_FILE, PYPROJECT_FILE):
            return True
        return any(rel == folder or rel.startswith(folder.rstrip("/") + "/") for folder in self.sources)

    def rebuild(self, changed: Iterable[str], err: IO[str]) -> Rebuild:
        from .render import assemble
        from .write import write_outputs

        started = time.perf_counter()
        changed = sorted({Path(p).resolve().relative_to(self.root).as_posix() for p in changed})
        if any(p in (CONFIG_FILE, PYPROJECT_FILE) for p in changed):
            self.sources = self._source_folders()
        try:
            catalog, rendered = assemble(self.root)
            result = write_outputs(catalog, rendered, force=False, prune=True)
        except CatalogError as exc:
            err.write(diagnostics_text(exc.diagnostics, Style(err)))
            err.flush()
            return Rebuild(changed, [], [], 0, [], len(exc.diagnostics),
                           time.perf_counter() - started)
        for state in result.refused:
            err.write(f"refused {printable(state.path)}: edited by hand; kept as it is "
                      "(move the edit into its source, or run `assembler build --force`)\n")
        err.flush()
        return Rebuild(changed, result.created + result.updated, result.removed, result.unchanged,
                       [s.path for s in result.refused], 0, time.perf_counter() - started)


def locate_root(root: Path | None, cwd: Path) -> Path:
    """The catalog root to watch, as every other command finds it."""
    if root is not None:
        return root
    found = find_root(cwd)
    if found is None:
        diagnostics = Diagnostics()
        diagnostics.error(CONFIG_FILE, 1, 1, f"no {CONFIG_FILE} (or pyproject.toml with "
                          f"[tool.assembler]) in {cwd} or any parent folder",
                          "run `assembler init`, or pass --root DIR")
        raise CatalogError(diagnostics)
    return found


def watch_catalog(root: Path, out: IO[str], err: IO[str], stop: "Event | None" = None,
                  step_ms: int = 100) -> None:
    """Build once, then rebuild on every change to a source, printing one line each,
    until ``stop`` is set or the process is interrupted (Ctrl-C)."""
    import logging

    from watchfiles import watch

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # it warns on Ctrl-C
    watcher = Watcher(root)
    out.write(watcher.rebuild((), err).line() + "\n")
    out.flush()
    ready = False
    try:
        # The first empty wake-up (yield_on_timeout) says the watch is in place: only then
        # is "watching" true, so a change made after that line is never missed.
        for changes in watch(watcher.root, watch_filter=lambda change, path: watcher.is_source(path),
                             step=step_ms, stop_event=stop, raise_interrupt=False,
                             rust_timeout=READY_MS, yield_on_timeout=True):
            if not ready:
                out.write(f"watching {printable(str(watcher.root))} (Ctrl-C to stop)\n")
                out.flush()
                ready = True
            if not changes:
                continue
            line = watcher.rebuild([path for _, path in changes], err).line()
            out.write(time.strftime("%H:%M:%S ") + line + "\n")
            out.flush()
            gc.collect()  # the command line runs without the collector: a rebuild's cycles go
    except KeyboardInterrupt:  # Ctrl-C outside the wait itself, e.g. during a rebuild
        pass
    out.write("stopped\n")
    out.flush()
