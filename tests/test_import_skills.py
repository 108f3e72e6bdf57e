"""`assembler import` of skill folders: found anywhere, every file kept, proven byte for byte.

The corpus (tests/skill_corpus.py, written for these tests) holds skills nested
under category folders, a `skill.md`, a name that is not its folder's, keys
outside the standard, `{{` in bodies, supporting files with an executable script,
and sections several skills (and an agent) share.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler.cli.app import app
from assembler.importing.importer import run_import, without_banner
from assembler.importing.report import import_json
from assembler.importing.skillimport import without_copies
from assembler.outputs.render import assemble

from .import_corpus import write_files
from .skill_corpus import EXPECT, MODES, SKILLS

runner = CliRunner()


def write_skills(folder: Path, files: dict[str, bytes] = SKILLS) -> Path:
    write_files(folder, files)
    for rel, mode in MODES.items():
        if rel in files:
            os.chmod(folder / rel, mode)
    return folder


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    base = tmp_path_factory.mktemp("skills")
    source = write_skills(base / "src")
    root = base / "catalog"
    result = run_import([source], root)
    _, files = assemble(root, root)
    return source, root, result, {f.path: f for f in files}


def _status(result, source: Path) -> dict[str, str]:
    found = {str(Path(f.source).relative_to(source)): f.status for f in result.files}
    found.update({str(Path(p.source).relative_to(source)): p.status for p in result.problems})
    return found


def test_every_file_is_imported_or_listed_with_its_reason(imported):
    source, _, result, _ = imported
    statuses = _status(result, source)
    assert statuses == {**EXPECT, "skills/README.md": "skipped"}
    assert sum(result.counts.values()) == result.found == len(statuses)
    assert not result.conflicts and result.written


def test_skills_render_back_byte_for_byte(imported):
    source, root, result, outputs = imported
    for file in (f for f in result.files if f.kind == "skill"):
        original = Path(file.source).read_bytes()
        if file.source.endswith("style-guide/SKILL.md"):  # the one repair: a blank line
            original = original.replace(b"---\n# Style", b"---\n\n# Style")
        skill_md = outputs[file.output]
        assert skill_md.path == f".claude/skills/{file.agent_id}/SKILL.md"
        assert without_copies(without_banner(skill_md.data)) == original, file.source


def test_copied_files_are_identical_and_keep_their_modes(imported):
    source, root, _, outputs = imported
    copies = {
        ".claude/skills/etl-check/scripts/check.sh": "skills/data/etl-check/scripts/check.sh",
        ".claude/skills/etl-check/references/rules.md": "skills/data/etl-check/references/rules.md",
        ".claude/skills/release-notes/assets/header.png":
            "skills/writing/release-notes/assets/header.png",
        ".claude/skills/release-notes/.keep": "skills/writing/release-notes/.keep",
    }
    for output, original in copies.items():
        assert outputs[output].data == (source / original).read_bytes()
        assert outputs[output].mode == stat.S_IMODE((source / original).stat().st_mode)
    assert outputs[".claude/skills/etl-check/scripts/check.sh"].mode & 0o111
    staged = root / "_skills/etl-check/scripts/check.sh"
    assert stat.S_IMODE(staged.stat().st_mode) == 0o755


def test_build_then_check_is_clean(imported, tmp_path):
    _, root, _, _ = imported
    assert runner.invoke(app, ["build", "--root", str(root)]).exit_code == 0
    result = runner.invoke(app, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert os.access(root / ".claude/skills/etl-check/scripts/check.sh", os.X_OK)


def test_skill_md_is_renamed_and_reported(imported):
    _, _, result, outputs = imported
    schema = next(f for f in result.files if f.agent_id == "schema-diff")
    assert schema.status == "repaired"
    assert "`skill.md` renamed `SKILL.md`" in schema.changes[0]
    assert ".claude/skills/schema-diff/SKILL.md" in outputs


def test_folder_names_the_skill_and_odd_keys_are_pinned(imported):
    _, root, result, _ = imported
    manifest = tomllib.loads((root / "_skills/release-notes/skill.toml").read_text())
    assert manifest["name"] == "release-notes"
    pinned = manifest["targets"]["claude-code"]["pinned"]
    assert pinned["name"] == "Release Notes Writer"
    assert pinned["x-owner-team"] == "docs   # who to ask"
    assert pinned["disable-model-invocation"] == "true"
    warnings = [w.message for w in result.warnings if "release-notes" in w.path]
    assert any("differs from the folder `release-notes`" in m for m in warnings)
    assert any("`x-owner-team` is read as 'docs'" in m for m in warnings)


def test_standard_fields_and_when_to_use_become_manifest_fields(imported):
    _, root, _, _ = imported
    etl = tomllib.loads((root / "_skills/etl-check/skill.toml").read_text())
    assert etl["license"] == "Apache-2.0"
    assert etl["allowed_tools"] == ["Read", "Bash(sh scripts/check.sh *)"]
    assert "targets" not in etl
    style = tomllib.loads((root / "_skills/style-guide/skill.toml").read_text())
    assert style["when_to_use"].startswith("When a document")
    assert "@when_to_use" in style["blocks"]


def test_braces_in_bodies_stay_literal(imported):
    _, root, _, outputs = imported
    etl = outputs[".claude/skills/etl-check/SKILL.md"].data.decode()
    assert "`{{ column }}_clean`" in etl
    assert "{% if column.nullable %}" in outputs[".claude/skills/schema-diff/SKILL.md"].data.decode()


def test_sections_shared_by_skills_and_agents_become_blocks(imported):
    _, root, result, _ = imported
    blocks = {b.name: (b.users, b.skills) for b in result.blocks}
    assert blocks == {"handing-back": (4, 3), "limits": (3, 3)}
    manifest = tomllib.loads((root / "_manifests/agents/checker.toml").read_text())
    assert "handing-back" in manifest["blocks"]


def test_json_report_covers_skills(imported):
    _, _, result, _ = imported
    document = json.loads(import_json(result))
    etl = next(f for f in document["files"] if f["agent_id"] == "etl-check")
    assert etl["kind"] == "skill" and etl["status"] == "identical"
    assert etl["copied"] == ["references/rules.md", "scripts/check.sh"]
    assert etl["output"] == ".claude/skills/etl-check/SKILL.md"
    assert {b["name"]: b["skills"] for b in document["blocks"]} == {"handing-back": 3, "limits": 3}


def test_two_skills_with_one_folder_name_are_refused_not_merged(tmp_path):
    body = b"---\nname: lint\ndescription: Lints.\n---\n\n# Lint\n\nRun it.\n"
    source = write_files(tmp_path / "src", {"a/lint/SKILL.md": body, "b/lint/SKILL.md": body})
    result = run_import([source], tmp_path / "cat")
    assert [f.agent_id for f in result.files] == ["lint"]
    assert "imported twice" in result.refused[0].reason


def test_what_the_catalog_cannot_hold_is_refused_with_a_reason(tmp_path):
    source = write_files(tmp_path / "src", {
        "Bad_Name/SKILL.md": b"---\ndescription: x\n---\n\nText.\n",
        "no-front/SKILL.md": b"# No frontmatter\n\nText.\n",
        "crlf/SKILL.md": b"---\r\nname: crlf\r\ndescription: x\r\n---\r\n\r\nText.\r\n",
        "ok/SKILL.md": b"---\ndescription: Fine.\n---\n\nText.\n",
        "ok/skill.toml": b"name = 'clash'\n",
    })
    result = run_import([source], tmp_path / "cat")
    reasons = {Path(p.source).parent.name: p.reason for p in result.problems}
    assert "is not a skill name" in reasons["Bad_Name"]
    assert "no `description`" in reasons["no-front"]
    assert "CRLF" in reasons["crlf"]
    assert "skill manifest" in reasons["ok"]
    ok = next(f for f in result.files if f.agent_id == "ok")
    assert ok.status == "repaired" and "`name: ok` added" in ok.changes[0]
    assert sum(result.counts.values()) == result.found == 5


def test_own_generated_skills_come_back_exactly(tmp_path):
    project = Path(__file__).resolve().parents[1]
    root = tmp_path / "cat"
    result = run_import([project / ".claude/skills"], root)
    assert result.complete and {f.status for f in result.files} == {"identical"}
    _, files = assemble(root, root)
    for item in files:
        if item.path.startswith(".claude/skills/"):
            assert item.data == (project / item.path).read_bytes(), item.path


def test_a_boilerplate_section_shared_by_many_skills_is_one_block(tmp_path):
    boilerplate = "## House rules\n\nWork in small steps and say what you changed."
    files = {f"skills/group-{n % 7}/skill-{n}/SKILL.md":
             f"---\nname: skill-{n}\ndescription: Does task {n}.\n---\n\n# Skill {n}\n\n"
             f"Step one of task {n}.\n\n{boilerplate}\n".encode() for n in range(150)}
    result = run_import([write_files(tmp_path / "src", files)], tmp_path / "cat")
    assert result.complete and len(result.files) == 150
    assert [(b.name, b.skills) for b in result.blocks] == [("house-rules", 150)]
    assert {f.status for f in result.files} == {"identical"}


def test_cli_exit_code_and_dry_run(tmp_path):
    source = write_skills(tmp_path / "src")
    result = runner.invoke(app, ["import", str(source), "--root", str(tmp_path / "cat"),
                                 "--dry-run"])
    assert result.exit_code == 1  # the README is skipped
    assert "skills/README.md" in result.output and not (tmp_path / "cat").exists()


def test_lint_counts_a_block_used_only_by_skills_as_used(imported):
    _, root, _, _ = imported
    result = runner.invoke(app, ["lint", "--root", str(root)])
    assert "AA803" not in result.output


def test_a_skill_imports_into_a_catalog_with_its_own_banner_words(tmp_path, cli):
    """A `banner` template words the agents' banners; a SKILL.md keeps the tool's own, and
    the import's proof must strip that one."""
    root = tmp_path / "catalog"
    (root / "_manifests").mkdir(parents=True)
    (root / "assembler.toml").write_text('banner = "Made from {source}. {hash}"\n'
                                         'targets = ["claude-code"]\n')
    source = tmp_path / "in" / "demo"
    source.mkdir(parents=True)
    (source / "SKILL.md").write_text("---\nname: demo\ndescription: A demo skill.\n---\n\n"
                                     "# Demo\n\nDo it.\n")
    result = cli("import", tmp_path / "in", "--root", root)
    assert result.exit_code == 0, result.stdout
    assert cli("build", "--root", root).exit_code == 0
    assert cli("check", "--root", root).exit_code == 0
