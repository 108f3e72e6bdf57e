"""Writing generated files: atomically, only when bytes change, never over hand edits.

A build never leaves a half-written file: each file is written to a temporary
file in the same folder and renamed over the old one. Files whose bytes would
not change are not touched, so their modification times stay as they are.
Just before a file is replaced (or an orphan removed) it is read again: when it
is no longer what the comparison read, someone changed it while the build ran,
and it is kept and reported as a hand edit.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .drift import TEMP_PREFIX, TEMP_SUFFIX, FileState, compare

if TYPE_CHECKING:  # not imported at run time: a cached no-op build needs no jinja2
    from ..sources.catalog import Catalog
    from .render import Rendered


@dataclass
class BuildResult:
    """What a build did, and what it refused to do."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[FileState] = field(default_factory=list)
    # Written or removed although their banner has no hash (a `banner` template without
    # {hash}): a hand edit in them could not be told from a stale file.
    unverified: list[str] = field(default_factory=list)
    kept: list[FileState] = field(default_factory=list)  # unexpected files, never removed

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def build_catalog(catalog: Catalog, only: set[str] | None = None, force: bool = False) -> BuildResult:
    """Render a loaded catalog (or the agent ids in ``only``) and write it."""
    from .render import render_catalog

    return write_outputs(catalog, render_catalog(catalog, only), force, prune=only is None)


def write_outputs(
    catalog: Catalog, rendered: list[Rendered], force: bool = False, prune: bool = True
) -> BuildResult:
    """Bring the outputs in line with ``rendered``.

    Hand-edited files are refused unless ``force``. With ``prune``, generated
    files that no manifest renders any more are removed.
    """
    states = compare(catalog, rendered, find_orphans=prune)
    result = BuildResult()
    for state in states:
        target = catalog.root / state.path
        if state.kind == "clean":
            result.unchanged += 1
        elif state.kind == "unexpected":  # not ours to remove, even with --force
            result.kept.append(state)
        elif state.intact is False and not force:
            result.refused.append(state)
        elif state.kind == "orphaned":
            current = _current(target)
            if current != state.actual:
                result.refused.append(_changed_meanwhile(state, current))
                continue
            try:
                target.unlink()
            except FileNotFoundError:  # another build renamed or removed it meanwhile
                continue
            result.removed.append(state.path)
            if state.intact is None:
                result.unverified.append(state.path)
        else:
            assert state.expected is not None
            current = write_atomic(target, state.expected, expect=state.actual, mode=state.mode)
            if current is not _WRITTEN:
                result.refused.append(_changed_meanwhile(state, current))
                continue
            (result.created if state.kind == "missing" else result.updated).append(state.path)
            if state.intact is None:
                result.unverified.append(state.path)
    return result


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _changed_meanwhile(state: FileState, current: bytes | None) -> FileState:
    """The state of a file that changed after the comparison read it: a hand edit."""
    return FileState(state.path, "edited", state.manifest, state.expected, current, intact=False)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_ANY = object()  # write_atomic: replace whatever is there
_WRITTEN = object()


def write_atomic(path: Path, data: bytes, expect: object = _ANY, mode: int | None = None) -> object:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never half.

    With ``expect`` (the bytes the caller read, or None for no file), the file is
    read again once the new one is ready, and left alone unless it still holds
    exactly that. Returns ``_WRITTEN``, or what was found instead. The file keeps
    its mode, or gets ``mode`` when one is given (a skill's copied script).

    A build running at the same time removes temporary files it takes for ones a
    killed build left; when it removed this one, the write starts again.
    """
    attempts = _ATTEMPTS
    while True:
        try:
            return _write_atomic(path, data, expect, mode)
        except FileNotFoundError:  # the temporary file vanished before it was renamed
            attempts -= 1
            if not attempts:
                raise


_ATTEMPTS = 3


def _write_atomic(path: Path, data: bytes, expect: object, mode: int | None) -> object:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = _default_mode()
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}.",
                                suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, mode)
        if expect is not _ANY:
            current = _current(path)
            if current != expect:
                Path(temp).unlink(missing_ok=True)
                return current
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return _WRITTEN
