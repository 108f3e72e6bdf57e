"""Every rule fires on its planted defect, and only there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assembler.lint.engine import RULES, lint
from lint_catalog import DEFECTS, write_clean

# Where each planted defect must be reported: the source that needs fixing.
EXPECTED_PATHS = {
    "AA001": "_blocks/tone.md", "AA101": "_manifests/team/beta.toml",
    "AA102": "_manifests/alpha.toml", "AA103": "_blocks/tone.md", "AA104": "_blocks/rules.md",
    "AA105": "_blocks/tone.md", "AA106": "_manifests/gamma.toml",
    "AA201": "_manifests/gamma.toml", "AA202": "_blocks/rules.md",
    "AA203": "_blocks/rules.md", "AA301": "claude.md", "AA302": "_blocks/Policy/read-only.md",
    "AA303": "_manifests/gamma.toml", "AA401": "_manifests/team/beta.toml",
    "AA402": "_blocks/tone.md", "AA501": "_blocks/rules.md", "AA502": "_blocks/rules.md",
    "AA503": "_manifests/alpha.toml", "AA504": "_blocks/tone.md", "AA601": "assembler.toml",
    "AA602": "_manifests/gamma.toml", "AA701": "_manifests/alpha.toml",
    "AA702": "_manifests/team/beta.toml", "AA703": "_manifests/gamma.toml",
    "AA704": "_manifests/team/beta.toml", "AA705": "_skills/long/skill.toml", "AA801": "_manifests/alpha.toml",
    "AA802": "_manifests/alpha.toml", "AA803": "_blocks/spare.md", "AA804": "_manifests/gamma.toml",
    "AA805": "_manifests/alpha.toml",
}


def test_every_rule_has_a_planted_defect():
    assert sorted(DEFECTS) == sorted(rule.code for rule in RULES) == sorted(EXPECTED_PATHS)


def test_clean_catalog_has_no_findings(clean, today):
    report = lint(clean, today=today)
    assert report.findings == []
    assert report.silenced == 0


@pytest.mark.parametrize("code", sorted(DEFECTS))
def test_one_defect_gives_exactly_its_finding(code, clean, today):
    DEFECTS[code](clean)
    report = lint(clean, today=today)
    assert [(f.code, f.path) for f in report.findings] == [(code, EXPECTED_PATHS[code])]


def test_all_defects_together_give_one_finding_each(all_defects, today):
    report = lint(all_defects, today=today)
    assert sorted(f.code for f in report.findings) == sorted(DEFECTS)


def test_text_output_of_all_defects(all_defects, run, snapshot):
    result = run(all_defects)
    assert result.exit_code == 1
    assert result.stdout == snapshot


def test_json_output_of_all_defects(all_defects, run, snapshot):
    result = run(all_defects, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert all(set(f) == {"code", "severity", "path", "line", "column", "message", "hint"}
               for f in findings)
    assert findings == snapshot


def test_github_output_of_all_defects(all_defects, run, snapshot):
    result = run(all_defects, "--format", "github", "--select", "AA1,AA8")
    assert result.exit_code == 1
    assert result.stdout == snapshot


def test_findings_point_at_the_planted_lines(all_defects, today):
    """Spot checks that locations are the exact source lines, not just the files."""
    report = lint(all_defects, today=today)
    by_code = {f.code: f for f in report.findings}
    rules = (all_defects / "_blocks/rules.md").read_text().splitlines()
    assert "verified 2025-01" in rules[by_code["AA501"].line - 1]
    assert rules[by_code["AA104"].line - 1] == "## Notes"
    tone = (all_defects / "_blocks/tone.md").read_text().splitlines()
    assert "<FILL ME>" in tone[by_code["AA402"].line - 1]
    column = by_code["AA402"].column
    assert tone[by_code["AA402"].line - 1][column - 1:].startswith("<FILL ME>")
    alpha = (all_defects / "_manifests/alpha.toml").read_text().splitlines()
    assert alpha[by_code["AA801"].line - 1].startswith("tools")
    assert alpha[by_code["AA801"].line - 1][by_code["AA801"].column - 1:].startswith('"Bash"')


def test_a_block_link_is_checked_from_each_output_folder(clean, today):
    """A relative link that works from agents/ can be broken from agents/team/."""
    (clean / "_blocks/tone.md").write_text(
        "# Tone\n\nSee [the guide](../docs/guide.md).\n", encoding="utf-8")
    report = lint(clean, today=today)
    assert [(f.code, f.path, f.line) for f in report.findings] == [("AA201", "_blocks/tone.md", 3)]
    assert "agents/team/beta.md" in report.findings[0].message
    assert "agents/alpha.md" not in report.findings[0].message


def test_anchor_links_are_checked_against_headings(clean, today):
    path = clean / "_manifests/alpha.toml"
    path.write_text(path.read_text().replace("guide.md#setup", "guide.md#install"))
    report = lint(clean, today=today)
    assert [(f.code, f.message) for f in report.findings] == [
        ("AA203", "link to `../docs/guide.md#install`, but that file has no heading with this "
                  "anchor (in `agents/alpha.md`)")]


def test_deprecated_agent_with_future_date_is_fine(clean, today):
    path = clean / "_manifests/gamma.toml"
    path.write_text(path.read_text() + 'deprecated = true\nremoved_after = 2026-05-01\n')
    assert lint(clean, today=today).findings == []


def test_secret_in_a_block_is_reported_once_at_the_block(clean, today):
    from lint_catalog import FAKE_GITHUB_TOKEN

    path = clean / "_blocks/rules.md"
    path.write_text(path.read_text() + f"\nUse token {FAKE_GITHUB_TOKEN} for the bot.\n")
    report = lint(clean, today=today)
    assert [(f.code, f.path) for f in report.findings] == [("AA601", "_blocks/rules.md")]


def test_secret_rendered_from_a_manifest_var_is_reported_at_the_var(clean, today):
    from lint_catalog import FAKE_GITHUB_TOKEN

    (clean / "_blocks/rules.md").write_text(
        (clean / "_blocks/rules.md").read_text() + "\nBot: {{ vars.bot | default('none') }}\n")
    path = clean / "_manifests/gamma.toml"
    path.write_text(path.read_text() + f'\n[vars]\nbot = "{FAKE_GITHUB_TOKEN}"\n')
    report = lint(clean, today=today)
    assert [(f.code, f.path, f.line) for f in report.findings] == [("AA601", "_manifests/gamma.toml", 10)]


def test_placeholders_inside_code_are_not_reported(clean, today):
    path = clean / "_blocks/tone.md"
    path.write_text(path.read_text() + "\n```\nname: <FILL ME>\n{% raw %}{{ shown as is }}{% endraw %} stays\n"
                    "```\n\nInline `TODO: x` is code too.\n")
    assert lint(clean, today=today).findings == []


def test_unrendered_template_in_config_layout_is_reported_at_the_config(clean, today):
    path = clean / "assembler.toml"
    path.write_text(path.read_text().replace(
        "[vars]", '[layout]\nreferences = ["`docs/guide.md` for {{ vars.team }}"]\n\n[vars]'))
    report = lint(clean, today=today)
    assert [(f.code, f.path, f.line) for f in report.findings] == [("AA401", "assembler.toml", 5)]
    assert "`agents/alpha.md`, `agents/gamma.md`, `agents/team/beta.md`" in report.findings[0].message


def test_roles_that_repeat_a_block(clean, today):
    (clean / "_roles/strict.toml").write_text(
        'extends = "reader"\nblocks = ["policy/read-only", "rules", "rules"]\n')
    path = clean / "_manifests/gamma.toml"
    path.write_text(path.read_text().replace('tools = ["Read"]', 'tools = ["Read"]\nsubstrate_role = "strict"'))
    report = lint(clean, today=today)
    assert [(f.code, f.path, f.line, f.column, f.message) for f in report.findings] == [
        ("AA804", "_manifests/gamma.toml", 8, 11,
         "block `rules` is included twice: it is also in role `strict`"),
        ("AA804", "_roles/strict.toml", 2, 11,
         "block `policy/read-only` is included twice: it is also inherited from role `reader`"),
        ("AA804", "_roles/strict.toml", 2, 40,
         "block `rules` is included twice: it is also listed earlier in this role"),
    ]


def test_placeholder_in_a_var_is_reported_at_the_var(clean, today):
    path = clean / "_manifests/gamma.toml"
    path.write_text(path.read_text().replace('blocks = ["rules"', 'vars = { team = "<FILL IN>" }\nblocks = ["rules"'))
    report = lint(clean, today=today)
    assert [(f.code, f.path, f.line, f.column) for f in report.findings] == [
        ("AA402", "_manifests/gamma.toml", 7, 18)]


def test_jinja_loop_lines_map_to_the_loop_body(clean, today):
    (clean / "_blocks/tone.md").write_text(
        "# Tone\n\n{% for word in ['calm', 'plain', 'short'] %}\n- {{ word }}: see [x](../nowhere.md)\n"
        "{% endfor %}\n", encoding="utf-8")
    report = lint(clean, today=today)
    assert {(f.code, f.path, f.line) for f in report.findings} == {("AA201", "_blocks/tone.md", 4)}


def test_links_to_other_generated_agents_resolve_before_the_first_build(clean, today):
    path = clean / "_manifests/alpha.toml"
    path.write_text(path.read_text().replace("You are alpha.", "You are alpha; ask [beta](team/beta.md#tone)."))
    assert not (clean / "agents").exists()
    assert lint(clean, today=today).findings == []
    path.write_text(path.read_text().replace("beta.md#tone", "beta.md#voice"))
    assert [f.code for f in lint(clean, today=today).findings] == ["AA203"]


def test_fidelity_settings_own_text_footer_and_crlf(clean, today):
    """Own [text] pieces, a `footer` list and CRLF outputs are linted like everything else."""
    path = clean / "_manifests/gamma.toml"
    path.write_text(path.read_text().replace(
        'blocks = ["rules", "tone", "footer"]',
        'blocks = ["rules", "@intro", "tone"]\nfooter = ["footer", "tone"]\nnewline = "crlf"\n\n'
        '[text]\nintro = """\n## Intro\n\nAsk <FILL ME> first.\n\n## Empty one\n"""'))
    report = lint(clean, today=today)
    assert [(f.code, f.path, f.line) for f in report.findings] == [
        ("AA804", "_manifests/gamma.toml", 8),
        ("AA402", "_manifests/gamma.toml", 15),
        ("AA104", "_manifests/gamma.toml", 17),
    ]


def test_the_rules_run_beside_the_others_give_the_findings_of_one_process(all_defects, today,
                                                                         monkeypatch):
    from assembler import parallel

    def findings():
        return [(f, f.severity, f.outputs) for f in lint(all_defects, today=today).findings]

    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    alone = findings()
    monkeypatch.delenv(parallel.JOBS_ENV)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_AGENTS", 0)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1})
    forks: list[str] = []  # what each forked process ran
    real = parallel._fork
    monkeypatch.setattr(parallel, "_fork",
                        lambda work, part: forks.append(work.__qualname__) or real(work, part))
    assert findings() == alone
    assert forks.count("_check.<locals>.work") == 1
    assert {f.code for f, _, _ in alone} >= {"AA801", "AA802", "AA803", "AA804"}
