"""Shared fixtures: small catalogs written into temporary folders, and a CLI runner."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler.cli.app import app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def hermetic(monkeypatch, tmp_path_factory):
    """No HOME, no colour surprises: every test sees the same environment."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text is dedented)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


MINI = {
    "assembler.toml": """
        output = "agents"
        regenerate = "make agents"
        required_blocks = ["baseline", "footer"]

        [vars]
        team = "platform"

        [layout]
        report_fields = ["Goal: <one line>"]
        report_closing_fields = ["Next: <list>"]
        references = ["`docs/agents.md` — catalog guide"]
        """,
    "_blocks/baseline.md": """
        # BASELINE

        Work for the {{ vars.team }} team. You are `{{ agent.name }}`.
        """,
    "_blocks/footer.md": """
        ---
        description: closing marker every report ends with
        placement: footer
        ---
        ## Report footer

        End every report with `=== {{ agent.name | upper }} DONE ===`.
        """,
    "_blocks/policy/no-git.md": """
        ## No git

        Never run git commands that change state.
        """,
    "_blocks/policy/read-only.md": """
        ## Read only

        Do not write files.
        """,
    "_roles/reader.toml": """
        description = "may read, may not write"
        preamble = "> Checked on return."
        blocks = ["policy/no-git", "policy/read-only"]
        """,
    "_roles/editor.toml": """
        extends = "reader"
        relaxes = ["policy/read-only"]
        blocks = []
        """,
    "_manifests/alpha.toml": """
        name = "alpha"
        description = "First agent: reviews things. Use it for reviews #1."
        tools = ["Read", "Grep"]
        model = "sonnet"
        substrate_role = "reader"
        role = "You review things."
        blocks = ["baseline", "footer"]
        domain_in = ["reviewing"]
        forbidden_domain = ["editing"]
        output_extra_fields = ["Verdict: <pass | fail>"]

        [[handoff]]
        target = "beta"
        trigger = "a fix is needed"

        [references]
        extra = ["docs/review.md"]
        """,
    "_manifests/beta.toml": """
        name = "beta"
        description = "Second agent, fixes things."
        tools = ["Read", "Edit"]
        substrate_role = "editor"
        role = "You fix things."
        blocks = ["baseline", "footer"]
        """,
}


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A small valid catalog exercising roles, inheritance, vars, footer and handoffs."""
    return write_tree(tmp_path / "catalog", MINI)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli():
    """Run the CLI in-process; fail loudly if anything escaped as an exception."""
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def built_env(mini, cli) -> Path:
    """The small catalog, built."""
    assert cli("build", "--root", mini).exit_code == 0
    return mini
