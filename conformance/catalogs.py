#!/usr/bin/env python3
"""Build the catalogs whose generated files the real clients must load.

    python3 conformance/catalogs.py OUT_DIR

Writes one project folder per catalog under OUT_DIR and prints their paths, one
a line, for run.py:

- ``example``: the repository's own example catalog, built as a project would
  keep it (Claude Code files in ``.claude/agents``, where the clients look);
- ``every-field``: ``catalogs/every-field``, which uses every target field and
  every tool and model mapping the assembler writes;
- ``imported``: a catalog made by ``assembler import`` of a file written by hand
  for each tool (tests/import_corpus.py: FORMATS, one in each tool's folder) and
  of a collection of skill folders (tests/skill_corpus.py: nested category
  folders, a ``skill.md``, keys outside the standard, copied files), built
  again: the files every target renders back from an adopted collection.

Each is built with the assembler of this checkout (``ASSEMBLER`` overrides).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCES = ("assembler.toml", "_manifests", "_blocks", "_roles", "_templates", "_skills")


def copy_sources(source: Path, project: Path) -> None:
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for name in SOURCES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, project / name)
        elif path.is_file():
            shutil.copy2(path, project / name)


def assembler() -> str:
    found = os.environ.get("ASSEMBLER") or str(Path(sys.executable).parent / "assembler")
    if not Path(found).exists():
        found = shutil.which("assembler") or ""
    if not found:
        sys.exit("catalogs.py: no `assembler` command; run `make agents` first")
    return found


def build(project: Path) -> None:
    env = {**os.environ, "ASSEMBLER_NO_CACHE": "1"}
    done = subprocess.run([assembler(), "build", "--root", str(project)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"catalogs.py: building {project} failed:\n{done.stdout}{done.stderr}")


def imported(project: Path) -> None:
    """``project`` made by importing FORMATS, the hand-written files of every tool."""
    sys.path.insert(0, str(REPO))
    from tests.import_corpus import FORMAT_FOLDERS, FORMATS, write_files
    from tests.skill_corpus import MODES, SKILLS

    if project.exists():
        shutil.rmtree(project)
    source = project.parent / f"{project.name}-sources"
    if source.exists():
        shutil.rmtree(source)
    write_files(source, FORMATS)
    write_files(source, {rel: data for rel, data in SKILLS.items()
                         if rel.startswith("skills/") and rel != "skills/README.md"})
    for rel, mode in MODES.items():
        os.chmod(source / rel, mode)
    done = subprocess.run([assembler(), "import", *(str(source / f) for f in FORMAT_FOLDERS),
                           str(source / "skills"), "--root", str(project)], capture_output=True, text=True,
                          env={**os.environ, "ASSEMBLER_NO_CACHE": "1"})
    if done.returncode != 0:
        sys.exit(f"catalogs.py: importing into {project} failed:\n{done.stdout}{done.stderr}")
    shutil.rmtree(source)
    build(project)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    example = out / "example"
    copy_sources(REPO, example)
    config = example / "assembler.toml"
    text = re.sub(r'^output = "agents"$', 'output = ".claude/agents"', config.read_text(), flags=re.M)
    config.write_text(text)
    every = out / "every-field"
    copy_sources(HERE / "catalogs" / "every-field", every)
    for project in (example, every):
        build(project)
        print(project)
    imported(out / "imported")
    print(out / "imported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
