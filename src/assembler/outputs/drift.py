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
from .banner import content_hash, read_banner
from .copies import recorded_copies

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

Kind = Literal["clean", "stale", "edited", "differs", "missing", "orphaned", "unexpected"]
SKILL_FILE = "SKILL.md"  # the one file name every client loads a skill from
DRIFT_KINDS: tuple[Kind, ...] = ("stale", "edited", "differs", "missing", "orphaned", "unexpected")
# Counted in a summary only when some file is: only a banner without a hash gives it.
OCCASIONAL_KINDS = ("differs",)
EXPLANATIONS: dict[str, str] = {
    "stale": "sources changed since it was generated",
    "edited": "edited by hand (its banner hash does not match its content)",
    "differs": "stale or edited by hand, cannot tell (its banner has no hash)",
    "missing": "not generated yet",
    "orphaned": "generated, but no manifest renders it any more",
    "unexpected": "in a generated skill folder, but no skill source provides it (never removed)",
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
    mode: int | None = None  # permission bits a build gives the file (a skill's copied files)

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
        states.extend(leftovers(catalog, {item.path for item in rendered}))
    return sorted(states, key=lambda state: state.path)


def leftovers(catalog: Catalog, rendered: set[str]) -> list[FileState]:
    """Orphaned generated files, and unexpected files in generated skill folders: what is
    on disk that neither the ``rendered`` paths nor any agent or skill accounts for."""
    from .render import all_outputs
    from .skills import skill_files

    known = rendered | {o.path for o in all_outputs(catalog)} | skill_files(catalog)
    found = orphans(catalog.root, scans(catalog), known)
    return found + unexpected(catalog.root, skill_folders(catalog),
                              known | {state.path for state in found})


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
    return _classify(item, actual, root, template)


def _resolves_inside(root: Path, folder: str) -> bool:
    try:
        return (root / folder).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _copy_was_ours(root: Path, path: str, actual: bytes) -> bool:
    """True when ``actual``, a file in a skill folder, is what an earlier build copied there:
    the nearest SKILL.md above it records that hash for it."""
    parts = path.split("/")
    for depth in range(len(parts) - 1, 0, -1):
        try:
            skill_md = (root / "/".join(parts[:depth]) / SKILL_FILE).read_bytes()
        except OSError:
            continue
        return recorded_copies(skill_md).get("/".join(parts[depth:])) == content_hash(actual)
    return False


def _classify(item: Rendered, actual: bytes | None, root: Path,
              template: str | None = None) -> FileState:
    from ..targets.registry import banner_words, comment_of

    source, mode = item.agent.source, item.mode
    if actual is None:
        return FileState(item.path, "missing", source, item.data, None, mode=mode)
    if actual == item.data:  # keep one copy of equal bytes: halves memory on big catalogs
        if mode is not None and file_mode(root / item.path) != mode:  # a script lost its `x`
            return FileState(item.path, "stale", source, item.data, item.data, mode=mode)
        return FileState(item.path, "clean", source, item.data, item.data, mode=mode)
    if mode is not None:  # a skill's copied file: stale when an earlier build wrote it
        intact = _copy_was_ours(root, item.path, actual)
        return FileState(item.path, "stale" if intact else "edited", source, item.data, actual,
                         intact=intact, mode=mode)
    banner = read_banner(actual, comment_of(item.target), banner_words(item.target, template))
    if banner is not None and banner.intact:
        return FileState(item.path, "stale", source, item.data, actual, mode=mode)
    if banner is not None and banner.intact is None:
        return FileState(item.path, "differs", source, item.data, actual, intact=None, mode=mode)
    return FileState(item.path, "edited", source, item.data, actual, intact=False, mode=mode)


def file_mode(path: Path) -> int | None:
    """The permission bits of ``path``, or None when it cannot be read."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def scans(catalog: Catalog) -> list[Scan]:
    """Where the enabled targets put their files."""
    from ..targets.registry import enabled, skill_readers

    settings = catalog.settings
    found = [(target.folder(settings), target.suffix, target.comment, settings.config.banner)
             for target in enabled(settings)]
    return found + [(fmt.folder(), SKILL_FILE, fmt.comment, None)
                    for fmt, _ in skill_readers(settings)]


def skill_folders(catalog: Catalog) -> list[str]:
    """The skills folders the enabled targets read."""
    from ..targets.registry import skill_readers

    return [fmt.folder() for fmt, _ in skill_readers(catalog.settings)]


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


# -- generated skill folders ----------------------------------------------------------------
# A generated skill folder is a folder of a skills folder whose SKILL.md carries our
# banner. Besides that file it holds copies of the skill's own files; anything else
# there (a note someone dropped in, a copy whose source was removed) cannot be shown to
# be ours, so it is `unexpected` and never removed. Only the temporary files a killed
# build left (ours by their name) are orphaned, and removed by a full build.
def unexpected(root: Path, folders: list[str], known: set[str]) -> list[FileState]:
    """Every file under a generated skill folder of ``folders`` that is not in ``known``.
    Kept free of jinja2 and pydantic: the render cache runs it."""
    found: list[FileState] = []
    for folder in folders:
        base = root / folder
        if not base.is_dir() or base.is_symlink():
            continue
        with os.scandir(base) as entries:
            skills = sorted(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
        for name in skills:
            banner, copies = _banner(base / name / SKILL_FILE)
            if banner is None:
                continue
            for parts, entry in walk.files(base / name):
                rel = f"{folder}/{name}/" + "/".join(parts)
                if rel in known:
                    continue
                data = _read(entry.path)
                inner = "/".join(parts)
                if TEMPORARY.match(parts[-1]) or (  # a killed build's, or a copy of ours
                        data is not None and copies.get(inner) == content_hash(data)):
                    found.append(FileState(rel, "orphaned", banner, None, data))
                else:
                    found.append(FileState(rel, "unexpected", banner, None, data, intact=False))
    return found


def _banner(path: Path) -> tuple[str | None, dict[str, str]]:
    """The manifest the banner of ``path`` names (None when it is not ours), and the copies
    it records."""
    try:
        data = path.read_bytes()
    except OSError:
        return None, {}
    info = read_banner(data, HTML_COMMENT)
    return (None, {}) if info is None else (info.source, recorded_copies(data))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
