#!/usr/bin/env python3
"""Load a project's agent and skill files in every real client; fail on any rejection.

    python3 conformance/run.py PROJECT [PROJECT ...] [--plugin DIR] [--out FILE] [--jobs N]

Runs each driver of drivers/ (one per client pinned in clients.toml) over each
PROJECT folder and, with --plugin, hands a Claude plugin root to the clients that
read plugins.  Prints a table (client, version, files ok / rejected) and writes the
drivers' JSON reports to --out.  Exit 0 when every file a client reads loads;
1 when a client rejects a file; 2 when a client could not run at all (not
installed, crashed, timed out): a client is never skipped silently.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# What each client reads from a project, as verified in the installed clients
# (probe_scope.py re-checks it; README.md says how each was found).  The drivers read
# their folders from this table.  "plugin": the client also validates a plugin root.
SCOPE: dict[str, dict] = {
    "claude": {"agents": [".claude/agents"], "skills": [".claude/skills"], "plugin": True},
    "gemini": {"agents": [".gemini/agents"], "skills": [".gemini/skills", ".agents/skills"]},
    "codex": {"agents": [".codex/agents"], "skills": [".codex/skills", ".agents/skills"]},
    "opencode": {"agents": [".opencode/agents", ".opencode/agent"],
                 "skills": [".opencode/skills", ".opencode/skill", ".claude/skills", ".agents/skills"]},
    "copilot": {"agents": [".github/agents", ".claude/agents"],
                "skills": [".github/skills", ".claude/skills", ".agents/skills"]},
    "qwen": {"agents": [".qwen/agents"], "skills": [".qwen/skills", ".agents/skills"]},
    # not a client: the Agent Skills standard's validator, over the standard's own folder.
    # .claude/skills is Claude Code's format (the six keys plus when_to_use, argument-hint,
    # …); Claude Code's validator checks it, and Copilot and opencode, which read it too,
    # accept those keys.
    "skills-ref": {"agents": [], "skills": [".agents/skills"]},
}

# Formats with no installable client on the package registries: checked by schema only
# (the project's own tests), never by a real loader here.
SCHEMA_ONLY = {
    ".cursor/agents": "Cursor (no client on npm or PyPI)",
    ".factory/droids": "Factory Droid (npm @factory/cli has no command that loads droids offline)",
    ".kiro/agents": "Kiro (no client on npm or PyPI)",
    ".agents/agents": "Antigravity (no client on npm or PyPI)",
}


def driver_path(client: str) -> Path:
    return HERE / "drivers" / f"{client.replace('-', '_')}.py"


def run_driver(client: str, project: Path, plugin: Path | None) -> dict:
    cmd = [sys.executable, str(driver_path(client)), str(project)]
    if plugin is not None and SCOPE[client].get("plugin"):
        cmd += ["--plugin", str(plugin)]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return {"client": client, "error": "the driver did not finish in 900 s"}
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        data = {"client": client, "error": f"driver exited {proc.returncode} without JSON: "
                                           f"{(proc.stderr or proc.stdout).strip()[-1500:]}"}
    if proc.returncode not in (0, 1) and "error" not in data:
        data["error"] = f"driver exited {proc.returncode}: {proc.stderr.strip()[-1500:]}"
    data.setdefault("seconds", round(time.monotonic() - started, 2))
    return data


def schema_only_files(project: Path) -> dict[str, list[str]]:
    out = {}
    for folder, why in SCHEMA_ONLY.items():
        base = project / folder
        if base.is_dir():
            found = sorted(p.relative_to(project).as_posix() for p in base.rglob("*") if p.is_file())
            if found:
                out[folder] = found
    return out


def layout_problems(project: Path) -> list[dict]:
    """Skill folders whose manifest is not spelled exactly SKILL.md: every client
    skips them without a word (observed: a skill.md in .agents/skills and in
    .claude/skills is loaded by none of Codex, Copilot, opencode; Gemini and Qwen
    look for the exact name), so no driver would see them."""
    folders = sorted({d for spec in SCOPE.values() for d in spec["skills"]})
    out = []
    for folder in folders:
        base = project / folder
        if not base.is_dir():
            continue
        for skill in sorted(p for p in base.iterdir() if p.is_dir()):
            names = [p.name for p in skill.iterdir() if p.is_file()]
            if "SKILL.md" not in names:
                near = [n for n in names if n.lower() == "skill.md"]
                if near:
                    out.append({"path": f"{folder}/{skill.name}/{near[0]}", "kind": "skill", "ok": False,
                                "errors": [f"named {near[0]}, not SKILL.md: every client skips it silently"]})
    return out


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def check(project: Path, plugin: Path | None, clients: list[str], jobs: int) -> tuple[int, dict]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(lambda c: run_driver(c, project, plugin), clients))
    rows = [["client", "version", "ok", "rejected", "seconds", "note"]]
    status = 0
    for rep in reports:
        if "error" in rep:
            rows.append([rep["client"], rep.get("version", "?"), "-", "-", str(rep.get("seconds", "")),
                         "FAILED TO RUN: " + rep["error"].splitlines()[0][:100]])
            status = max(status, 2)
            continue
        ok = sum(f["ok"] for f in rep["files"])
        bad = [f for f in rep["files"] if not f["ok"]]
        note = "reads nothing here" if not rep["files"] else ""
        rows.append([rep["client"], rep["version"], str(ok), str(len(bad)), str(rep.get("seconds", "")), note])
        if bad:
            status = max(status, 1)
    print(f"\n{project}" + (f" (plugin {plugin})" if plugin else ""))
    print(table(rows))
    for rep in reports:
        for f in rep.get("files", []):
            if not f["ok"]:
                print(f"  REJECTED by {rep['client']}: {f['path']}")
                for e in f["errors"]:
                    print("    " + e.replace("\n", "\n    ")[:600])
            for w in f.get("warnings", []):
                print(f"  warning from {rep['client']}: {w[:300]}")
        if "error" in rep:
            print(f"  {rep['client']} FAILED TO RUN: {rep['error'][:1500]}")
    layout = layout_problems(project)
    for f in layout:
        print(f"  REJECTED (layout): {f['path']}: {f['errors'][0]}")
    if layout:
        status = max(status, 1)
    schema = schema_only_files(project)
    for folder, found in schema.items():
        print(f"  schema only, no real client: {len(found)} file(s) in {folder} ({SCHEMA_ONLY[folder]})")
    return status, {"project": str(project), "plugin": str(plugin) if plugin else None,
                    "reports": reports, "layout": layout, "schema_only": schema}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", nargs="+", type=Path)
    parser.add_argument("--plugin", type=Path, help="a Claude plugin root (.claude-plugin/plugin.json)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "conformance" / "report.json")
    parser.add_argument("--client", action="append", choices=sorted(SCOPE), help="only these clients")
    parser.add_argument("--jobs", type=int, default=2, help="clients run at once (default 2)")
    args = parser.parse_args(argv)
    clients = args.client or list(SCOPE)
    status, results = 0, []
    for project in args.projects:
        if not project.is_dir():
            print(f"run.py: no such project folder: {project}", file=sys.stderr)
            return 2
        s, res = check(project.resolve(), args.plugin.resolve() if args.plugin else None, clients, args.jobs)
        status, _ = max(status, s), results.append(res)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nreport: {args.out}")
    print({0: "conformance: every file loads in every client that reads it",
           1: "conformance: FAILED, a client rejected a file",
           2: "conformance: FAILED, a client could not run"}[status])
    return status


if __name__ == "__main__":
    sys.exit(main())
