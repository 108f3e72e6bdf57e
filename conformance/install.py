#!/usr/bin/env python3
"""Install the pinned real clients (clients.toml) into the cache folder.

    python3 conformance/install.py [NAME ...] [--force]

Each client goes to
    ${ASSEMBLER_CLIENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-assembler/clients}/<name>-<version>/
npm packages with `npm install --prefix`, PyPI packages in a venv of their own.  A
client whose stamp file (.installed.json) names the pinned package and version is
skipped.  Any failure stops the run with a non-zero exit and says which client and
why: no client is ever skipped silently.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import QUIET_ENV, STAMP, cache_root, client_dir, load_clients  # noqa: E402


class InstallError(Exception):
    pass


def du_mb(path: Path) -> float:
    total, seen = 0, set()
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:  # hard links count once
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return round(total / 1e6, 1)


def sh(cmd: list[str], **kw) -> None:
    print("  $", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise InstallError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{tail}")


def install_npm(spec: dict, folder: Path) -> None:
    npm = shutil.which("npm")
    if not npm:
        raise InstallError("npm is not on PATH (Node 20+ and npm are needed)")
    folder.mkdir(parents=True, exist_ok=True)
    # A package.json of our own keeps npm from walking up to a parent project.
    (folder / "package.json").write_text(json.dumps({"name": "conformance-client", "private": True}) + "\n")
    env = dict(os.environ, **QUIET_ENV)
    sh([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--no-update-notifier",
        "--loglevel=error", "--save-exact", f"{spec['package']}@{spec['version']}"], env=env)
    pkg = folder / "node_modules" / spec["package"] / "package.json"
    if not pkg.is_file():
        raise InstallError(f"npm reported success but {pkg} is missing")
    got = json.loads(pkg.read_text())["version"]
    if got != spec["version"]:
        raise InstallError(f"npm installed {spec['package']} {got}, not the pinned {spec['version']}")


def install_pypi(spec: dict, folder: Path) -> None:
    venv = folder / "venv"
    sh([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    sh([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        f"{spec['package']}=={spec['version']}"])
    out = subprocess.run([str(py), "-m", "pip", "show", spec["package"]], capture_output=True, text=True)
    if f"Version: {spec['version']}" not in out.stdout:
        raise InstallError(f"pip did not install {spec['package']}=={spec['version']}:\n{out.stdout}{out.stderr}")


INSTALLERS = {"npm": install_npm, "pypi": install_pypi}


def stamp_matches(folder: Path, spec: dict) -> bool:
    try:
        data = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return data.get("package") == spec["package"] and data.get("version") == spec["version"]


def install(name: str, spec: dict, force: bool) -> dict:
    folder = client_dir(name, spec)
    if stamp_matches(folder, spec) and not force:
        data = json.loads((folder / STAMP).read_text())
        print(f"{name} {spec['version']}: already installed in {folder}")
        return data
    kind = spec["kind"]
    if kind not in INSTALLERS:
        raise InstallError(f"unknown kind {kind!r} (expected one of {', '.join(INSTALLERS)})")
    if folder.exists():
        shutil.rmtree(folder)  # a partial or stale install: start clean
    print(f"{name} {spec['version']}: installing {spec['package']} into {folder}", flush=True)
    started = time.monotonic()
    try:
        INSTALLERS[kind](spec, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    data = {
        "package": spec["package"],
        "version": spec["version"],
        "kind": kind,
        "seconds": round(time.monotonic() - started, 1),
        "megabytes": du_mb(folder),
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (folder / STAMP).write_text(json.dumps(data, indent=2) + "\n")
    print(f"{name} {spec['version']}: done in {data['seconds']} s, {data['megabytes']} MB")
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="clients to install (default: all in clients.toml)")
    parser.add_argument("--force", action="store_true", help="reinstall even when the stamp matches")
    args = parser.parse_args()
    clients = load_clients()
    unknown = [n for n in args.names if n not in clients]
    if unknown:
        print(f"install.py: unknown client(s): {', '.join(unknown)} (known: {', '.join(clients)})", file=sys.stderr)
        return 2
    print(f"client cache: {cache_root()}")
    failed = []
    for name in args.names or list(clients):
        try:
            install(name, clients[name], args.force)
        except InstallError as exc:
            print(f"\ninstall.py: FAILED to install {name} {clients[name]['version']}: {exc}\n", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"install.py: {len(failed)} client(s) not installed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
