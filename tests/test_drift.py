"""Check and build: every kind of drift, hand-edit protection, untouched files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assembler import build_catalog, compare, load_catalog, render_catalog


@pytest.fixture
def built(mini, cli) -> Path:
    result = cli("build", "--root", mini)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "created agents/alpha.md", "created agents/beta.md", "2 written, 0 unchanged.",
    ]
    return mini


def kinds(root: Path) -> dict[str, str]:
    catalog = load_catalog(root)
    return {s.path: s.kind for s in compare(catalog, render_catalog(catalog))}


def hand_edit(path: Path, old: str = "You review things.", new: str = "You review things, kindly.") -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_build_then_check_is_clean(built, cli):
    result = cli("check", "--root", built)
    assert (result.exit_code, result.stdout) == (0, "2 generated files up to date.\n")


def test_missing_output(built, cli):
    (built / "agents/beta.md").unlink()
    result = cli("check", "--root", built)
    assert result.exit_code == 1
    assert result.stdout == (
        "agents/beta.md: missing: not generated yet (from _manifests/beta.toml)\n"
        "1 of 2 files out of date (1 missing). Run `make agents` to regenerate.\n"
    )
    assert cli("build", "--root", built).stdout.startswith("created agents/beta.md\n")


def test_editing_a_block_makes_every_agent_using_it_stale(built, cli):
    block = built / "_blocks/baseline.md"
    block.write_text(block.read_text() + "\nAsk when unsure.\n")
    assert kinds(built) == {"agents/alpha.md": "stale", "agents/beta.md": "stale"}
    role_block = built / "_blocks/policy/read-only.md"
    cli("build", "--root", built)
    role_block.write_text(role_block.read_text() + "\nNot even temp files.\n")
    assert kinds(built) == {"agents/alpha.md": "stale", "agents/beta.md": "clean"}
    result = cli("check", "--root", built)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "agents/alpha.md: stale: sources changed since it was generated (from _manifests/alpha.toml)"
    )
    assert result.stdout.rstrip().endswith("Run `make agents` to regenerate.")


def test_hand_edit_is_detected_and_protected(built, cli):
    target = built / "agents/alpha.md"
    hand_edit(target)
    edited = target.read_bytes()
    result = cli("check", "--root", built)
    assert result.exit_code == 1
    assert result.stdout.startswith("agents/alpha.md: edited: edited by hand")
    assert "assembler build --force" in result.stdout

    refused = cli("build", "--root", built)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("refused agents/alpha.md: edited by hand")
    assert "-You review things, kindly.\n+You review things.\n" in refused.stderr
    assert target.read_bytes() == edited  # nothing lost

    forced = cli("build", "--force", "--root", built)
    assert forced.exit_code == 0
    assert forced.stdout.startswith("updated agents/alpha.md\n")
    assert cli("check", "--root", built).exit_code == 0


def test_hand_edit_on_a_stale_file_is_still_an_edit(built):
    hand_edit(built / "agents/alpha.md")
    block = built / "_blocks/baseline.md"
    block.write_text(block.read_text() + "\nMore.\n")
    assert kinds(built)["agents/alpha.md"] == "edited"
    assert kinds(built)["agents/beta.md"] == "stale"


def test_removed_banner_counts_as_edited(built):
    target = built / "agents/beta.md"
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join(line for line in lines if "GENERATED" not in line))
    assert kinds(built)["agents/beta.md"] == "edited"


def test_deleting_a_manifest_orphans_its_output(built, cli):
    (built / "_manifests/alpha.toml").unlink()
    (built / "_manifests/beta.toml").write_text(
        (built / "_manifests/beta.toml").read_text())
    assert kinds(built)["agents/alpha.md"] == "orphaned"
    result = cli("check", "--root", built)
    assert result.stdout.splitlines()[0] == (
        "agents/alpha.md: orphaned: generated, but no manifest renders it any more "
        "(from _manifests/alpha.toml)"
    )
    assert cli("build", "--root", built).stdout.startswith("removed agents/alpha.md\n")
    assert not (built / "agents/alpha.md").exists()
    assert cli("check", "--root", built).exit_code == 0


def test_edited_orphan_is_kept_unless_forced(built, cli):
    hand_edit(built / "agents/alpha.md")
    (built / "_manifests/alpha.toml").unlink()
    assert cli("build", "--root", built).exit_code == 1
    assert (built / "agents/alpha.md").exists()
    assert cli("build", "--force", "--root", built).exit_code == 0
    assert not (built / "agents/alpha.md").exists()


def test_hand_written_files_beside_outputs_are_ignored(built, cli):
    (built / "agents/README.md").write_text("# Agents\n\nWritten by hand.\n")
    assert cli("check", "--root", built).exit_code == 0
    cli("build", "--root", built)
    assert (built / "agents/README.md").exists()


def test_unchanged_files_are_not_touched(built, cli):
    target = built / "agents/alpha.md"
    os.utime(target, (1_000_000_000, 1_000_000_000))
    inode = target.stat().st_ino
    result = cli("build", "--root", built)
    assert result.stdout == "0 written, 2 unchanged.\n"
    assert target.stat().st_mtime == 1_000_000_000
    assert target.stat().st_ino == inode


def test_writes_leave_no_temporary_files(built, cli):
    block = built / "_blocks/baseline.md"
    block.write_text(block.read_text() + "\nMore.\n")
    cli("build", "--root", built)
    assert sorted(p.name for p in (built / "agents").iterdir()) == ["alpha.md", "beta.md"]


def test_build_keeps_file_mode(built, cli):
    target = built / "agents/alpha.md"
    target.chmod(0o600)
    block = built / "_blocks/baseline.md"
    block.write_text(block.read_text() + "\nMore.\n")
    cli("build", "--root", built)
    assert target.stat().st_mode & 0o777 == 0o600


def test_build_named_agents_only(built, cli):
    block = built / "_blocks/baseline.md"
    block.write_text(block.read_text() + "\nMore.\n")
    (built / "agents/stray.md").write_bytes((built / "agents/beta.md").read_bytes())
    result = cli("build", "beta", "--root", built)
    assert result.stdout == "updated agents/beta.md\n1 written, 0 unchanged.\n"
    assert kinds(built)["agents/alpha.md"] == "stale"
    assert (built / "agents/stray.md").exists()  # no pruning on a partial build


def test_diff_has_plain_headers(built, cli):
    hand_edit(built / "agents/alpha.md")
    result = cli("check", "--diff", "--root", built)
    lines = result.stdout.splitlines()
    assert "--- a/agents/alpha.md" in lines and "+++ b/agents/alpha.md" in lines
    assert "-You review things, kindly." in lines and "+You review things." in lines


def test_diff_of_missing_file(built, cli):
    (built / "agents/beta.md").unlink()
    lines = cli("check", "--diff", "--root", built).stdout.splitlines()
    assert lines[1:3] == ["--- /dev/null", "+++ b/agents/beta.md"]


def test_json_output(built, cli):
    hand_edit(built / "agents/alpha.md")
    result = cli("check", "--format", "json", "--root", built)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["summary"] == {"clean": 1, "stale": 0, "edited": 1, "missing": 0, "orphaned": 0,
                                   "unexpected": 0}
    assert document["files"] == [
        {"path": "agents/alpha.md", "kind": "edited", "manifest": "_manifests/alpha.toml",
         "hand_edited": True},
        {"path": "agents/beta.md", "kind": "clean", "manifest": "_manifests/beta.toml"},
    ]
    assert "make agents" in document["fix"]


def test_json_output_when_clean(built, cli):
    document = json.loads(cli("check", "--format", "json", "--root", built).stdout)
    assert document["ok"] is True and document["fix"] is None


def test_github_output(built, cli):
    hand_edit(built / "agents/alpha.md")
    result = cli("check", "--format", "github", "--root", built)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error file=agents/alpha.md,line=12,title=assembler%3A edited agent file::")
    assert "agents/alpha.md is edited" in line


def test_github_escaping():
    from assembler.present import github_annotation

    line = github_annotation("a,b:c.md", 3, "100% broken\nsecond line", column=2, title="t: x")
    assert line == "::error file=a%2Cb%3Ac.md,line=3,col=2,title=t%3A x::100%25 broken%0Asecond line"


def test_quiet_prints_nothing(built, cli):
    hand_edit(built / "agents/alpha.md")
    result = cli("check", "-q", "--root", built)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


def test_library_build_api(mini):
    catalog = load_catalog(mini)
    first = build_catalog(catalog)
    assert first.created == ["agents/alpha.md", "agents/beta.md"]
    assert not build_catalog(catalog).changed
