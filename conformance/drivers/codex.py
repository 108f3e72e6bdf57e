#!/usr/bin/env python3
"""Codex CLI: its app server, over JSON-RPC on stdio.

Entry point: `codex app-server --listen stdio://` (marked experimental), with a
throw-away CODEX_HOME whose config.toml trusts the project copy (Codex reads a
project's .codex/ only when the project is trusted).  After `initialize` the server
sends one `configWarning` notification per agent role file it ignores ("Ignoring
malformed agent role definition: ..."); `skills/list` returns the skills it loaded
and per-file errors.  Codex has no request that lists agent roles, so an agent file
counts as loaded when no warning names it, under the `name` its TOML gives.
Project folders read (observed): .codex/agents (*.toml only; *.md is ignored) and
the skills folders .codex/skills and .agents/skills.
"""
import json
import queue
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from run import SCOPE  # noqa: E402
from common import (ClientError, agent_files, copy_project, driver_main, entry, installed,  # noqa: E402
                    no_network, rel, result, sandbox, scrub, skill_files)

NAME = "codex"
AGENT_DIRS = SCOPE[NAME]["agents"]
SKILL_DIRS = SCOPE[NAME]["skills"]
FLAGS = ["--disable", "plugins", "--disable", "remote_plugin", "--disable", "plugin_sharing"]
TIMEOUT = 60


class Server:
    def __init__(self, cmd, env, cwd):
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append, False), daemon=True).start()
        self.notifications: list[dict] = []
        self.next_id = 0

    @staticmethod
    def _pump(stream, put, end_marker):
        for line in stream:
            put(line)
        if end_marker:
            put(None)

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.proc.stdin.write(json.dumps({"id": rid, "method": method, "params": params}) + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if line is None:
                break
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("id") == rid and ("result" in msg or "error" in msg):
                if "error" in msg:
                    raise ClientError(f"codex {method} failed: {msg['error']}")
                return msg["result"]
            if "method" in msg and "id" not in msg:
                self.notifications.append(msg)
        raise ClientError(f"codex app-server gave no answer to {method} "
                          f"(exit {self.proc.poll()}): {''.join(self.stderr)[-1500:]}")

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def load(project: Path, plugin, scope):
    spec, folder = installed(NAME)
    codex = folder / "node_modules" / ".bin" / "codex"
    agent_dirs = [d for d in AGENT_DIRS if not scope or d in scope]
    skill_dirs = [d for d in SKILL_DIRS if not scope or d in scope]
    with sandbox(NAME) as (root, env):
        copy = copy_project(project, root)
        codex_home = root / "codex-home"
        codex_home.mkdir()
        (codex_home / "config.toml").write_text(
            f'[projects.{json.dumps(str(copy))}]\ntrust_level = "trusted"\n\n[analytics]\nenabled = false\n')
        env["CODEX_HOME"] = str(codex_home)
        # Folders out of scope are removed from the copy, so that Codex does not read them.
        for d in AGENT_DIRS + SKILL_DIRS:
            if d not in agent_dirs + skill_dirs and (copy / d).exists():
                subprocess.run(["rm", "-rf", str(copy / d)], check=True)
        server = Server(no_network() + [str(codex), "app-server", "--listen", "stdio://", *FLAGS], env, copy)
        try:
            server.request("initialize", {"clientInfo": {"name": "agent-assembler-conformance", "version": "1"}})
            skills = server.request("skills/list", {"cwds": [str(copy)], "forceReload": True})
            server.request("config/read", {"cwd": str(copy)})  # a barrier: warnings come before it
        finally:
            server.close()
        warnings = [n["params"] for n in server.notifications if n.get("method") == "configWarning"]
        files, loaded, extra = [], [], []
        agents = [p for d in agent_dirs for p in agent_files(copy, d, (".toml",), recursive=True)]
        for p in agents:
            errs = [scrub(w["summary"].strip(), copy) for w in warnings
                    if str(p) in w["summary"] or (w.get("path") and Path(w["path"]) == p)]
            files.append(entry(rel(p, copy), "agent", errs))
            if not errs:
                try:
                    loaded.append(tomllib.loads(p.read_text())["name"])
                except (ValueError, KeyError):
                    loaded.append(p.stem)
        for w in warnings:  # about no one file, e.g. "duplicate agent role name `x` discovered in <dir>"
            if "agent" in w["summary"] and not any(str(p) in w["summary"] for p in agents):
                extra.append(scrub(w["summary"].strip(), copy))
        for d in agent_dirs:
            about = [m for m in extra if d in m]
            if about:
                files.append(entry(d, "folder", about))
        entries = [e for e in skills["data"] if Path(e["cwd"]).resolve() == copy.resolve()]
        errors_by_file: dict[str, list[str]] = {}
        found: set[str] = set()
        for e in entries:
            for err in e["errors"]:
                errors_by_file.setdefault(rel(err["path"], copy), []).append(scrub(err["message"], copy))
            for s in e["skills"]:
                if s["scope"] == "repo":
                    found.add(rel(s["path"], copy))
                    loaded.append(s["name"])
        for p in skill_files(copy, skill_dirs):
            path = rel(p, copy)
            errs = errors_by_file.pop(path, [])
            if not errs and path not in found:
                errs = ["not in skills/list (skipped without an error)"]
            files.append(entry(path, "skill", errs))
        for path, errs in errors_by_file.items():
            if not path.startswith("/"):
                files.append(entry(path, "skill", errs))
        return result(NAME, spec["version"], files, loaded, other_warnings=extra,
                      entry_point="codex app-server --listen stdio://: initialize (configWarning), skills/list")


if __name__ == "__main__":
    driver_main(NAME, load)
