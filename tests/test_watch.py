"""`assembler watch` in a real process on a temporary catalog, with real file changes.

Every wait has a timeout, so a watcher that stops reacting fails the test instead
of hanging it.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assembler.outputs.watch import Watcher

from .conftest import MINI, write_tree

TIMEOUT = 30  # seconds; generous for a busy machine, never reached when the watcher works


class Process:
    """`assembler watch` with its stdout read line by line in the background."""

    def __init__(self, root: Path):
        env = {**os.environ, "NO_COLOR": "1", "ASSEMBLER_NO_CACHE": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "assembler", "watch", "--root", str(root)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.errors.append),
                         daemon=True).start()

    @staticmethod
    def _read(stream, put) -> None:
        for line in stream:
            put(line)

    def next_line(self) -> str:
        try:
            return self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"no output from assembler watch within {TIMEOUT} s; stderr: {self.errors}")

    def saw_error(self, *parts: str) -> bool:
        """True once stderr has a line with every part (it is read by its own thread)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if any(all(part in line for part in parts) for line in list(self.errors)):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            self.proc.kill()


@pytest.fixture
def watched(tmp_path):
    root = write_tree(tmp_path / "catalog", MINI)
    process = Process(root)
    yield root, process
    process.proc.kill()


def test_watch_rebuilds_reports_errors_keeps_hand_edits_and_stops_on_ctrl_c(watched):
    root, process = watched
    assert process.next_line().startswith("first build: 2 written (agents/alpha.md, agents/beta.md)")
    assert process.next_line().startswith("watching ")

    block = root / "_blocks/baseline.md"
    block.write_text(block.read_text() + "\nAlways cite the file.\n")
    line = process.next_line()
    assert "_blocks/baseline.md changed: 2 written (agents/alpha.md, agents/beta.md), 0 unchanged" \
        in line
    assert "Always cite the file." in (root / "agents/alpha.md").read_text()

    manifest = root / "_manifests/beta.toml"
    good = manifest.read_text()
    manifest.write_text(good + 'blokcs = ["baseline"]\n')
    assert "_manifests/beta.toml changed: 1 error, nothing written" in process.next_line()
    assert process.saw_error("_manifests/beta.toml:", "unknown key `blokcs`")

    manifest.write_text(good.replace("You fix things.", "You fix things, carefully."))
    assert "_manifests/beta.toml changed: 1 written (agents/beta.md), 1 unchanged" \
        in process.next_line()

    edited = root / "agents/alpha.md"
    hand = edited.read_text() + "\nA note written by hand.\n"
    edited.write_text(hand)
    block.write_text(block.read_text() + "\nAnd the line.\n")
    line = process.next_line()
    assert "_blocks/baseline.md changed: 1 written (agents/beta.md), 0 unchanged, " \
           "1 refused (edited by hand)" in line, line  # the output edit itself triggered nothing
    assert edited.read_text() == hand
    assert process.saw_error("refused agents/alpha.md: edited by hand")

    assert process.stop() == 0
    assert process.next_line() == "stopped\n"


def test_only_sources_trigger_a_rebuild(tmp_path):
    root = write_tree(tmp_path / "catalog", {**MINI, "assembler.toml": 'blocks = "shared"\n'})
    watcher = Watcher(root)
    for rel in ("assembler.toml", "_manifests/alpha.toml", "shared/x.md", "_roles/r.toml",
                "_templates/agent.md.j2", "pyproject.toml"):
        assert watcher.is_source(str(root / rel)), rel
    for rel in ("agents/alpha.md", "_blocks/old.md", ".assembler/render-cache.json",
                "_manifests/.alpha.toml.abcd1234.tmp", "README.md"):
        assert not watcher.is_source(str(root / rel)), rel
    assert not watcher.is_source(str(tmp_path / "elsewhere.toml"))


def test_watch_without_a_catalog_is_bad_input(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("watch")
    assert result.exit_code == 2
    assert "no assembler.toml" in result.stdout + result.stderr


def test_watch_rebuilds_on_changes_to_skills_and_capabilities(tmp_path):
    root = write_tree(tmp_path / "catalog", {
        **MINI,
        "assembler.toml": MINI["assembler.toml"].replace('output = "agents"',
                                                         'output = "agents"\ncapabilities = "_caps"'),
        "_caps/policy/brief/text.md": "Be brief.\n",
        "_manifests/gamma.toml": 'name = "gamma"\ndescription = "Third."\n'
                                 'blocks = ["baseline", "footer", "policy::brief"]\n',
        "_skills/notes/skill.toml": 'name = "notes"\ndescription = "Takes notes."\n'
                                    'blocks = ["@intro"]\n\n[text]\nintro = "# Notes\\n"\n',
        "_skills/notes/references/style.md": "Short lines.\n",
    })
    process = Process(root)
    try:
        assert process.next_line().startswith("first build: 5 written")
        assert process.next_line().startswith("watching ")

        capability = root / "_caps/policy/brief/text.md"
        capability.write_text("Be brief, always.\n")
        line = process.next_line()
        assert "_caps/policy/brief/text.md changed: 1 written (agents/gamma.md), 4 unchanged" in line
        assert "Be brief, always." in (root / "agents/gamma.md").read_text()

        copied = root / "_skills/notes/references/style.md"
        copied.write_text("Shorter lines.\n")
        line = process.next_line()
        # the copy, and the SKILL.md that records its hash
        assert "_skills/notes/references/style.md changed: 2 written " \
               "(.claude/skills/notes/SKILL.md, .claude/skills/notes/references/style.md)" in line
        assert (root / ".claude/skills/notes/references/style.md").read_text() == "Shorter lines.\n"

        manifest = root / "_skills/notes/skill.toml"
        manifest.write_text(manifest.read_text().replace("# Notes", "# Notes, kept"))
        line = process.next_line()
        assert "_skills/notes/skill.toml changed: 1 written (.claude/skills/notes/SKILL.md)" in line
        assert "# Notes, kept" in (root / ".claude/skills/notes/SKILL.md").read_text()
        assert process.stop() == 0
    finally:
        process.proc.kill()


def test_the_capabilities_folder_is_a_source_only_when_configured(tmp_path):
    root = write_tree(tmp_path / "catalog", MINI)
    assert not Watcher(root).is_source(str(root / "_caps/policy/brief/text.md"))
    assert Watcher(root).is_source(str(root / "_skills/notes/scripts/run.sh"))
    (root / "assembler.toml").write_text('capabilities = "_caps"\n' + MINI["assembler.toml"])
    assert Watcher(root).is_source(str(root / "_caps/policy/brief/text.md"))
