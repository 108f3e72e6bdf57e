"""The peer the benchmark measures against: rulesync, pinned, fed the same agents.

rulesync (npm) keeps one Markdown file per subagent under
``.rulesync/subagents/`` and writes each tool's agent files from them;
``rulesync generate --check`` is its drift check (exit 1 when a file would
change). The peer's source tree is made from our own rendered agents (their
name, description and body), so both tools check the same text into the same
tool folders. The package is installed once, with npm, into the benchmark's
cache (``~/.cache/agent-assembler/bench``); when it cannot be installed the
benchmark stops with an error instead of leaving the rows out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

VERSION = "17.0.0"
PACKAGE = f"rulesync@{VERSION}"
# Our target names and the peer's, for the targets both write subagents for.
TARGETS = {"claude-code": "claudecode", "codex": "codexcli", "copilot": "copilot",
           "cursor": "cursor"}


class PeerUnavailable(RuntimeError):
    """The peer could not be installed or run: its rows cannot be measured."""


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "agent-assembler" / "bench" / f"rulesync-{VERSION}"


def install(folder: Path | None = None) -> list[str]:
    """The command that runs the pinned peer, installing it first if it is not cached."""
    folder = folder or cache_dir()
    script = folder / "node_modules" / ".bin" / "rulesync"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise PeerUnavailable("npm is not installed: it is needed to install the peer "
                                  f"({PACKAGE}) the benchmark compares with")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts",
                               "--prefix", str(folder), PACKAGE],
                              capture_output=True, text=True)
        if done.returncode != 0 or not script.exists():
            raise PeerUnavailable(f"`npm install {PACKAGE}` failed:\n{done.stderr[-2000:]}")
    try:
        shown = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                               timeout=120).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PeerUnavailable(f"the peer does not start: {exc}") from exc
    if shown != VERSION:
        raise PeerUnavailable(f"the cached peer reports version {shown!r}, expected {VERSION}: "
                              f"delete {folder} to reinstall it")
    return [str(script)]


def subagent(data: bytes) -> str:
    """One rendered agent file as a rulesync subagent: its name, description and body."""
    text = data.decode("utf-8")
    if not text.startswith("---\n"):
        raise ValueError("a rendered agent starts with YAML frontmatter")
    header, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(header)
    front = yaml.safe_dump({"name": meta["name"], "targets": ["*"],
                            "description": meta["description"]},
                           sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{front}---\n{body}"


def source_tree(outputs: Path, root: Path, targets: tuple[str, ...]) -> Path:
    """A rulesync project at ``root``: one subagent per rendered agent under ``outputs``
    (files named by the agent's name), and a config enabling ``targets``."""
    shutil.rmtree(root, ignore_errors=True)
    agents = root / ".rulesync" / "subagents"
    agents.mkdir(parents=True)
    for path in sorted(outputs.rglob("*.md")):
        text = subagent(path.read_bytes())
        name = yaml.safe_load(text.split("\n---\n", 1)[0][4:])["name"]
        (agents / f"{name}.md").write_text(text, "utf-8")
    names = ", ".join(f'"{TARGETS[target]}"' for target in targets)
    (root / "rulesync.jsonc").write_text(
        f'{{ "targets": [{names}], "features": ["subagents"] }}\n', "utf-8")
    return root


def generate(command: list[str], root: Path) -> None:
    """Write the peer's files once, so that its check that follows is clean."""
    done = subprocess.run([*command, "generate"], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise PeerUnavailable(f"`rulesync generate` failed:\n{done.stdout[-1000:]}{done.stderr[-1000:]}")
