#!/usr/bin/env python3
"""opencode: its own config and skill loaders, through its debug commands.

Entry points: `opencode debug config --pure` (the resolved config, agents included)
and `opencode debug skill --pure` (the skills it found), with the OPENCODE_DISABLE_*
settings of common.QUIET_ENV.  One invalid agent file aborts the whole load
("Configuration is invalid at <file>"), for both commands; so the driver removes the
file that opencode names from the copy and loads again, until the load succeeds:
each rejected file is named by opencode itself, one start per rejected file.
An agent whose frontmatter does not parse is not rejected by opencode: the whole file
becomes its prompt; the driver reports that as a rejection (the agent lost its
description, mode and permissions).
Project folders read: .opencode/agents and .opencode/agent (*.md, recursive), and the
skills folders .opencode/skills, .opencode/skill, .claude/skills, .agents/skills.
opencode writes into the project (.opencode/.gitignore), so it runs on a copy.
"""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, agent_files, copy_project, driver_main, entry, installed,  # noqa: E402
                    rel, result, run, sandbox, scrub, skill_entry, skill_files)

NAME = "opencode"
AGENT_DIRS = SCOPE[NAME]["agents"]
SKILL_DIRS = SCOPE[NAME]["skills"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
INVALID = re.compile(r"Configuration is invalid at (.+?)\s*$", re.M)


def _load_until_valid(cmd, copy, env, rejected):
    """Runs an opencode debug command, dropping each file it names as invalid."""
    for _ in range(200):
        proc = run(cmd, env=env, cwd=copy, timeout=120)
        if proc.returncode == 0:
            return json.loads(proc.stdout)
        text = ANSI.sub("", proc.stderr + proc.stdout)
        m = INVALID.search(text)
        bad = Path(m.group(1)) if m else None
        if bad is None or not bad.is_file():
            raise ClientError(f"`opencode {' '.join(cmd[1:])}` exited {proc.returncode}: {scrub(text.strip(), copy)[-1500:]}")
        detail = [ln.lstrip("↳ ").strip() for ln in text[m.end():].splitlines() if ln.strip()]
        rejected.setdefault(rel(bad, copy), []).append(
            scrub(f"Configuration is invalid at {bad}" + (": " + "; ".join(detail[:5]) if detail else ""), copy))
        bad.unlink()
    raise ClientError("opencode kept rejecting files after 200 loads")


def load(project: Path, plugin, scope):
    spec, folder = installed(NAME)
    opencode = str(folder / "node_modules" / ".bin" / "opencode")
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        agents = [p for d in agent_dirs for p in agent_files(copy, d, recursive=True)]
        skills = skill_files(copy, skill_dirs)
        rejected: dict[str, list[str]] = {}
        config = _load_until_valid([opencode, "debug", "config", "--pure"], copy, env, rejected)
        found_skills = _load_until_valid([opencode, "debug", "skill", "--pure"], copy, env, rejected)
        files, loaded = [], []
        by_file = {}
        for name, agent in (config.get("agent") or {}).items():
            by_file[name] = agent
        for p in agents:
            path = rel(p, copy)
            errs = rejected.pop(path, [])
            stem = p.relative_to(next(copy / d for d in agent_dirs if p.is_relative_to(copy / d))).with_suffix("").as_posix()
            agent = by_file.get(stem) or by_file.get(p.stem)
            if not errs and agent is None:
                errs = ["not among the agents of `opencode debug config` (skipped without an error)"]
            elif not errs and str(agent.get("prompt", "")).lstrip().startswith("---"):
                errs = ["the frontmatter did not parse: opencode took the whole file as the prompt "
                        "and dropped description, mode and permissions"]
            files.append(entry(path, "agent", errs))
        locations = {rel(s["location"], copy): s["name"] for s in found_skills if s.get("location", "").startswith("/")}
        for p in skills:
            path = rel(p, copy)
            files.append(skill_entry(p, path, locations, rejected.pop(path, []), [],
                                     "not in `opencode debug skill` (skipped without an error)"))
        # everything opencode reports from the project, in or out of the folders above
        loaded = [a.get("name") or n for n, a in by_file.items()] + list(locations.values())
        for path, errs in rejected.items():  # other files opencode refused (e.g. opencode.json)
            files.append(entry(path, "config", errs))
        return result(NAME, spec["version"], files, loaded,
                      entry_point="opencode debug config --pure; opencode debug skill --pure")


if __name__ == "__main__":
    driver_main(NAME, load)
