"""Drift: what would be rendered, compared with what is on disk.

Comparison is on bytes; text is decoded only to draw a diff. A file is read
once. Only files carrying our banner can be orphaned, so hand-written files
that live beside generated ones are never reported or touched; so can the
temporary files a killed build leaves (``.<name>.<random>.tmp``, ours by
their name): a check reports them as orphaned and a full build removes them.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..diagnostics import CatalogError, Diagnostics
from ..sources import walk
from ..targets.base import HTML_COMMENT, CommentStyle
from .banner import read_banner

if TYPE_CHECKING:  # not imported at run time: the render cache uses this module without jinja2
    from ..sources.catalog import Catalog
    from .render import Rendered

# Where one target's generated files live: (folder, suffix, banner comment style, and the
# config's banner template, None for the tool's own words).
Scan = tuple[str, str, CommentStyle, "str | None"]
# The temporary file a write leaves beside ``<name>`` when the build is killed before
# renaming it (see outputs.write.write_atomic): `.<name>.<8 random characters>.tmp`.
TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"
TEMPORARY = re.compile(r"^\.(.+)\.[a-z0-9_]{8}\.tmp$")

Kind = Literal["clean", "stale", "edited", "differs", "missing", "orphaned"]
DRIFT_KINDS: tuple[Kind, ...] = ("stale", "edited", "differs", "missing", "orphaned")
# Counted in a summary only when some file is: only a banner without a hash gives it.
OCCASIONAL_KINDS = ("differs",)
EXPLANATIONS: dict[str, str] = {
    "stale": "sources changed since it was generated",
    "edited": "edited by hand (its banner hash does not match its content)",
    "differs": "stale or edited by hand, cannot tell (its banner has no hash)",
    "missing": "not generated yet",
    "orphaned": "generated, but no manifest renders it any more",
}


@dataclass(frozen=True)
class FileState:
    """One output file and how it relates to a fresh render."""

    path: str  # relative to the root
    kind: Kind
    manifest: str | None  # the source manifest (for orphans: the one the banner names)
    expected: bytes | None  # what a build would write; None for orphans
    actual: bytes | None  # what is on disk; None when missing
    # False when the file on disk was edited by hand; None when its banner has no hash
    # to tell (a `banner` template without {hash}).
    intact: bool | None = True

    @property
    def drifted(self) -> bool:
        return self.kind != "clean"

    def diff(self) -> str:
        """A unified diff from the file on disk (a/) to the fresh render (b/)."""
        before = _lines(self.actual)
        after = _lines(self.expected)
        old = "/dev/null" if self.actual is None else f"a/{self.path}"
        new = "/dev/null" if self.expected is None else f"b/{self.path}"
        return "".join(difflib.unified_diff(before, after, old, new))

    def first_changed_line(self) -> int:
        before, after = _lines(self.actual), _lines(self.expected)
        for number, (old, new) in enumerate(zip(before, after), start=1):
            if old != new:
                return number
        return min(len(before), len(after)) + 1 if before and after else 1


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    lines = data.decode("utf-8", "replace").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def compare(catalog: Catalog, rendered: list[Rendered], find_orphans: bool = True) -> list[FileState]:
    """The state of every rendered file, and of orphaned generated files."""
    states: list[FileState] = []
    problems = Diagnostics()
    inside: dict[str, bool] = {}  # folder -> it resolves inside the root
    template = catalog.settings.config.banner
    for item in rendered:
        state = compare_file(catalog.root, item, template, inside, problems)
        if state is not None:
            states.append(state)
    if problems:
        raise CatalogError(problems)
    if find_orphans:
        states.extend(orphans(catalog.root, scans(catalog), known_paths(catalog, rendered)))
    return sorted(states, key=lambda state: state.path)


def known_paths(catalog: Catalog, rendered: list[Rendered]) -> set[str]:
    """Paths that are never orphans: what was rendered, and what any agent renders to."""
    from .render import all_outputs

    return {item.path for item in rendered} | {o.path for o in all_outputs(catalog)}


def compare_file(root: Path, item: Rendered, template: str | None, inside: dict[str, bool],
                 problems: Diagnostics) -> FileState | None:
    """The state of one rendered file, or None (with the reason in ``problems``) when it
    cannot be compared. ``inside`` remembers which folders resolve inside the root."""
    folder = item.path.rpartition("/")[0]
    if folder not in inside:
        inside[folder] = _resolves_inside(root, folder)
    if not inside[folder]:
        problems.error(folder, 1, 1,
                       f"`{folder}` leads outside the catalog (a symbolic link)",
                       "generated files are written inside the catalog only: remove the link")
        return None
    actual: bytes | None = None
    try:
        with open(os.path.join(str(root), item.path), "rb") as handle:
            actual = handle.read()
    except FileNotFoundError:
        pass
    except OSError as exc:
        problems.error(item.path, 1, 1, f"cannot read the output file: {exc.strerror}",
                       "an output path must be a readable file (or not exist yet)")
        return None
    return _classify(item, actual, template)


def _resolves_inside(root: Path, folder: str) -> bool:
    try:
        return (root / folder).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _classify(item: Rendered, actual: bytes | None, template: str | None = None) -> FileState:
    from ..targets.registry import get

    source = item.agent.source
    if actual is None:
        return FileState(item.path, "missing", source, item.data, None)
    if actual == item.data:  # keep one copy of equal bytes: halves memory on big catalogs
        return FileState(item.path, "clean", source, item.data, item.data)
    banner = read_banner(actual, get(item.target).comment, template)
    if banner is not None and banner.intact:
        return FileState(item.path, "stale", source, item.data, actual)
    if banner is not None and banner.intact is None:
        return FileState(item.path, "differs", source, item.data, actual, intact=None)
    return FileState(item.path, "edited", source, item.data, actual, intact=False)


def scans(catalog: Catalog) -> list[Scan]:
    """Where the enabled targets put their files."""
    from ..targets.registry import enabled

    settings = catalog.settings
    return [(target.folder(settings), target.suffix, target.comment, settings.config.banner)
            for target in enabled(settings)]


def orphans(root: Path, where: list[Scan], known: set[str]) -> list[FileState]:
    """Files in the targets' folders, named with their suffixes, that carry our banner
    (in that target's comment style) but are not in ``known``."""
    found = []
    seen: set[str] = set()
    for folder, suffix, comment, template in where:
        for state in find_orphans(root, root / folder, known, suffix, comment, template):
            if state.path not in seen:
                seen.add(state.path)
                found.append(state)
    return found


def find_orphans(root: Path, output: Path, known: set[str], suffix: str = ".md",
                 comment: CommentStyle = HTML_COMMENT, template: str | None = None
                 ) -> list[FileState]:
    """Files under ``output`` named ``*suffix`` that carry our banner but are not in ``known``,
    and the temporary files an interrupted build left there (see :data:`TEMPORARY`)."""
    if not output.is_dir():
        return []
    found = []
    prefix = output.relative_to(root).as_posix() + "/"
    for parts, entry in walk.files(output):
        name = parts[-1]
        temporary = not name.endswith(suffix)
        if temporary:
            match = TEMPORARY.match(name) if name.endswith(".tmp") else None
            if match is None or not match.group(1).endswith(suffix):
                continue
        rel = "/".join(parts) if prefix == "./" else prefix + "/".join(parts)
        if rel in known:
            continue
        path = Path(entry.path)
        try:
            data = path.read_bytes()
        except OSError:  # unreadable: it cannot be shown to be ours, so leave it alone
            continue
        banner = read_banner(data, comment, template)
        if temporary:  # ours by its name, whatever it holds: a build removes it
            found.append(FileState(rel, "orphaned", banner.source if banner else None, None, data))
        elif banner is not None:
            found.append(FileState(rel, "orphaned", banner.source, None, data, banner.intact))
    return found


def summary(states: list[FileState]) -> dict[str, int]:
    counts = {kind: 0 for kind in ("clean", *DRIFT_KINDS)}
    for state in states:
        counts[state.kind] += 1
    return {kind: count for kind, count in counts.items()
            if count or kind not in OCCASIONAL_KINDS}
