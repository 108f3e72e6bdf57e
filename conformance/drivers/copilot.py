#!/usr/bin/env python3
"""GitHub Copilot CLI: the agent and skill discovery of its native runtime.

The npm package holds a native launcher that unpacks the CLI (JavaScript plus
native addons, ~235 MB) into $XDG_CACHE_HOME/copilot/pkg/<platform>/<version>/ on its
first run.  The driver runs that first start once, offline, with XDG_CACHE_HOME
pointing into the client's cache folder (<cache>/copilot-<version>/unpacked/), then
loads prebuilds/<platform>/runtime.node in Node and calls what the CLI calls
(internal entry points): customAgentsDiscoverJson -> {agents, warnings, errors} and
skillsLoad -> {skills, warnings, errors}.  No login is needed for project files.
Project folders read (observed): .github/agents, .claude/agents (agents);
.github/skills, .claude/skills, .agents/skills (skills).
"""
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, agent_files, copy_project, driver_main, entry, installed,  # noqa: E402
                    rel, result, run, sandbox, scrub, skill_entry, skill_files)

NAME = "copilot"
AGENT_DIRS = SCOPE[NAME]["agents"]
SKILL_DIRS = SCOPE[NAME]["skills"]
HERE = Path(__file__).resolve().parent


def unpacked(spec: dict, folder: Path) -> Path:
    import platform
    arch = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    plat = f"linux-{arch}" if sys.platform.startswith("linux") else f"{sys.platform}-{arch}"
    base = folder / "unpacked"
    pkg = base / "copilot" / "pkg" / plat / spec["version"]
    if (pkg / ".extraction-complete").is_file():
        return pkg
    launcher = folder / "node_modules" / "@github" / f"copilot-{plat}" / "copilot"
    if not launcher.is_file():
        raise ClientError(f"no native Copilot launcher at {launcher}")
    with sandbox(NAME) as (_root, env):
        env["XDG_CACHE_HOME"] = str(base)
        proc = run([str(launcher), "--version"], env=env, timeout=300)
    if proc.returncode != 0 or not (pkg / ".extraction-complete").is_file():
        raise ClientError(f"the first start of copilot did not unpack into {pkg} (exit {proc.returncode}): "
                          f"{(proc.stdout + proc.stderr).strip()[-1000:]}")
    return pkg


def _split(messages, copy):
    """'<relative path>: message' strings, as the runtime reports them, by file."""
    out: dict[str, list[str]] = {}
    for msg in messages:
        text = scrub(msg if isinstance(msg, str) else json.dumps(msg), copy)
        path, sep, _rest = text.partition(": ")
        out.setdefault(path if sep else "", []).append(text)
    return out


def load(project: Path, plugin, scope):
    """Each agent folder on its own: Copilot keeps one agent per file name, so a
    `.github/agents/x.agent.md` hides `.claude/agents/x.md`, which would then never
    be checked. Skills are loaded together, once."""
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    runs = [[d] for d in agent_dirs] + ([skill_dirs] if skill_dirs else [])
    parts = [_load(project, folders) for folders in runs or [[]]]
    first = parts[0]
    files = [f for part in parts for f in part["files"]]
    loaded = [name for part in parts for name in part.get("loaded", [])]
    return result(NAME, first["version"], files, loaded,
                  entry_point="runtime.node: customAgentsDiscoverJson, skillsLoad "
                              "(one agent folder at a time)")


def _load(project: Path, scope):
    spec, folder = installed(NAME)
    pkg = unpacked(spec, folder)
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        for d in AGENT_DIRS + SKILL_DIRS:  # folders out of scope are not shown to the client
            if d not in agent_dirs + skill_dirs and (copy / d).exists():
                shutil.rmtree(copy / d)
        env["COPILOT_HOME"] = str(Path(env["HOME"]) / ".copilot")
        proc = run(["node", str(HERE / "copilot.mjs"), str(pkg), str(copy)], env=env, cwd=copy)
        if proc.returncode != 0:
            raise ClientError(f"copilot runtime failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        files, loaded = [], []
        a_err, a_warn = _split(data["agentErrors"], copy), _split(data["agentWarnings"], copy)
        found = {rel(a["path"], copy): a["name"] for a in data["agents"] if a.get("source") == "project"}
        for p in [p for d in agent_dirs for p in agent_files(copy, d, recursive=True)]:
            path = rel(p, copy)
            errs = a_err.pop(path, [])
            if not errs and path not in found:
                errs = ["not among the discovered agents (skipped without an error)"]
            files.append(entry(path, "agent", errs, a_warn.pop(path, [])))
        s_err, s_warn = _split(data["skillErrors"], copy), _split(data["skillWarnings"], copy)
        sfound = {rel(s["filePath"], copy): s["name"] for s in data["skills"] if s.get("source") == "project"}
        for p in skill_files(copy, skill_dirs):
            path = rel(p, copy)
            files.append(skill_entry(p, path, sfound, s_err.pop(path, []), s_warn.pop(path, []),
                                     "not among the loaded skills (skipped without an error)"))
        for kind, rest in (("agent", a_err), ("skill", s_err)):
            for path, errs in rest.items():
                files.append(entry(path or "(project)", kind, errs))
        loaded = list(found.values()) + list(sfound.values())
        return result(NAME, spec["version"], files, loaded,
                      entry_point="runtime.node: customAgentsDiscoverJson, skillsLoad")


if __name__ == "__main__":
    driver_main(NAME, load)
