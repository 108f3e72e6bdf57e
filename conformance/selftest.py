#!/usr/bin/env python3
"""Negative controls: proof that each driver passes good files and can fail bad ones.

    python3 conformance/selftest.py

Runs every driver over fixtures/good (with the plugin fixtures/plugins/good-plugin)
and asserts that every client runs, reads at least one file, and rejects none.
"layout" stands for run.py's own check of skill file names (layout_problems).
Then runs them over fixtures/bad (with fixtures/plugins/bad-plugin) and asserts, for
every file, that exactly the clients named in EXPECT reject it: a bad file that a
client should reject but loads, or a file a client rejects unexpectedly, fails the
test, and so does a fixture file with no entry in EXPECT.  The sets are what the
installed clients were observed to do (README.md lists where that differs from the
reference notes).  Exit 0 when all hold, 1 otherwise, 2 when a client cannot run.
"""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import SCOPE, layout_problems, run_driver  # noqa: E402

FIXTURES = HERE / "fixtures"
GOOD, BAD = FIXTURES / "good", FIXTURES / "bad"
GOOD_PLUGIN, BAD_PLUGIN = FIXTURES / "plugins" / "good-plugin", FIXTURES / "plugins" / "bad-plugin"

# path in the report -> the clients that must reject it (every other client that reads
# the file must load it), and what is wrong with it.
EXPECT: dict[str, tuple[set[str], str]] = {
    # Gemini CLI agents: strict schema
    ".gemini/agents/claude-tool-names.md": ({"gemini"}, "tools: [Read], a Claude tool name"),
    ".gemini/agents/unknown-key.md": ({"gemini"}, "a key the schema does not define (effort)"),
    ".gemini/agents/Upper_Case.md": ({"gemini"}, "name 'Upper Case' is not a slug"),
    ".gemini/agents/colon-description.md": ({"gemini"}, "invalid YAML: description: Use when: x"),
    # Codex agent roles (TOML)
    ".codex/agents/blank-instructions.toml": ({"codex"}, "developer_instructions only whitespace"),
    ".codex/agents/blank-description.toml": ({"codex"}, "description only whitespace"),
    ".codex/agents/bad-sandbox.toml": ({"codex"}, "sandbox_mode = read-write"),
    ".codex/agents/tools-list.toml": ({"codex"}, "tools as a list of Claude names"),
    ".codex/agents/unknown-field.toml": ({"codex"}, "a field roles do not have (color)"),
    ".codex/agents/broken-toml.toml": ({"codex"}, "a string that never ends"),
    ".codex/agents/dup-first.toml": (set(), "valid alone; its name is also used by dup-second.toml"),
    ".codex/agents/dup-second.toml": (set(), "valid alone; its name is also used by dup-first.toml"),
    ".codex/agents": ({"codex"}, "two roles share one name"),
    # Copilot CLI agents (.github/agents; it also reads .claude/agents)
    ".github/agents/colon-description.agent.md": ({"copilot"}, "invalid YAML: description: Use when: x"),
    ".github/agents/no-description.agent.md": ({"copilot"}, "no description"),
    # Claude Code agents and skills (Copilot also reads both folders, opencode the skills)
    ".claude/agents/no-description.md": ({"claude", "copilot"}, "no description"),
    ".claude/agents/unterminated-quote.md": ({"claude", "copilot"}, "a quoted value that never ends"),
    ".claude/skills/bad-shell/SKILL.md": ({"claude"}, "shell: zsh"),
    ".claude/skills/extra-field/SKILL.md": (set(), "argument-hint: Claude Code's own key, in its own folder"),
    # opencode agents
    ".opencode/agents/bad-mode.md": ({"opencode"}, "mode: helper"),
    ".opencode/agents/bad-temperature.md": ({"opencode"}, "temperature: warm"),
    ".opencode/agents/zero-steps.md": ({"opencode"}, "steps: 0"),
    ".opencode/agents/unclosed-list.md": ({"opencode"}, "frontmatter that does not parse becomes the prompt"),
    # Qwen Code agents
    ".qwen/agents/tiny-prompt.md": ({"qwen"}, "a system prompt under 10 characters"),
    ".qwen/agents/reserved-name.md": ({"qwen"}, "name: system, reserved"),
    ".qwen/agents/spaced-name.md": ({"qwen"}, "name: log reader, with a space"),
    # the shared skills folder .agents/skills (Gemini, Codex, opencode, Copilot, Qwen, skills-ref)
    ".agents/skills/misnamed-folder/SKILL.md": ({"skills-ref"}, "name differs from its folder"),
    ".agents/skills/wordy-skill/SKILL.md": ({"copilot", "skills-ref"}, "a description over 1,024 characters"),
    ".agents/skills/no-description/SKILL.md": ({"gemini", "codex", "qwen", "skills-ref"}, "no description"),
    ".agents/skills/flow-tools/SKILL.md": ({"skills-ref"}, "metadata as a YAML flow mapping"),
    ".agents/skills/Capital-Letters/SKILL.md": ({"skills-ref"}, "capital letters in the name"),
    # a skill file not spelled SKILL.md: no client sees it, so run.py's layout check does
    ".agents/skills/lowercase-file/skill.md": ({"layout"}, "skill.md, not SKILL.md"),
    # a Claude plugin root
    "bad-plugin/.claude-plugin/plugin.json": ({"claude"}, "name with spaces, version a number, agents not ./…"),
    "bad-plugin/agents/helper.md": (set(), "a valid agent in a plugin with a bad manifest"),
}


def run_all(project: Path, plugin: Path) -> list[dict]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda c: run_driver(c, project, plugin), list(SCOPE)))


def fixture_paths() -> set[str]:
    out = set()
    for p in BAD.rglob("*"):
        if p.is_file():
            out.add(p.relative_to(BAD).as_posix())
    for p in BAD_PLUGIN.rglob("*"):
        if p.is_file():
            out.add(f"{BAD_PLUGIN.name}/{p.relative_to(BAD_PLUGIN).as_posix()}")
    return out


def main() -> int:
    failures: list[str] = []
    broken = False

    print("good fixtures: every client must run, read something, and reject nothing")
    for rep in run_all(GOOD, GOOD_PLUGIN):
        name = rep["client"]
        if "error" in rep:
            failures.append(f"{name} could not run: {rep['error'][:500]}")
            broken = True
            continue
        bad = [f for f in rep["files"] if not f["ok"]]
        print(f"  {name:10} {rep['version']:8} {len(rep['files'])} files, {len(bad)} rejected, {rep['seconds']} s")
        if not rep["files"]:
            failures.append(f"{name} read no file of the good fixtures: they no longer cover it")
        for f in bad:
            failures.append(f"{name} rejected the good file {f['path']}: {'; '.join(f['errors'])[:400]}")

    for f in layout_problems(GOOD):
        failures.append(f"the layout check rejected the good file {f['path']}")

    print("bad fixtures: exactly the expected clients must reject each file")
    reports = run_all(BAD, BAD_PLUGIN)
    seen: dict[str, dict[str, bool]] = {}
    for rep in reports + [{"client": "layout", "files": layout_problems(BAD)}]:
        if "error" in rep:
            failures.append(f"{rep['client']} could not run: {rep['error'][:500]}")
            broken = True
            continue
        for f in rep["files"]:
            seen.setdefault(f["path"], {})[rep["client"]] = f["ok"]
    for path in sorted(fixture_paths() - set(EXPECT)):
        failures.append(f"fixture file {path} has no entry in EXPECT")
    for path, (rejecters, why) in EXPECT.items():
        got = seen.get(path, {})
        missing = rejecters - set(got)
        if missing and not broken:
            failures.append(f"{path}: not read by {', '.join(sorted(missing))}, which should reject it ({why})")
        for client, ok in sorted(got.items()):
            if client in rejecters and ok:
                failures.append(f"{path}: {client} loaded it, but should reject it ({why})")
            if client not in rejecters and not ok:
                failures.append(f"{path}: {client} rejected it unexpectedly ({why})")
        marks = " ".join(f"{c}:{'ok' if ok else 'REJECTED'}" for c, ok in sorted(got.items()))
        print(f"  {path}\n      {why}\n      {marks or '(read by no client)'}")
    for path in sorted(set(seen) - set(EXPECT)):
        failures.append(f"{path}: reported by {', '.join(sorted(seen[path]))} but has no entry in EXPECT")

    if failures:
        print(f"\nselftest: {len(failures)} failure(s)")
        for f in failures:
            print("  FAIL " + f)
        return 2 if broken else 1
    print(f"\nselftest: {len(EXPECT)} expectations hold over {len(reports)} clients")
    return 0


if __name__ == "__main__":
    sys.exit(main())
