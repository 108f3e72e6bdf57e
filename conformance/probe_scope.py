#!/usr/bin/env python3
"""Which project folders does each client read?  A re-check for run.py's SCOPE table.

    python3 conformance/probe_scope.py

Writes a throw-away project with one valid agent in every candidate agent folder and
one valid skill in every candidate skills folder, each named after its folder, runs
every driver with no folder restriction, and prints the names each client reports
as loaded from the project.  Gemini and Qwen are called on the folders their bundles
name (their internal loaders take a folder), so for them this confirms the loaders
accept the files; Claude's validator reports no names.  Run it after bumping a
client in clients.toml, and update run.py's SCOPE from what it prints.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
AGENT_DIRS = [".claude/agents", ".github/agents", ".gemini/agents", ".opencode/agents", ".opencode/agent",
              ".qwen/agents", ".cursor/agents", ".factory/droids", ".kiro/agents", ".agents/agents",
              ".codex/agents", ".copilot/agents"]
SKILL_DIRS = [".claude/skills", ".agents/skills", ".github/skills", ".gemini/skills", ".qwen/skills",
              ".opencode/skills", ".codex/skills", ".cursor/skills", ".copilot/skills", ".opencode/skill"]
CLIENTS = ["claude", "gemini", "codex", "opencode", "copilot", "qwen", "skills_ref"]


def slug(folder: str, kind: str) -> str:
    return "p-" + folder.strip(".").replace("/", "-").replace(".", "") + "-" + kind


def write(project: Path) -> None:
    for d in AGENT_DIRS:
        name = slug(d, "agent")
        folder = project / d
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_text(
            f"---\nname: {name}\ndescription: A probe agent that lives in {d}.\n---\n"
            f"You answer with the name of the folder you were loaded from.\n")
        if d.startswith(".codex"):
            (folder / f"{name}-toml.toml").write_text(
                f'name = "{name}-toml"\ndescription = "A probe agent in {d}."\n'
                f'developer_instructions = "Answer with the name of the folder you were loaded from."\n')
        if d.startswith(".github"):
            (folder / f"{name}-dot.agent.md").write_text(
                f"---\nname: {name}-dot\ndescription: A probe agent (.agent.md) in {d}.\n---\n"
                f"You answer with the name of the folder you were loaded from.\n")
    for d in SKILL_DIRS:
        name = slug(d, "skill")
        folder = project / d / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: A probe skill that lives in {d}.\n---\nSay which folder you came from.\n")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="probe-scope-") as tmp:
        project = Path(tmp) / "project"
        write(project)
        for client in CLIENTS:
            proc = subprocess.run([sys.executable, str(HERE / "drivers" / f"{client}.py"), str(project)],
                                  capture_output=True, text=True)
            try:
                data = json.loads(proc.stdout)
            except ValueError:
                print(f"{client}: no JSON (exit {proc.returncode}): {proc.stderr[-500:]}")
                continue
            if "error" in data:
                print(f"{client}: {data['error']}")
                continue
            loaded = sorted(n for n in data["loaded"] if n.startswith("p-"))
            rejected = [f["path"] for f in data["files"] if not f["ok"]]
            print(f"{client} {data['version']}:")
            print(f"  loaded:   {', '.join(loaded) or '(no names reported)'}")
            if rejected:
                print(f"  rejected: {', '.join(rejected)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
