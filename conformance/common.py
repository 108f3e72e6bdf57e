"""Shared helpers of the conformance harness (Python 3.11 standard library only).

The pinned clients live in clients.toml beside this file; each one is installed under
the cache folder (outside the repository) by install.py.  Every client run goes
through `sandbox()`: an empty HOME, XDG_* folders and TMPDIR of its own, plus the
quiet settings that stop the client from looking up any host.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENTS_TOML = HERE / "clients.toml"
STAMP = ".installed.json"

# Settings every client run gets, whatever the client: no telemetry, no update
# checks, no error reports, no model lists.  Harmless for the clients that do not
# read a given variable.
QUIET_ENV = {
    # Claude Code
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_BUG_COMMAND": "1",
    # opencode
    "OPENCODE_DISABLE_MODELS_FETCH": "1",
    "OPENCODE_DISABLE_AUTOUPDATE": "1",
    "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
    "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
    "OPENCODE_DISABLE_SHARE": "1",
    "OPENCODE_DISABLE_AUTOCOMPACT": "1",
    # Gemini CLI / Qwen Code
    "GEMINI_CLI_NO_RELAUNCH": "true",
    "NO_BROWSER": "true",
    # Copilot CLI
    "COPILOT_DISABLE_TELEMETRY": "1",
    # generic
    "DO_NOT_TRACK": "1",
    "NO_UPDATE_NOTIFIER": "1",
    "NO_COLOR": "1",
    "CI": "1",
}

# Variables copied from the caller's environment into a sandbox; nothing else is.
PASS_ENV = ("PATH", "LANG", "LC_ALL", "TERM", "SSL_CERT_FILE")


def load_clients() -> dict[str, dict]:
    with CLIENTS_TOML.open("rb") as fh:
        data = tomllib.load(fh)
    clients = data.get("clients", {})
    for name, spec in clients.items():
        for key in ("kind", "package", "version"):
            if key not in spec:
                raise SystemExit(f"{CLIENTS_TOML}: client {name!r} has no {key!r}")
    return clients


def cache_root() -> Path:
    explicit = os.environ.get("ASSEMBLER_CLIENTS_CACHE")
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(xdg).expanduser() / "agent-assembler" / "clients").resolve()


def client_dir(name: str, spec: dict | None = None) -> Path:
    spec = spec or load_clients()[name]
    return cache_root() / f"{name}-{spec['version']}"


def installed(name: str) -> tuple[dict, Path]:
    """The client's spec and install folder; exits 2 when it is not installed."""
    spec = load_clients()[name]
    folder = client_dir(name, spec)
    stamp = folder / STAMP
    if not stamp.is_file():
        raise ClientError(f"{name} {spec['version']} is not installed in {folder}: run conformance/install.py")
    return spec, folder


def npm_package_dir(folder: Path, package: str) -> Path:
    return folder / "node_modules" / package


class ClientError(Exception):
    """The client could not be run at all (as opposed to rejecting a file)."""


@contextlib.contextmanager
def sandbox(name: str):
    """A throw-away home for one client run: yields (root, env)."""
    root = Path(tempfile.mkdtemp(prefix=f"conformance-{name}-"))
    home = root / "home"
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_RUNTIME_DIR": root / "run",
        "TMPDIR": root / "tmp",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    os.chmod(dirs["XDG_RUNTIME_DIR"], 0o700)
    env = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
    env.update({k: str(v) for k, v in dirs.items()})
    env.update(QUIET_ENV)
    try:
        yield root, env
    finally:
        shutil.rmtree(root, ignore_errors=True)


def copy_project(project: Path, dest: Path) -> Path:
    """Copy a project folder (clients may write into it); returns the copy."""
    target = dest / "project"
    shutil.copytree(project, target, symlinks=True)
    return target


_NET_PREFIX: list[str] | None = None


def no_network() -> list[str]:
    """A command prefix that runs a client in a network namespace of its own (only a
    loopback, no route to any host), when this machine allows one (`unshare -n`, as
    root or with user namespaces); else [] and the quiet settings alone keep it offline.
    ASSEMBLER_CONFORMANCE_NETNS=0 turns it off."""
    global _NET_PREFIX
    if _NET_PREFIX is None:
        _NET_PREFIX = []
        if os.environ.get("ASSEMBLER_CONFORMANCE_NETNS", "1") != "0" and shutil.which("unshare"):
            for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
                try:
                    ok = subprocess.run(prefix + ["true"], capture_output=True, timeout=10).returncode == 0
                except (OSError, subprocess.TimeoutExpired):
                    ok = False
                if ok:
                    _NET_PREFIX = prefix
                    break
    return list(_NET_PREFIX)


def run(cmd: list[str], *, env: dict, cwd: Path | None = None, timeout: float = 120,
        input: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(no_network() + cmd, env=env, cwd=cwd, input=input, capture_output=True,
                              text=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise ClientError(f"cannot run {cmd[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ClientError(f"{' '.join(map(str, cmd[:3]))} did not finish in {timeout:.0f} s") from exc


def scrub(text: str, root: Path) -> str:
    """A client message with the sandbox copy's absolute path made relative."""
    for prefix in {str(root), str(Path(root).resolve())}:
        text = text.replace(prefix + "/", "").replace(prefix, ".")
    return text


def rel(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def skill_files(project: Path, folders: list[str]) -> list[Path]:
    """<folder>/<n>/SKILL.md files, exact name only, as every client looks them up."""
    out = []
    for folder in folders:
        base = project / folder
        if base.is_dir():
            out += sorted(p / "SKILL.md" for p in base.iterdir() if (p / "SKILL.md").is_file())
    return out


def agent_files(project: Path, folder: str, suffixes: tuple[str, ...] = (".md",),
                recursive: bool = False) -> list[Path]:
    base = project / folder
    if not base.is_dir():
        return []
    found = base.rglob("*") if recursive else base.iterdir()
    return sorted(p for p in found if p.is_file() and p.name.endswith(suffixes))


def skill_entry(skill_md: Path, path: str, loaded: dict[str, str], errors: list[str],
                warnings: list[str], missing: str) -> dict:
    """The report entry of one skill file. A file the client did not load (``missing`` says
    how it was skipped) is shadowed, not refused, when the client loaded a skill of the same
    name from another folder: a client that reads several skills folders keeps one skill per
    name, so a skill written to two of them is loaded once."""
    if not errors and path not in loaded:
        name = skill_md.parent.name
        twin = next((other for other, found in sorted(loaded.items()) if found == name), None)
        if twin is None:
            errors = [missing]
        else:
            warnings = [*warnings, f"shadowed by {twin}, a skill of the same name it loaded"]
    return entry(path, "skill", errors, warnings)


def result(client: str, version: str, files: list[dict], loaded: list[str],
           **extra) -> dict:
    out = {"client": client, "version": version, "files": files, "loaded": sorted(set(loaded))}
    out.update(extra)
    return out


def entry(path: str, kind: str, errors: list[str], warnings: list[str] | None = None) -> dict:
    out = {"path": path, "kind": kind, "ok": not errors, "errors": errors}
    if warnings:
        out["warnings"] = warnings
    return out


def driver_main(client: str, fn) -> None:
    """Common command line of every driver: PROJECT [--plugin DIR]; prints JSON."""
    import argparse

    parser = argparse.ArgumentParser(description=f"Load a project's files with {client}.")
    parser.add_argument("project", type=Path)
    parser.add_argument("--plugin", type=Path, default=None,
                        help="a plugin root (only clients that read plugins use it)")
    parser.add_argument("--scope", action="append", default=None,
                        help="restrict to these project folders (default: all the client reads)")
    args = parser.parse_args()
    project = args.project.resolve()
    if not project.is_dir():
        print(json.dumps({"client": client, "error": f"no such folder: {project}"}))
        sys.exit(2)
    started = time.monotonic()
    try:
        out = fn(project, args.plugin.resolve() if args.plugin else None, args.scope)
    except ClientError as exc:
        print(json.dumps({"client": client, "error": str(exc)}, indent=2))
        sys.exit(2)
    out["seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(out, indent=2))
    sys.exit(0 if all(f["ok"] for f in out["files"]) else 1)
