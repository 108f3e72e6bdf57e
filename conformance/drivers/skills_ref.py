#!/usr/bin/env python3
"""Agent Skills reference validator (PyPI skills-ref), in its own venv.

Entry point: skills_ref.validate(skill_dir) -> [error, ...], the function behind
`agentskills validate <skill-dir>`; one process validates every skill folder.
It is no client: it reads the skill folders that several clients share, so the
folders checked are the shared ones, .agents/skills and .claude/skills (a shared
folder must meet the strictest reader).  Like every client, only folders holding an
exact SKILL.md are checked (skills-ref itself would also accept skill.md).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, copy_project, driver_main, entry, installed, rel, result,  # noqa: E402
                    run, sandbox, scrub, skill_files)

NAME = "skills-ref"
SKILL_DIRS = SCOPE[NAME]["skills"]
SCRIPT = r"""
import json, sys
from pathlib import Path
import skills_ref
out = []
for d in json.loads(sys.argv[1]):
    try:
        errors = [str(e) for e in skills_ref.validate(Path(d))]
        name = None if errors else skills_ref.read_properties(Path(d)).name
    except Exception as exc:
        errors, name = [f"{type(exc).__name__}: {exc}"], None
    out.append({"dir": d, "errors": errors, "name": name})
print(json.dumps(out))
"""


def load(project: Path, plugin, scope):
    spec, folder = installed(NAME)
    python = folder / "venv" / "bin" / "python"
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        dirs = [str(p.parent) for p in skill_files(copy, skill_dirs)]
        proc = run([str(python), "-I", "-c", SCRIPT, json.dumps(dirs)], env=env, cwd=copy)
        if proc.returncode != 0:
            raise ClientError(f"skills-ref failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        data = json.loads(proc.stdout)
        files = [entry(rel(Path(d["dir"]) / "SKILL.md", copy), "skill", [scrub(e, copy) for e in d["errors"]])
                 for d in data]
        loaded = [d["name"] for d in data if d["name"]]
        return result(NAME, spec["version"], files, loaded, entry_point="skills_ref.validate (agentskills validate)")


if __name__ == "__main__":
    driver_main(NAME, load)
