"""A render cache that lets a clean ``check`` or a no-op ``build`` skip rendering.

Rendering is a pure function of the input files and of the tool itself, so
after a successful render we record, for each agent, the hash of the file it
renders to. The record is keyed by content hashes only:

* the tool: the bytes of this package's own files, the Python version, and the
  installed files of the libraries that take part in rendering;
* the catalog: the config file(s), every file under the blocks, roles,
  templates and (when the config names one) capabilities folders, and the list
  of manifest files;
* each agent: all of the above plus the bytes of its manifest.

A lookup reads every input and every output once and hashes them; it imports
neither jinja2 nor pydantic (the folders come from a plain read of the config).
When every agent is known and every output on disk matches its recorded hash
(and no orphan exists), the result is exactly what a full render would
report: all files clean. Anything else (a changed input, a drifted output, a
symbolic link, an unreadable cache) falls back to the full render, which then
refreshes the record. A render is recorded only
for inputs hashed before it (by the lookup) and again after it, with the same
content and the same inode, size and modification time both times: a file
changed or replaced while the render ran is never vouched for, whatever its
modification time says. The cache lives in
``.assembler/render-cache.json`` under the catalog root; deleting it is always
safe, and ``ASSEMBLER_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .. import __version__, parallel
from ..sources import walk
from ..sources import folders as folder_names
from ..sources.folders import joined
from ..targets.base import CommentStyle
from .drift import TEMPORARY, FileState, file_mode, orphans, unexpected
from ..sources.roots import CONFIG_FILE, PYPROJECT_FILE, find_root

if TYPE_CHECKING:
    from ..sources.catalog import Catalog
    from .render import Rendered

FORMAT = 3
# What the record needs of one rendered file: (manifest, output path, SHA-256 of the
# rendered bytes, the mode a copied file keeps, whether a skill made it).
Hash = tuple[str, str, str, "int | None", bool]
CACHE_DIR = ".assembler"
CACHE_FILE = "render-cache.json"
DISABLE_ENV = "ASSEMBLER_NO_CACHE"
# Libraries whose behaviour shapes what is accepted or rendered.
LIBRARIES = ("jinja2", "markupsafe", "pydantic", "pydantic_core", "yaml", "tomli")
INPUT_FOLDERS = ("blocks", "roles", "templates", "skills")
FOLDER_KEYS = ("manifests", "output", *INPUT_FOLDERS)
OPTIONAL_FOLDERS = ("capabilities",)  # input folders only some configs name


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Unsupported(Exception):
    """The inputs hold something the cache does not vouch for (a symbolic link)."""


def _files(folder: Path) -> list[tuple[str, str, os.stat_result]]:
    """``(path relative to folder, full path, stat)`` of every file; no links, and no
    folder that cannot be listed."""
    linked: list[str] = []
    unreadable: list[str] = []
    found = walk.files(folder, linked_folders=linked, unreadable=unreadable)
    if linked or unreadable or any(entry.is_symlink() for _, entry in found):
        raise _Unsupported(folder)
    return [("/".join(parts), entry.path, entry.stat()) for parts, entry in found]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _digests(paths: list[str]) -> list[str]:
    """The SHA-256 of each file, in order, read on every core for a large catalog."""
    def work(part: list[str]) -> list[str]:
        return [_digest(_read(path)) for path in part]

    return [digest for part in parallel.fork_map(work, paths, parallel.worker_count(len(paths)))
            for digest in part]


def config_folders(root: Path) -> dict[str, str]:
    """The folders the config at ``root`` names, normalised as the loader does, read
    without validating anything else (that is the loader's job)."""
    try:
        import tomli as toml
    except ImportError:  # pragma: no cover - tomli is a dependency
        import tomllib as toml
    data: Any = {}
    if (root / CONFIG_FILE).exists():
        data = toml.loads(_read(str(root / CONFIG_FILE)).decode("utf-8"))
    elif (root / PYPROJECT_FILE).is_file():
        data = toml.loads(_read(str(root / PYPROJECT_FILE)).decode("utf-8"))
        tool = data.get("tool")
        data = tool.get("assembler", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise _Unsupported(CONFIG_FILE)
    found = {}
    for key in FOLDER_KEYS:
        value = data.get(key, folder_names.DEFAULTS[key])
        folder, problem = folder_names.normalise(value) if isinstance(value, str) else ("", "")
        if problem is not None:
            raise _Unsupported(key)
        found[key] = folder
    for key in OPTIONAL_FOLDERS:
        if data.get(key) is not None:
            value = data[key]
            folder, problem = folder_names.normalise(value) if isinstance(value, str) else ("", "")
            if problem is not None:
                raise _Unsupported(key)
            found[key] = folder
    return found


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """Changes whenever this package, Python or a rendering library changes."""
    hasher = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}".encode())
    for rel, path, _ in _files(Path(__file__).parent.parent):
        if rel.endswith((".py", ".j2")):
            hasher.update(rel.encode() + b"\0" + _read(path))
    for name in LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin:
            info = os.stat(origin)
            hasher.update(f"\0{name}\0{origin}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return hasher.hexdigest()


# The input files found on disk: (path relative to the root, full path, stat) of the
# shared ones (config, blocks, roles...), then of the manifests folder's.
Listing = tuple[list[tuple[str, str, os.stat_result]], list[tuple[str, str, os.stat_result]]]


@dataclass
class Inputs:
    """What the catalog's input files hash to, and how they looked on disk."""

    key: str  # covers the tool, the config and every shared input file
    agents: dict[str, str]  # manifest path (relative) -> the agent's own key
    stats: dict[str, tuple[int, int, int]]  # relative path -> (inode, size, mtime)


@dataclass
class RenderCache:
    """The record for one catalog root; every method fails soft."""

    root: Path | None
    record: dict[str, Any] = field(default_factory=dict)
    inputs: Inputs | None = None  # hashed by the lookup, before any render
    folders: dict[str, str] | None = None  # the folders those inputs were read from
    _hashing: Callable[[], Inputs] | None = None  # the inputs, being hashed elsewhere

    @classmethod
    def open(cls, root: Path | None, cwd: Path | None = None) -> "RenderCache":
        """Find the root as the loader would and read its record, if any."""
        if os.environ.get(DISABLE_ENV):
            return cls(None)
        try:
            root = root.resolve() if root is not None else find_root(cwd or Path.cwd())
            if root is None or not root.is_dir():
                return cls(None)
            cache = cls(root.resolve())
            if folder_names.linked_folder(cache.root, f"{CACHE_DIR}/{CACHE_FILE}"):
                return cls(None)  # the record is neither read nor written through a link
            with open(cache.path, "rb") as handle:
                record = json.load(handle)
            if isinstance(record, dict) and record.get("format") == FORMAT:
                cache.record = record
            return cache
        except (OSError, ValueError):
            return cls(root if isinstance(root, Path) and root.is_dir() else None)

    @property
    def path(self) -> Path:
        assert self.root is not None
        return self.root / CACHE_DIR / CACHE_FILE

    @property
    def regenerate(self) -> str:
        return self.record["regenerate"]

    # -- hashing ---------------------------------------------------------------------
    def scan(self, folders: dict[str, str], tool: str, listing: Listing | None = None) -> Inputs:
        """Read and hash every input file of the catalog (see the module docstring), those
        ``listing`` found if given."""
        hasher = hashlib.sha256(tool.encode())
        stats: dict[str, tuple[int, int, int]] = {}
        shared, own = listing or self._listing(folders)
        digests = iter(_digests([path for _, path, _ in shared + own]))
        for (rel, _, info), content in zip(shared, digests):
            stats[rel] = (info.st_ino, info.st_size, info.st_mtime_ns)
            hasher.update(f"\0{rel}\0".encode() + content.encode())
        manifests: dict[str, str] = {}
        hasher.update(b"\0[manifests]")
        for (rel, _, info), content in zip(own, digests):
            stats[rel] = (info.st_ino, info.st_size, info.st_mtime_ns)
            hasher.update(f"\0{rel}".encode())
            if rel.endswith(".toml"):
                manifests[rel] = content
            else:
                hasher.update(b"\0" + content.encode())
        key = hasher.hexdigest()
        agents = {rel: _digest(f"{key}\0{rel}\0{content}".encode()) for rel, content in manifests.items()}
        return Inputs(key, agents, stats)

    def _listing(self, folders: dict[str, str]) -> Listing:
        """The shared input files, then the manifests folder's."""
        optional = tuple(key for key in OPTIONAL_FOLDERS if key in folders)
        return (self._inputs(folders, ("config", *INPUT_FOLDERS, *optional)),
                self._inputs(folders, ("manifests",)))

    def _inputs(self, folders: dict[str, str], kinds: tuple[str, ...]
                ) -> list[tuple[str, str, os.stat_result]]:
        """``(path relative to the root, full path, stat)`` of the input files of ``kinds``."""
        assert self.root is not None
        found = []
        for kind in kinds:
            if kind == "config":
                for name in (CONFIG_FILE, PYPROJECT_FILE):
                    path = self.root / name
                    if path.is_symlink():
                        raise _Unsupported(str(path))
                    if path.is_file():
                        found.append((name, str(path), path.stat()))
                continue
            folder = folders[kind]
            found += [(joined(folder, rel), path, info)
                      for rel, path, info in _files(self.root / folder)]
        return found

    # -- lookup ----------------------------------------------------------------------
    def clean_states(self, answer: bool = True, meanwhile: bool = False, record: bool = True
                     ) -> list[FileState] | None:
        """Every output as a full check would see it, when all are known and clean.

        Returns None (and the caller renders) whenever the record cannot vouch
        for every file, when anything has drifted, or when the record is
        damaged in any way. Either way the inputs are hashed first, so that a
        render that follows can be recorded; with ``answer`` false that is all
        it does (a render is coming anyway). With ``meanwhile``, when the record
        cannot answer whatever the inputs hold (there is none, or it is another
        version's) and there are many, they are hashed in another process while
        the caller goes on (importing the renderer, say); :meth:`hashed` waits for
        that, and must be called before anything reads an input, or nothing is
        recorded. With ``record`` false the caller wants the answer only, and
        nothing is hashed when the record cannot give one.
        """
        if self.root is None:
            return None
        self.inputs = self.folders = self._hashing = None
        try:
            return self._clean_states(self.root, answer, meanwhile, record)
        except (_Unsupported, OSError, AttributeError, KeyError, TypeError, ValueError):
            return None

    def _clean_states(self, root: Path, answer: bool, meanwhile: bool, record: bool
                      ) -> list[FileState] | None:
        tool = tool_fingerprint()
        folders = config_folders(root)
        # The record may vouch for outputs only if this version wrote it, for these folders.
        if not answer or self.record.get("tool") != tool or self.record.get("folders") != folders:
            if not record:
                return None
            listing = self._listing(folders)
            if meanwhile and parallel.worker_count(len(listing[0]) + len(listing[1])) > 1:
                # no answer to wait for, and enough to read: hashed while the caller goes on
                self._hashing = parallel.start(lambda: self.scan(folders, tool, listing))
                self.folders = folders
            else:
                self.inputs, self.folders = self.scan(folders, tool, listing), folders
            return None
        self.inputs, self.folders = self.scan(folders, tool), folders
        known = self.record["agents"]
        states = []
        for source, key in self.inputs.agents.items():
            entry = known.get(key)
            if entry is None:
                return None
            for output, expected in entry:
                data = _read(os.path.join(root, output))
                if _digest(data) != expected:
                    return None
                states.append(FileState(output, "clean", source, data, data))
        skills = self.record["skills"]
        if skills["key"] != self.inputs.key:  # every skill input is a shared input
            return None
        for output, source, expected, mode in skills["files"]:
            path = os.path.join(root, output)
            data = _read(path)
            if _digest(data) != expected or (mode is not None and file_mode(Path(path)) != mode):
                return None
            states.append(FileState(output, "clean", source, data, data, mode=mode))
        scans = [(folder, suffix, CommentStyle(start, end), template[0] if template else None)
                 for folder, suffix, start, end, *template in self.record["scans"]]
        paths = {state.path for state in states}
        if orphans(root, scans, paths) or unexpected(root, skills["folders"], paths):
            return None
        return sorted(states, key=lambda state: state.path)

    def hashed(self) -> None:
        """Wait for the inputs :meth:`clean_states` is hashing in another process."""
        hashing, self._hashing = self._hashing, None
        if hashing is not None:
            try:
                self.inputs = hashing()
            except (_Unsupported, OSError):
                self.inputs = self.folders = None

    # -- recording -------------------------------------------------------------------
    def store(self, catalog: "Catalog", rendered: list["Rendered"]) -> None:
        """Record a successful render of every agent (nothing else is recorded).

        Only inputs the lookup (:meth:`clean_states`) hashed before the render
        are recorded, and only when hashing them again now gives the same
        content, and every file the same inode, size and modification time.
        """
        if self.root is None or catalog.root != self.root or self.inputs is None:
            return
        from .skills import is_skill_file

        self.store_hashes(catalog, [(item.agent.source, item.path, _digest(item.data), item.mode,
                                     is_skill_file(item)) for item in rendered])

    def store_hashes(self, catalog: "Catalog", hashes: list[Hash]) -> None:
        """:meth:`store` from the :data:`Hash` of every rendered file, for a render that
        kept no bytes."""
        if self.root is None or catalog.root != self.root or self.inputs is None \
                or self._hashing is not None:  # never waited for: hashed too late, maybe
            return
        from .drift import scans, skill_folders
        from .render import all_outputs
        from .skills import skill_files

        skill_items = [entry for entry in hashes if entry[4]]
        agent_items = [entry for entry in hashes if not entry[4]]
        if len(agent_items) != len(all_outputs(catalog)) \
                or len(skill_items) != len(skill_files(catalog)):
            return
        config = catalog.settings.config
        folders = {name: getattr(config, name) for name in FOLDER_KEYS}
        folders |= {name: getattr(config, name) for name in OPTIONAL_FOLDERS
                    if getattr(config, name) is not None}
        try:
            tool = tool_fingerprint()
            inputs = self.inputs
            if folders != self.folders:
                return
            after = self.scan(folders, tool)
            if (after.key, after.agents, after.stats) != (inputs.key, inputs.agents, inputs.stats):
                return
            agents: dict[str, list[list[str]]] = {}
            skills = {"key": inputs.key, "folders": skill_folders(catalog),
                      "files": [[path, source, digest, mode]
                                for source, path, digest, mode, _ in skill_items]}
            for source, path, digest, _, _ in agent_items:
                key = inputs.agents.get(source)
                if key is None:
                    return
                agents.setdefault(key, []).append([path, digest])
            where = [[folder, suffix, comment.open, comment.close, *([template] if template else [])]
                     for folder, suffix, comment, template in scans(catalog)]
            record = {"format": FORMAT, "tool": tool, "folders": folders, "scans": where,
                      "regenerate": config.regenerate, "agents": agents, "skills": skills}
            self._write(record)
        except (_Unsupported, OSError):
            return

    def _write(self, record: dict[str, Any]) -> None:
        from .write import write_atomic

        folder = self.path.parent
        assert self.root is not None
        if folder_names.linked_folder(self.root, f"{CACHE_DIR}/{CACHE_FILE}"):
            return
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ".gitignore").write_text("# Render cache of agent-assembler; safe to delete.\n*\n")
        else:
            remove_leftovers(folder)
        write_atomic(self.path, json.dumps(record, separators=(",", ":")).encode())
        self.record = record


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary files a run killed while writing the record left in ``folder``
    (``.render-cache.json.<8 random characters>.tmp``), and nothing else. One that another
    run is writing just now may go too: that run's write then starts again (see
    :func:`~assembler.outputs.write.write_atomic`)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            match = TEMPORARY.match(entry.name)
            if match is not None and match.group(1) == CACHE_FILE \
                    and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:  # another run removed it first
                    pass
