#!/usr/bin/env python3
"""Claude Code: its own validator, `claude plugin validate --json --strict`.

Entry point: `claude plugin validate --json --strict <dir>` on the project's .claude
folder (its agents/, skills/ and commands/), and on a plugin root (a folder with
.claude-plugin/plugin.json) when --plugin is given.  --json lists only the files with
findings; --strict turns warnings into failures (exit 1), which the driver reports
as rejections, prefixed "warning:".  The validator reports no loaded names for a
.claude folder; for a plugin root it lists what the plugin provides
(`provides.agents`, `provides.skills`), which the driver reports as loaded.
Project folders read: .claude/agents (*.md, recursive) and .claude/skills (<n>/SKILL.md).
"""
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, agent_files, copy_project, driver_main, entry, installed,  # noqa: E402
                    rel, result, run, sandbox, scrub, skill_files)

NAME = "claude"
AGENT_DIRS = SCOPE[NAME]["agents"]
SKILL_DIRS = SCOPE[NAME]["skills"]


def validate(claude: str, target: Path, env: dict, cwd: Path) -> dict:
    proc = run([claude, "plugin", "validate", "--json", "--strict", str(target)], env=env, cwd=cwd)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise ClientError(f"claude plugin validate exited {proc.returncode} without a JSON report: "
                          f"{(proc.stdout + proc.stderr).strip()[-1500:]}") from None


def findings(item: dict, base: Path) -> list[str]:
    out = [f"{e.get('path') or ''}: {e['message']}".lstrip(": ") for e in item.get("errors", [])]
    out += [f"warning: {w.get('path') or ''}: {w['message']}".replace("warning: : ", "warning: ")
            for w in item.get("warnings", [])]
    return [scrub(m, base) for m in out]


def load(project: Path, plugin, scope):
    spec, folder = installed(NAME)
    claude = str(folder / "node_modules" / ".bin" / "claude")
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        for d in AGENT_DIRS + SKILL_DIRS:
            if d not in agent_dirs + skill_dirs and (copy / d).exists():
                shutil.rmtree(copy / d)
        files, loaded, extra = [], [], {}
        wanted = [(p, "agent") for d in agent_dirs for p in agent_files(copy, d, recursive=True)]
        wanted += [(p, "skill") for p in skill_files(copy, skill_dirs)]
        if wanted:
            report = validate(claude, copy / ".claude", env, copy)
            by_file = {rel(c["file"], copy): c for c in report.get("contents", [])}
            for p, kind in wanted:
                path = rel(p, copy)
                files.append(entry(path, kind, findings(by_file.pop(path, {}), copy)))
            for path, c in by_file.items():  # commands and other files it checked
                files.append(entry(path, c.get("type", "file"), findings(c, copy)))
            if report.get("success") is False and all(f["ok"] for f in files):
                files.append(entry(".claude", "folder", [scrub(json.dumps(report)[:800], copy)]))
        if plugin is not None:
            pcopy = root / "plugin" / plugin.name
            shutil.copytree(plugin, pcopy, symlinks=True)
            report = validate(claude, pcopy, env, pcopy)
            label = plugin.name
            if report.get("manifest"):
                m = report["manifest"]
                files.append(entry(f"{label}/{rel(m['file'], pcopy)}", "manifest", findings(m, pcopy)))
            by_file = {rel(c["file"], pcopy): c for c in report.get("contents", [])}
            parts = [(p, "agent") for p in agent_files(pcopy, "agents", recursive=True)]
            parts += [(p, "skill") for p in skill_files(pcopy, ["skills"])]
            for p, kind in parts:
                path = rel(p, pcopy)
                files.append(entry(f"{label}/{path}", kind, findings(by_file.pop(path, {}), pcopy)))
            for path, c in by_file.items():
                files.append(entry(f"{label}/{path}", c.get("type", "file"), findings(c, pcopy)))
            provides = report.get("provides") or {}
            loaded += provides.get("agents", []) + provides.get("skills", []) + provides.get("commands", [])
            extra["plugin_provides"] = provides
            if report.get("success") is False and all(f["ok"] for f in files):
                files.append(entry(label, "plugin", ["claude plugin validate reported failure"]))
        return result(NAME, spec["version"], files, loaded,
                      entry_point="claude plugin validate --json --strict", **extra)


if __name__ == "__main__":
    driver_main(NAME, load)
