"""The failures of a real skill catalog's clean-up, planted in a copy of the example catalog.

Each is caught at the source line: by a build error, or by a lint finding.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from assembler.diagnostics import CatalogError
from assembler.lint.engine import lint
from assembler.outputs.render import assemble

from tests.provenance_support import REPO, copy_catalog

TODAY = date(2026, 6, 1)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = copy_catalog(tmp_path / "example")
    shutil.copytree(REPO / "_skills", root / "_skills")
    return root


def edit(path: Path, change) -> None:
    path.write_text(change(path.read_text()))


def findings(root: Path, code: str | None = None):
    report = lint(root, today=TODAY)
    return [f for f in report.findings if code is None or f.code == code]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_example_skills_are_clean(example):
    assert findings(example) == []


def test_missing_when_to_use_section(example):
    manifest = example / "_skills/evidence-report/skill.toml"
    edit(manifest, lambda text: re.sub(r"when_to_use = .*\n", "", text)
         .replace('"@when_to_use", ', ""))
    found = findings(example, "AA101")
    assert [(f.path, f.line) for f in found] == [
        ("_skills/evidence-report/skill.toml", line_of(manifest, "blocks = "))]
    assert "no `When to use` section" in found[0].message


def test_table_of_contents_naming_missing_phase_files(example):
    manifest = example / "_skills/gpu-cost-estimate/skill.toml"
    edit(manifest, lambda text: text.replace(
        "- [Estimator](scripts/estimate.py)",
        "- references/phase-6.md\n- [Phase 7](references/phase-7.md)\n- [Estimator](scripts/estimate.py)"))
    (example / "_skills/gpu-cost-estimate/references/phase-6.md").write_text("# Phase 6\n")
    found = findings(example, "AA201")
    assert [(f.path, f.line) for f in found] == [
        ("_skills/gpu-cost-estimate/skill.toml", line_of(manifest, "phase-7.md"))]
    (example / "_skills/gpu-cost-estimate/references/phase-6.md").unlink()
    found = findings(example, "AA201")
    assert [f.line for f in found] == [line_of(manifest, "phase-6.md"),
                                       line_of(manifest, "phase-7.md")]


def test_a_link_leaving_the_skill_folder(example):
    manifest = example / "_skills/evidence-report/skill.toml"
    edit(manifest, lambda text: text.replace("Collect the claims,",
                                             "See [the guide](../../../docs/agents.md). Collect the claims,"))
    found = findings(example, "AA201")
    assert len(found) == 1 and "points outside the skill's folder" in found[0].message


def test_lowercase_skill_md_in_a_source_folder_fails_the_build(example):
    (example / "_skills/lora-rank-results/skill.md").write_text("---\nname: x\n---\n")
    with pytest.raises(CatalogError) as caught:
        assemble(example)
    assert any(d.path == "_skills/lora-rank-results/skill.md"
               and "clients load only a file named exactly `SKILL.md`" in d.message
               for d in caught.value.diagnostics)


def test_lowercase_skill_md_in_a_skills_folder(example):
    folder = example / ".agents/skills/lora-rank-results"
    folder.mkdir(parents=True)
    (folder / "skill.md").write_text("hand-made\n")
    found = findings(example, "AA301")
    assert [f.path for f in found] == [".agents/skills/lora-rank-results/skill.md"]


def test_deprecated_skill_without_a_removal_date(example):
    manifest = example / "_skills/evidence-report/skill.toml"
    edit(manifest, lambda text: text.replace('license = "MIT"', 'license = "MIT"\ndeprecated = true'))
    found = findings(example, "AA504")
    assert [(f.path, f.line) for f in found] == [
        ("_skills/evidence-report/skill.toml", line_of(manifest, "deprecated"))]
    edit(manifest, lambda text: text.replace("deprecated = true",
                                             "deprecated = true\nremoved_after = 2026-05-01"))
    found = findings(example, "AA503")
    assert [f.line for f in found] == [line_of(manifest, "removed_after")]
    assert findings(example, "AA504") == []


def test_stale_verified_stamp_in_the_skills_own_text(example):
    manifest = example / "_skills/lora-rank-results/skill.toml"
    assert findings(example, "AA501") == []
    report = lint(example, today=date(2027, 3, 1))
    stale = [f for f in report.findings if f.code == "AA501"]
    assert {f.line for f in stale} == {line_of(manifest, "Above rank 16"),
                                       line_of(manifest, "Alpha at twice")}
    assert all(f.path == "_skills/lora-rank-results/skill.toml" for f in stale)


def test_stamp_in_a_shared_block_moves_to_the_block(example):
    block = example / "_blocks/evidence-grading.md"
    edit(block, lambda text: text.replace("Tag every claim", "Scale verified 2024-01. Tag every claim"))
    found = [f for f in findings(example, "AA501") if f.path == "_blocks/evidence-grading.md"]
    assert found and all(f.line == line_of(block, "Scale verified") for f in found)


def test_secrets_in_skills_are_found_but_never_echoed(example):
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    manifest = example / "_skills/result-skill-writer/skill.toml"
    edit(manifest, lambda text: text.replace("Pick a name:", f"Token {secret}. Pick a name:"))
    script = example / "_skills/gpu-cost-estimate/scripts/estimate.py"
    edit(script, lambda text: text + f'\nTOKEN = "{secret}"\n')
    found = findings(example, "AA601")
    assert {(f.path, f.line) for f in found} == {
        ("_skills/result-skill-writer/skill.toml", line_of(manifest, "Token ghp_")),
        ("_skills/gpu-cost-estimate/scripts/estimate.py", line_of(script, "TOKEN =")),
    }
    assert all(secret not in f.message and secret not in (f.hint or "") for f in found)


def test_long_body_warns(example):
    manifest = example / "_skills/lora-rank-results/skill.toml"
    rows = "".join(f"- finding {n}\n" for n in range(520))
    edit(manifest, lambda text: text.replace("## Failure modes\n", "## Failure modes\n\n" + rows))
    found = findings(example, "AA705")
    assert len(found) == 1 and found[0].severity == "warning"
    assert "500 lines" in found[0].message


def test_claude_code_listing_limit(example):
    manifest = example / "_skills/evidence-report/skill.toml"
    long = "x " * 400
    edit(manifest, lambda text: re.sub(r'when_to_use = ".*"', f'when_to_use = "{long}{long}"', text))
    found = findings(example, "AA704")
    assert len(found) == 1 and "1536" in found[0].message
    assert found[0].path == "_skills/evidence-report/skill.toml"


def test_score_counts_skill_findings(example):
    from assembler.lint.score import score

    clean = score(lint(example, today=TODAY))
    manifest = example / "_skills/evidence-report/skill.toml"
    edit(manifest, lambda text: re.sub(r"when_to_use = .*\n", "", text)
         .replace('"@when_to_use", ', ""))
    broken = score(lint(example, today=TODAY))
    assert clean["score"] == 100 and broken["score"] < 100
    assert broken["metrics"]["skills"] == 4
