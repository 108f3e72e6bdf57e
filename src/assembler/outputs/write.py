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
from dataclasses import dataclass, field, replace
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
            remove_orphan(target, state, result)
        else:
            assert state.expected is not None
            write_file(target, state, state.expected, state.actual, result)
    return result


def write_file(target: Path, state: FileState, data: bytes, expect: bytes | None,
               result: BuildResult) -> None:
    """Write ``data`` for ``state`` unless ``target`` no longer holds ``expect`` (what the
    comparison read): then it is refused as a hand edit."""
    current = write_atomic(target, data, expect=expect, mode=state.mode)
    if current is not _WRITTEN:
        result.refused.append(changed_meanwhile(replace(state, expected=data), current))
        return
    written(state, result)


def remove_orphan(target: Path, state: FileState, result: BuildResult) -> None:
    """Remove an orphaned file, unless it changed since it was read (then: refused)."""
    current = current_bytes(target)
    if current != state.actual:
        result.refused.append(changed_meanwhile(state, current))
        return
    try:
        target.unlink()
    except FileNotFoundError:  # another build renamed or removed it meanwhile
        return
    result.removed.append(state.path)
    if state.intact is None:
        result.unverified.append(state.path)


def written(state: FileState, result: BuildResult) -> None:
    """Record that the file of ``state`` was written."""
    (result.created if state.kind == "missing" else result.updated).append(state.path)
    if state.intact is None:
        result.unverified.append(state.path)


def current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def changed_meanwhile(state: FileState, current: bytes | None) -> FileState:
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
    temp = stage(path, data, mode)
    try:
        if expect is not _ANY:
            current = current_bytes(path)
            if current != expect:
                Path(temp).unlink(missing_ok=True)
                return current
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return _WRITTEN


def stage(path: Path, data: bytes, mode: int | None = None) -> str:
    """The first half of :func:`write_atomic`: ``data`` in a new temporary file beside
    ``path``, with ``mode``, else the mode ``path`` has (or a new file gets). Returns its
    full path; renaming it over ``path`` is the second half."""
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
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp
