#!/usr/bin/env python3
"""Qwen Code: its own subagent and skill parsers, imported from the installed bundle.

Entry points (internal): SubagentManager.parseSubagentFile(file, "project") and
SkillManager.parseSkillFile(file, "project"), from the chunk of chunks/ that defines
and exports both classes (found by content: findchunk.mjs), with a small config stub.
Project folders read, as the bundle names them: .qwen/agents (top-level *.md) and
the skills folders .qwen/skills and .agents/skills (<n>/SKILL.md).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, agent_files, copy_project, driver_main, entry, installed,  # noqa: E402
                    npm_package_dir, rel, result, run, sandbox, scrub, skill_files)

NAME = "qwen"
AGENT_DIRS = SCOPE[NAME]["agents"]
SKILL_DIRS = SCOPE[NAME]["skills"]
HERE = Path(__file__).resolve().parent


def load(project: Path, plugin, scope):
    spec, folder = installed(NAME)
    pkg = npm_package_dir(folder, spec["package"])
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        agents = [p for d in agent_dirs for p in agent_files(copy, d)]
        skills = skill_files(copy, skill_dirs)
        job = {"projectRoot": str(copy), "agentFiles": [str(p) for p in agents], "skillFiles": [str(p) for p in skills]}
        proc = run(["node", str(HERE / "qwen.mjs"), str(pkg), json.dumps(job)], env=env, cwd=copy)
        if proc.returncode != 0:
            raise ClientError(f"qwen loader failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        files, loaded = [], []
        for kind, items in (("agent", data["agents"]), ("skill", data["skills"])):
            for it in items:
                errs = [scrub(it["error"], copy)] if it["error"] else []
                files.append(entry(rel(it["file"], copy), kind, errs))
                if it["name"]:
                    loaded.append(it["name"])
        return result(NAME, spec["version"], files, loaded, listed=data.get("listed"),
                      entry_point=f"chunks/{data['chunk']}: SubagentManager.parseSubagentFile, SkillManager.parseSkillFile")


if __name__ == "__main__":
    driver_main(NAME, load)
