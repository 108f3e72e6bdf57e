#!/usr/bin/env python3
"""Gemini CLI: its own agent and skill loaders, imported from the installed bundle.

Entry points (internal): `loadAgentsFromDirectory(dir)` -> {agents, errors} and
`loadSkillFromFile(file)` -> metadata or null, exported by the bundle chunk that
bundle/gemini.js reaches through its imports (found by content: findchunk.mjs).
Project folders read, as the CLI's Storage class names them: .gemini/agents
(top level *.md, not starting with `_`), .gemini/skills and .agents/skills
(SKILL.md and */SKILL.md; skills load only in a trusted folder).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, agent_files, copy_project, driver_main, entry, installed,  # noqa: E402
                    npm_package_dir, rel, result, run, sandbox, scrub, skill_files)

NAME = "gemini"
AGENT_DIRS = SCOPE[NAME]["agents"]
SKILL_DIRS = SCOPE[NAME]["skills"]
HERE = Path(__file__).resolve().parent


def load(project: Path, plugin, scope):
    spec, folder = installed(NAME)
    bundle = npm_package_dir(folder, spec["package"]) / "bundle"
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        settings = Path(env["HOME"]) / ".gemini" / "settings.json"
        settings.parent.mkdir(parents=True)
        settings.write_text(json.dumps({"privacy": {"usageStatisticsEnabled": False}}))
        agents = [p for d in agent_dirs for p in agent_files(copy, d) if not p.name.startswith("_")]
        skills = skill_files(copy, skill_dirs)
        job = {"agentDirs": [str(copy / d) for d in agent_dirs], "skillFiles": [str(p) for p in skills]}
        proc = run(["node", str(HERE / "gemini.mjs"), str(bundle), json.dumps(job)], env=env, cwd=copy)
        if proc.returncode != 0:
            raise ClientError(f"gemini loader failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        files, loaded = [], []
        errors_by_file: dict[str, list[str]] = {}
        for err in data["errors"]:
            errors_by_file.setdefault(rel(err["filePath"], copy), []).append(scrub(err["message"], copy))
        for p in agents:
            path = rel(p, copy)
            files.append(entry(path, "agent", errors_by_file.pop(path, [])))
        for path, errs in errors_by_file.items():  # a folder-level error
            files.append(entry(path, "agent", errs))
        loaded += [a["name"] for a in data["agents"]]
        for s in data["skills"]:
            path = rel(s["file"], copy)
            errs = [] if s["name"] else ["loadSkillFromFile returned null: no frontmatter, or no string name and description (the CLI skips it silently)"]
            files.append(entry(path, "skill", errs))
            if s["name"]:
                loaded.append(s["name"])
        return result(NAME, spec["version"], files, loaded, entry_point=f"bundle/{data['chunk']}: loadAgentsFromDirectory, loadSkillFromFile")


if __name__ == "__main__":
    driver_main(NAME, load)
