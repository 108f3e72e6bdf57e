#!/usr/bin/env python3
"""How Claude Code itself reads agent files: its own frontmatter code, run by its own runtime.

    python3 conformance/claude_reader.py FILE...        # one JSON document on stdout

Used by import_check.py (``make conformance``); needs the pinned client that
install.py installs (clients.toml), never part of ``make test``.

The installed ``claude`` executable is a Bun single-file build whose JavaScript is
stored as text inside it. This script cuts the frontmatter functions out of that
text (the split at ``---``, the YAML parse with its lenient retry, the agent rules
for ``name`` and ``description``), and runs them inside the same executable with
``BUN_OPTIONS=--preload``: so the YAML parser is Bun's own, the one Claude Code
uses. Nothing of the client is copied into this repository; the functions are found
by what they do, and a missing one stops the script with a clear message.

Every run goes through the harness's sandbox (common.sandbox: an empty HOME, the
quiet settings, a network namespace of its own where the machine allows one); the
preloaded script exits before the client's own code starts.

For each file the result holds:

- ``fenced``: Claude Code found a frontmatter block;
- ``frontmatter``: the values it read (``{}`` when the YAML did not parse);
- ``parse_error``: why the YAML did not parse, even leniently;
- ``content``: the text after the frontmatter, as it cuts it;
- ``agent``: for a project agent (``.claude/agents``), ``{"name", "description",
  "prompt"}`` as the runtime builds them, or ``null`` with ``rejected`` saying why.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ClientError, installed, run, sandbox  # noqa: E402

NAME = "claude"


def executable() -> Path:
    """The pinned client's executable; raises :class:`ClientError` when it is missing."""
    _, installed_at = installed(NAME)
    folder = installed_at / "node_modules" / "@anthropic-ai"
    for candidate in (folder / "claude-code" / "bin" / "claude.exe",
                      folder / "claude-code-linux-x64" / "claude"):
        if candidate.is_file():
            return candidate
    raise ClientError(f"the Claude Code executable is missing under {installed_at} "
                      "(conformance/install.py --force claude installs it again)")


# -- cutting the functions out of the executable ---------------------------------------------
def _find(pattern: bytes, data: bytes, what: str) -> re.Match[bytes]:
    match = re.search(pattern, data)
    if match is None:
        raise ClientError(f"cannot find {what} in the Claude Code executable: the client "
                          "changed; update conformance/claude_reader.py")
    return match


def _function_at(data: bytes, start: int) -> bytes:
    """A function without nested functions: from ``start`` to the ``}`` before the next one."""
    end = data.index(b"}function ", start)
    return data[start:end + 1]


def extract(data: bytes) -> str:
    """The frontmatter functions, as JavaScript, plus a ``read`` entry point."""
    # The chunk from the YAML wrapper to the function that turns a non-mapping into {}.
    first = _find(rb"function (\w+)\(e\)\{return Bun\.YAML\.parse\(e\)\}", data, "the YAML wrapper")
    last = _find(rb"function \w+\(e\)\{if\(e&&typeof e===\"object\"&&!Array\.isArray\(e\)\)"
                 rb"return e;return\{\}\}", data[first.start():], "the mapping check")
    chunk = data[first.start():first.start() + last.end()]
    split = _find(rb"function (\w+)\(e,n,o\)\{let g=e;e=(\w+)\(e\);", chunk, "the frontmatter split")
    reader, bom = split[1].decode(), split[2].decode()
    logger = _find(rb"\b(\w+)\(`Failed to parse YAML frontmatter", chunk, "the logger")[1].decode()
    strip = _find(rb"function " + re.escape(bom.encode()) + rb"\(e\)\{return e\.charCodeAt\(0\)"
                  rb"===65279\?e\.slice\(1\):e\}", data, "the byte-order-mark strip")
    rules = _find(rb"function (\w+)\(e\)\{let\{name:n,description:o\}=e;if\(!n\|\|typeof n!==\"string\"\)"
                  rb"return (\w+)\('Missing required \"name\"", data, "the agent name rules")
    rules_text = _function_at(data, rules.start())
    limit_name = _find(rb"n\.length>(\w+)\)", rules_text, "the name length limit")[1]
    limit = _find(rb"[,;{ ]" + re.escape(limit_name) + rb"=(\d+)[,;]", data, "the name length")[1]
    return "\n".join([
        f"function {logger}(){{}}",
        f"const {rules[2].decode()}=(m)=>m;",
        f"const {limit_name.decode()}={limit.decode()};",
        strip[0].decode(),
        chunk.decode("utf-8"),
        rules_text.decode("utf-8"),
        f"const claudeRead=(text,path)=>{reader}(text,path,{{normalizeKeys:!0}});",
        f"const claudeAgentRules={rules[1].decode()};",
    ])


# What the runtime does with a project agent's frontmatter (the function that builds
# an agent definition): no `name` means "not an agent" (a reference document); the
# name and description rules are the client's own; `\n` written as two characters in
# the description becomes a line break; the prompt is the content, trimmed.
DRIVER = r"""
const input = JSON.parse(require("fs").readFileSync(process.env.CLAUDE_READER_INPUT, "utf8"));
const out = [];
for (const path of input) {
  const text = require("fs").readFileSync(path, "utf8");
  const r = claudeRead(text, path);
  const fm = r.frontmatter;
  const item = {path, fenced: r.content.length !== text.length || Object.keys(fm).length > 0,
                frontmatter: fm, content: r.content, parse_error: r.parseError ?? null,
                agent: null, rejected: null};
  if (!fm.name || typeof fm.name !== "string") {
    item.rejected = r.parseError ? "the frontmatter does not parse" : "no `name` in the frontmatter";
  } else {
    const problem = claudeAgentRules(fm);
    if (problem) item.rejected = problem;
    else item.agent = {name: fm.name, description: fm.description.replaceAll("\\n", "\n"),
                       prompt: r.content.trim()};
  }
  out.push(item);
}
require("fs").writeFileSync(process.env.CLAUDE_READER_OUTPUT, JSON.stringify(out));
process.exit(0);
"""


def read(paths: list[Path]) -> list[dict]:
    """Claude Code's reading of each file (see the module docstring)."""
    claude = executable()
    script = extract(claude.read_bytes()) + DRIVER
    with sandbox("claude-reader") as (root, env):
        (root / "reader.js").write_text(script, "utf-8")
        (root / "input.json").write_text(json.dumps([str(p.resolve()) for p in paths]), "utf-8")
        env.update(BUN_OPTIONS=f"--preload {root / 'reader.js'}",
                   CLAUDE_READER_INPUT=str(root / "input.json"),
                   CLAUDE_READER_OUTPUT=str(root / "output.json"))
        proc = run([str(claude), "--version"], env=env, cwd=root)
        output = root / "output.json"
        if not output.is_file():
            raise ClientError(f"the reader did not run (exit {proc.returncode}): "
                              f"{(proc.stdout + proc.stderr)[-1500:]}")
        return json.loads(output.read_text("utf-8"))


def validate(folder: Path) -> dict:
    """``claude plugin validate --json`` on a folder named ``agents`` (or a plugin root)."""
    claude = executable()
    with sandbox("claude-validate") as (root, env):
        proc = run([str(claude), "plugin", "validate", "--json", str(folder)], env=env, cwd=root)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise ClientError(f"claude plugin validate gave no JSON (exit {proc.returncode}): "
                          f"{(proc.stdout + proc.stderr)[-1500:]}") from None


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    try:
        results = read([Path(a) for a in argv])
    except ClientError as exc:
        print(f"claude_reader: {exc}", file=sys.stderr)
        return 2
    json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
