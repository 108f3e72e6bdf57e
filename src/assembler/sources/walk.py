"""Listing a folder's files quickly: one ``os.scandir`` per folder, no pathlib.

Catalogs hold thousands of manifests and generated files; creating, comparing
and relativising a ``Path`` per file costs more than reading the file. The
walk matches ``sorted(folder.rglob("*" + suffix))`` filtered to files: names
are matched case-sensitively, hidden files are included, folders that are
symbolic links are not entered, folders that cannot be listed are skipped
(and named to the caller that asks, so that it can refuse to go on), and files
are ordered by their relative path parts, as ``Path`` objects sort.
"""

from __future__ import annotations

import os
from pathlib import Path

Entry = tuple[tuple[str, ...], os.DirEntry]


def files(folder: Path | str, suffix: str = "", linked_folders: list[str] | None = None,
          unreadable: list[str] | None = None) -> list[Entry]:
    """``(relative parts, entry)`` of each file under ``folder`` named ``*suffix``.

    Folders that are symbolic links are not entered; their paths are added to
    ``linked_folders`` when a list is given. Folders that cannot be listed (no
    permission) are added to ``unreadable`` when a list is given.
    """
    found: list[Entry] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(os.fspath(folder), ())]
    while pending:
        directory, parts = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.endswith(suffix) and entry.is_file():
                        found.append(((*parts, entry.name), entry))
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, (*parts, entry.name)))
                    elif linked_folders is not None and entry.is_symlink() and entry.is_dir():
                        linked_folders.append(entry.path)
        except PermissionError:
            if unreadable is not None:
                unreadable.append(directory)
            continue
        except (FileNotFoundError, NotADirectoryError):
            continue
    found.sort(key=lambda item: item[0])
    return found
