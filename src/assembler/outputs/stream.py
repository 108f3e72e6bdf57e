"""``check`` and ``build`` that compare each file where it was rendered.

Holding every rendered file until all are compared costs as much memory as
the outputs themselves (150 MB at 10,000 agents), and sending a forked
worker's files back costs time. Here each file is compared with the disk as
soon as it is rendered, in the process that rendered it (see
:func:`~assembler.outputs.render.render_each`), and only what the report
needs comes back: for a clean file its state and the hash the render cache
records; the bytes only of drifted files. A build also writes each new file
there, to a temporary file beside its destination (the first half of an
atomic write); once every agent rendered and every file was compared, each
is read again and renamed over the old one only if it still holds what the
comparison saw, exactly as :func:`~assembler.outputs.write.write_outputs`
does. When anything fails, the temporary files (and the folders made for
them) are removed again: nothing is written.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from ..compose.render import Renderer
from ..diagnostics import CatalogError, Diagnostic, Diagnostics
from ..sources.catalog import Catalog
from . import render
from .cache import Hash
from .drift import FileState, compare_file, leftovers
from .render import Rendered
from .skills import is_skill_file, render_skills
from .write import (
    BuildResult, changed_meanwhile, current_bytes, remove_orphan, stage, write_file, written,
)


@dataclass(frozen=True)
class Compared:
    """One rendered file after its comparison, as sent back by the process that rendered it."""

    state: FileState | None  # None when it could not be compared (see ``problems``)
    hash: Hash  # what the render cache records of it
    problems: tuple[Diagnostic, ...] = ()
    staged: str | None = None  # build: the temporary file holding the new bytes
    seen: str | None = None  # build: SHA-256 of the file as compared (None: no file)
    folders: tuple[str, ...] = ()  # build: folders made for the temporary file
    error: Exception | None = None  # build: why it could not be staged (a full disk)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _comparer(catalog: Catalog) -> Callable[[Rendered], tuple[FileState | None, Hash, tuple]]:
    """Compare one rendered file with the disk; the state keeps bytes only when drifted."""
    root, template = catalog.root, catalog.settings.config.banner
    inside: dict[str, bool] = {}

    def compare(item: Rendered) -> tuple[FileState | None, Hash, tuple]:
        problems = Diagnostics()
        state = compare_file(root, item, template, inside, problems)
        if state is not None and state.kind == "clean":
            state = replace(state, expected=None, actual=None)
        made = (item.agent.source, item.path, _digest(item.data), item.mode, is_skill_file(item))
        return state, made, tuple(problems)

    return compare


def _render(renderer: Renderer, agents, skills, finish: Callable[[Rendered], Compared],
            diagnostics: Diagnostics) -> list[tuple[Any, Compared]]:
    """``(agent or skill, compared)`` for every file, the agents' compared where they were
    rendered, then the skills' (few) here; raises :class:`CatalogError`, after discarding
    what was staged, on any load, template or comparison problem."""
    done = render.render_each(renderer, agents, finish)
    done += [(item.agent, finish(item)) for item in render_skills(renderer, skills)]
    diagnostics.extend(renderer.failures())
    if not diagnostics:  # template errors first: the comparison is moot then
        for _, kept in done:
            diagnostics.extend(kept.problems)
    error = next((kept.error for _, kept in done if kept.error is not None), None)
    if diagnostics or error is not None:
        _discard(kept for _, kept in done)
        if diagnostics:
            raise CatalogError(diagnostics)
        raise error
    return done


def _hashes(done: list[tuple[Any, Compared]]) -> list[Hash]:
    return [kept.hash for _, kept in done if kept.state is not None]


def check_outputs(root: Path | None = None) -> tuple[Catalog, list[FileState], list[Hash]]:
    """What ``compare(catalog, render_catalog(catalog))`` gives, sorted by path, except that
    a clean file's state holds no bytes; and the hashes for the render cache."""
    catalog, agents, skills, diagnostics = render.prepare(root)
    compare = _comparer(catalog)

    def finish(item: Rendered) -> Compared:
        return Compared(*compare(item))

    done = _render(Renderer(catalog), agents, skills, finish, diagnostics)
    states = [kept.state for _, kept in done if kept.state is not None]
    states.extend(leftovers(catalog, {state.path for state in states}))
    return catalog, sorted(states, key=lambda state: state.path), _hashes(done)


def build_outputs(root: Path | None = None, names: list[str] | None = None, force: bool = False,
                  prune: bool = True, before: Callable[[Catalog], None] | None = None
                  ) -> tuple[Catalog, BuildResult, list[Hash]]:
    """Render and write, as ``write_outputs(catalog, render_catalog(...), force, prune)`` does.

    ``before(catalog)`` runs once the catalog is loaded, before any file is
    written (it may raise :class:`CatalogError`). Returns the catalog, what
    was done, and the hashes for the render cache.
    """
    catalog, agents, skills, diagnostics = render.prepare(root, names=names)
    if before is not None and not diagnostics:
        before(catalog)
    compare = _comparer(catalog)
    made: dict[str, tuple[str, ...]] = {}  # folder -> the folders making it took
    failed: list[Exception] = []  # in this process

    def finish(item: Rendered) -> Compared:
        state, made_hash, problems = compare(item)
        if state is None or state.kind == "clean":
            return Compared(state, made_hash, problems)
        if (state.intact is False and not force) or is_skill_file(item):
            return Compared(state, made_hash, problems)  # refused (its diff is shown), or few
        target = catalog.root / item.path
        folders = _folders_to_make(target.parent, made)
        if failed:  # it is all undone anyway
            return Compared(state, made_hash, problems, folders=folders)
        try:
            temp = stage(target, item.data, state.mode)
        except Exception as exc:  # raised once every process's files are known and removed
            failed.append(exc)
            return Compared(state, made_hash, problems, folders=folders, error=exc)
        seen = None if state.actual is None else _digest(state.actual)
        return Compared(replace(state, expected=None, actual=None), made_hash, problems,
                        temp, seen, folders)

    renderer = Renderer(catalog)
    done = _render(renderer, agents, skills, finish, diagnostics)
    try:
        return catalog, _commit(catalog, renderer, done, force, prune), _hashes(done)
    except BaseException:
        _discard(kept for _, kept in done)
        raise


def _folders_to_make(folder: Path, made: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The folders (deepest first) that writing into ``folder`` is about to create."""
    key = str(folder)
    if key not in made:
        missing = []
        while not folder.exists() and folder != folder.parent:
            missing.append(str(folder))
            folder = folder.parent
        made[key] = tuple(missing)
        return made[key]
    return ()  # the first file written there made them


def _commit(catalog: Catalog, renderer: Renderer, done: list[tuple[Any, Compared]], force: bool,
            prune: bool) -> BuildResult:
    """Rename each staged file over its destination, write the skills', remove orphans."""
    result = BuildResult()
    items: list[tuple[FileState, Any, Compared | None]] = [
        (kept.state, owner, kept) for owner, kept in done if kept.state is not None]
    if prune:  # this build's own temporary files are not a killed build's
        ours = {state.path for state, _, _ in items}
        ours |= {_relative(catalog.root, kept.staged) for _, kept in done if kept.staged}
        items += [(state, None, None) for state in leftovers(catalog, ours)]
    for state, owner, kept in sorted(items, key=lambda item: item[0].path):
        target = catalog.root / state.path
        if state.kind == "clean":
            result.unchanged += 1
        elif state.kind == "unexpected":  # not ours to remove, even with --force
            result.kept.append(state)
        elif state.intact is False and not force:  # a hand edit (never staged)
            result.refused.append(state)
        elif kept is None:  # an orphan
            remove_orphan(target, state, result)
        elif kept.staged is None:  # a skill's file, kept in memory
            assert state.expected is not None
            write_file(target, state, state.expected, state.actual, result)
        else:
            _rename(target, state, kept, lambda: _again(renderer, owner, state.path), result)
    return result


def _rename(target: Path, state: FileState, kept: Compared, again: Callable[[], bytes],
            result: BuildResult) -> None:
    """Rename a staged file over ``target`` if it still holds what the comparison saw.

    A build running at the same time may have removed the staged file, taking it for one
    a killed build left: then the file is rendered again and written the usual way."""
    assert kept.staged is not None
    current = current_bytes(target)
    if (None if current is None else _digest(current)) != kept.seen:
        try:
            new = Path(kept.staged).read_bytes()
            Path(kept.staged).unlink()
        except FileNotFoundError:
            new = again()
        result.refused.append(changed_meanwhile(replace(state, expected=new), current))
        return
    try:
        os.replace(kept.staged, target)
    except FileNotFoundError:
        write_file(target, state, again(), current, result)
        return
    written(state, result)


def _again(renderer: Renderer, agent, path: str) -> bytes:
    """The bytes of ``path``, rendered once more (it rendered a moment ago: it renders)."""
    for item in render.render_agent(renderer, agent) or ():
        if item.path == path:
            return item.data
    raise CatalogError(renderer.failures())


def _relative(root: Path, path: str) -> str:
    return Path(path).relative_to(root).as_posix()


def _discard(compared) -> None:
    """Remove what staging left: temporary files, then the folders made for them."""
    folders: list[str] = []
    for kept in compared:
        if kept.staged is not None:
            Path(kept.staged).unlink(missing_ok=True)
        folders += kept.folders
    for folder in sorted(set(folders), key=lambda path: -path.count(os.sep)):
        try:
            os.rmdir(folder)
        except OSError:  # not empty (something else is there now), or already gone
            pass
