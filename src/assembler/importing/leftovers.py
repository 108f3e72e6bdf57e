"""The staging folders a killed import leaves in a catalog, and whose they are.

A real import stages its files in ``.assembler-import-…/`` inside the catalog
root and removes the folder when it ends. A process killed outright (SIGKILL,
power loss) cannot, so the folder's name records its owner: a hash of the host
name, the process id, and a hash of the boot id and the process's start time
(from ``/proc``; ``none`` where there is no ``/proc``), which tells a reused
process id apart. The next import removes a staging folder whose owner is gone
and leaves every other one alone: one of a process that is still running, one
made on another host (a shared folder: its process cannot be asked about), and
one whose owner cannot be told (an older name without an owner, or Windows).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
from pathlib import Path

STAGE_PREFIX = ".assembler-import-"
UNKNOWN_START = "none"  # no /proc to read a start time from
STAGE = re.compile(re.escape(STAGE_PREFIX) + r"(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-"
                   r"(?P<start>[0-9a-f]{12}|" + UNKNOWN_START + r")-[a-z0-9_]{8}$")


def stage_prefix(pid: int | None = None) -> str:
    """The start of the name of a staging folder owned by ``pid`` (this process by default);
    ``tempfile.mkdtemp`` adds 8 random characters."""
    pid = os.getpid() if pid is None else pid
    return f"{STAGE_PREFIX}{_host()}-{pid}-{started(pid) or UNKNOWN_START}-"


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def started(pid: int) -> str | None:
    """When process ``pid`` started, as a token a later process with the same id does not
    share (its start time since boot and the boot's id, hashed), or None when ``/proc`` does
    not tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        with open("/proc/sys/kernel/random/boot_id", "rb") as handle:
            boot = handle.read().strip()
    except OSError:
        return None
    fields = stat.rpartition(b")")[2].split()  # the name in parentheses may hold spaces
    if len(fields) < 20:
        return None
    return hashlib.sha256(boot + b":" + fields[19]).hexdigest()[:12]


def owner_gone(name: str) -> bool:
    """True when ``name`` is a staging folder whose import process no longer runs; False
    when it runs, or when that cannot be told."""
    match = STAGE.match(name)
    if match is None or match["host"] != _host() or os.name == "nt":
        return False  # (on Windows, os.kill(pid, 0) would send the process a Ctrl-C)
    pid = int(match["pid"])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: it runs
        pass
    except OSError:
        return False
    now = started(pid)
    return now is not None and now != match["start"]  # a later process with the same id


def leftover_stages(root: Path) -> list[str]:
    """The staging folders directly in ``root`` whose owner is gone, by name."""
    try:
        with os.scandir(root) as entries:
            names = [entry.name for entry in entries if entry.name.startswith(STAGE_PREFIX)
                     and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return sorted(name for name in names if owner_gone(name))


def remove_stages(root: Path, names: list[str]) -> list[str]:
    """Remove the staging folders ``names`` from ``root``; returns those that are gone."""
    removed = []
    for name in names:
        folder = root / name
        if folder.is_symlink():
            continue
        shutil.rmtree(folder, ignore_errors=True)  # another import may be removing it too
        if not os.path.lexists(folder):
            removed.append(name)
    return removed
