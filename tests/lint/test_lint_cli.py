"""`assembler lint` on the command line: exit codes, formats, selection, score, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint_catalog import DEFECTS, FAKE_API_TOKEN, FAKE_GITHUB_TOKEN

REPO = Path(__file__).resolve().parents[2]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_clean_catalog_exits_0(clean, run):
    result = run(clean)
    assert result.exit_code == 0
    assert result.stdout == "No findings in 3 agents.\n"


def test_warnings_alone_exit_0(clean, run):
    DEFECTS["AA803"](clean)
    result = run(clean)
    assert result.exit_code == 0
    assert result.stdout.endswith("1 warning in 3 agents.\n")


def test_an_error_exits_1(clean, run):
    DEFECTS["AA801"](clean)
    assert run(clean).exit_code == 1


def test_lint_writes_nothing(all_defects, run):
    before = _tree(all_defects)
    run(all_defects)
    run(all_defects, "--score")
    assert _tree(all_defects) == before
    assert not (all_defects / "agents").exists()


def test_example_catalog_has_no_findings(run):
    result = run(REPO, "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_select_and_ignore_take_codes_and_prefixes(all_defects, run):
    def codes(*args: str) -> list[str]:
        return sorted(f["code"] for f in json.loads(run(all_defects, "--format", "json", *args).stdout))

    assert codes("--select", "AA6") == ["AA601", "AA602"]
    assert codes("--select", "AA601,AA803") == ["AA601", "AA803"]
    assert codes("--select", "AA6", "--select", "AA7", "--ignore", "AA70") == ["AA601", "AA602"]
    assert "AA202" not in codes("--ignore", "AA202")
    assert len(codes("--ignore", "AA1,AA2")) == len(DEFECTS) - 9


def test_select_runs_rules_that_are_off_by_default(clean, run):
    config = clean / "assembler.toml"
    config.write_text(config.read_text().replace('enable = ["AA202"]\n', ""))
    DEFECTS["AA202"](clean)
    assert run(clean).exit_code == 0 and "AA202" not in run(clean).stdout
    assert "AA202" in run(clean, "--select", "AA202").stdout


def test_config_disable_and_severity(clean, run):
    DEFECTS["AA801"](clean)
    DEFECTS["AA803"](clean)
    config = clean / "assembler.toml"
    text = config.read_text().replace('enable = ["AA202"]', 'enable = ["AA202"]\ndisable = ["AA803"]')
    config.write_text(text + '\n[lint.severity]\nAA801 = "warning"\n')
    result = run(clean, "--format", "json")
    assert result.exit_code == 0
    assert [(f["code"], f["severity"]) for f in json.loads(result.stdout)] == [("AA801", "warning")]


def test_unknown_codes_in_the_config_are_located_errors(clean, run):
    config = clean / "assembler.toml"
    text = config.read_text().replace('enable = ["AA202"]', 'enable = ["AA202", "AA209"]\ndisable = ["A8"]')
    config.write_text(text + '\n[lint.severity]\nAA108 = "error"\n')
    result = run(clean)
    assert result.exit_code == 2
    assert result.stderr == (
        "assembler.toml:8:20: error: `lint.enable`: `AA209` matches no rule\n"
        "  hint: did you mean `AA203`?\n"
        "assembler.toml:9:12: error: `lint.disable`: `A8` is not a rule code or code prefix "
        "(like `AA101` or `AA1`)\n"
        "  hint: see docs/rules.md for every rule code\n"
        "assembler.toml:22:1: error: `lint.severity`: `AA108` is not a known rule code\n"
        "  hint: did you mean `AA106`?\n"
        "3 errors; nothing was written.\n"
    )


def test_bad_lint_table_shape_is_a_located_error(clean, run):
    config = clean / "assembler.toml"
    config.write_text(config.read_text().replace("freshness_months = 6", "freshness_months = \"6\"\n"
                                                 "freshnes_month = 1"))
    result = run(clean)
    assert result.exit_code == 2
    assert "assembler.toml:9:20: error: `lint.freshness_months` must be an integer" in result.stderr
    assert "assembler.toml:10:1: error: unknown key `lint.freshnes_month`" in result.stderr
    assert "did you mean `freshness_months`?" in result.stderr


@pytest.mark.parametrize("args", [["--select", "AA9"], ["--ignore", "X1"], ["--select", "AA"]])
def test_unknown_selectors_exit_2(clean, run, args):
    result = run(clean, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error: --" in result.stderr


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "01/05/2026"])
def test_bad_today_is_a_usage_error(clean, run, day):
    result = run(clean, today=day)
    assert result.exit_code == 2
    assert "--today" in result.stderr


def test_invalid_catalog_exits_2_with_json_errors(clean, run):
    (clean / "_manifests/gamma.toml").write_text('name = "gamma"\n')
    result = run(clean, "--format", "json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["errors"][0]["path"] == "_manifests/gamma.toml"


def test_today_moves_freshness(clean, run):
    DEFECTS["AA501"](clean)  # a stamp from 2025-01
    assert "AA501" not in run(clean, today="2025-07-01").stdout
    assert "AA501" in run(clean, today="2025-08-01").stdout


def test_secrets_are_never_echoed(all_defects, run):
    secret_parts = [FAKE_GITHUB_TOKEN, FAKE_GITHUB_TOKEN[4:], FAKE_API_TOKEN, FAKE_API_TOKEN[:8]]
    for args in ([], ["--format", "json"], ["--format", "github"], ["--score"]):
        result = run(all_defects, *args)
        for part in secret_parts:
            assert part not in result.stdout + result.stderr


def test_score_is_one_stable_json_object(all_defects, run):
    first = run(all_defects, "--score")
    second = run(all_defects, "--score")
    assert first.exit_code == 0  # a score was computed; findings do not fail the run
    assert first.stdout == second.stdout
    assert first.stdout.count("\n") == 1
    document = json.loads(first.stdout)
    assert set(document) == {"score", "metrics", "findings"}
    assert document["findings"] == len(DEFECTS)
    errors, warnings = document["metrics"]["errors"], document["metrics"]["warnings"]
    assert errors + warnings == len(DEFECTS)
    assert document["score"] == round(100 * 100 / (100 + 10 * errors + 3 * warnings), 2)
    assert document["metrics"]["by_family"]["secrets"] == 2


def test_score_is_100_when_clean_and_drops_with_each_defect(clean, run):
    scores = [json.loads(run(clean, "--score").stdout)["score"]]
    assert scores == [100.0]
    for code in ("AA803", "AA801", "AA402"):
        DEFECTS[code](clean)
        scores.append(json.loads(run(clean, "--score").stdout)["score"])
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4


def test_score_respects_select(all_defects, run):
    document = json.loads(run(all_defects, "--score", "--select", "AA6").stdout)
    assert document["findings"] == 2
    assert document["score"] == round(100 * 100 / 120, 2)


def test_score_still_fails_on_bad_input(clean, run):
    (clean / "_manifests/gamma.toml").write_text("name = \n")
    result = run(clean, "--score")
    assert result.exit_code == 2
    document = json.loads(result.stdout)  # a JSON reader still gets JSON: the errors, no score
    assert document["ok"] is False and "score" not in document
    assert document["errors"][0]["path"] == "_manifests/gamma.toml"
