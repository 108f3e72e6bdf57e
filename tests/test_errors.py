"""Bad input: exit 2, a located message with a hint, no traceback, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import MINI, write_tree


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(text)


BROKEN = {
    "toml_syntax": lambda r: edit(r, "_manifests/alpha.toml", 'model = "sonnet"', "model = sonnet"),
    "unknown_key": lambda r: edit(r, "_manifests/alpha.toml", "blocks =", "blokcs ="),
    "unknown_key_in_table": lambda r: append(r, "_manifests/alpha.toml", 'extr = ["x"]\n'),
    "wrong_type": lambda r: edit(r, "_manifests/beta.toml", 'tools = ["Read", "Edit"]', 'tools = "Read, Edit"'),
    "wrong_type_in_array": lambda r: edit(r, "_manifests/beta.toml", '"Read", "Edit"', '"Read", 3'),
    "missing_required": lambda r: edit(r, "_manifests/beta.toml", 'description = "Second agent, fixes things."\n', ""),
    "missing_handoff_trigger": lambda r: edit(r, "_manifests/alpha.toml", 'trigger = "a fix is needed"', ""),
    "name_mismatch": lambda r: edit(r, "_manifests/beta.toml", 'name = "beta"', 'name = "gamma"'),
    "name_not_slug": lambda r: edit(r, "_manifests/beta.toml", 'name = "beta"', 'name = "Beta_Agent"'),
    "unknown_block": lambda r: edit(r, "_manifests/beta.toml", '"baseline", "footer"]', '"baseline", "footr"]'),
    "unknown_role": lambda r: edit(r, "_manifests/beta.toml", '"editor"', '"editr"'),
    "unknown_parent_role": lambda r: edit(r, "_roles/editor.toml", '"reader"', '"raeder"'),
    "relaxes_unknown_block": lambda r: edit(r, "_roles/editor.toml", '"policy/read-only"', '"policy/no-write"'),
    "handoff_without_manifest": lambda r: edit(r, "_manifests/alpha.toml", 'target = "beta"', 'target = "betta"'),
    "handoff_ambiguous": lambda r: write_tree(r, {
        "_manifests/team/beta.toml": MINI["_manifests/beta.toml"]}),
    "role_cycle": lambda r: append(r, "_roles/reader.toml", 'extends = "editor"\n'),
    "role_extends_itself": lambda r: append(r, "_roles/reader.toml", 'extends = "reader"\n'),
    "required_block_missing": lambda r: edit(r, "_manifests/beta.toml", '"baseline", "footer"]', '"baseline"]'),
    "required_block_unknown": lambda r: edit(r, "assembler.toml", '"baseline", "footer"]', '"baseline", "fotter"]'),
    "required_field_empty": lambda r: edit(r, "assembler.toml", 'regenerate', 'required_fields = ["domain_in"]\nregenerate'),
    "block_name_escapes": lambda r: edit(r, "_manifests/beta.toml", '"baseline", "footer"]', '"baseline", "footer", "../secrets"]'),
    "block_name_absolute": lambda r: edit(r, "_manifests/beta.toml", '"baseline", "footer"]', '"baseline", "footer", "/etc/passwd"]'),
    "role_name_escapes": lambda r: edit(r, "_manifests/beta.toml", '"editor"', '"../../etc/editor"'),
    "jinja_syntax_error": lambda r: append(r, "_blocks/baseline.md", "\n{% if agent.name %}\nunclosed\n"),
    "jinja_undefined_variable": lambda r: append(r, "_blocks/baseline.md", "\nFor {{ vars.owner }}.\n"),
    "jinja_undefined_in_footer": lambda r: append(r, "_blocks/footer.md", "\n{{ reviewer }}\n"),
    "block_frontmatter_invalid_yaml": lambda r: edit(r, "_blocks/footer.md", "placement: footer", "placement: [footer"),
    "block_frontmatter_unknown_key": lambda r: edit(r, "_blocks/footer.md", "placement: footer", "placment: footer"),
    "block_frontmatter_bad_value": lambda r: edit(r, "_blocks/footer.md", "placement: footer", "placement: bottom"),
    "layout_without_banner": lambda r: write_tree(r, {
        "_templates/claude-code.md.j2": "---\n{{ frontmatter }}---\n\n{{ role_text }}\n"}),
    "layout_banner_not_on_its_own_line": lambda r: write_tree(r, {
        "_templates/claude-code.md.j2": "---\n{{ frontmatter }}---\n\nx {{ banner }}\n"}),
    "layout_syntax_error": lambda r: write_tree(r, {
        "_templates/claude-code.md.j2": "---\n{{ frontmatter }---\n{{ banner }}\n"}),
    "config_unknown_key": lambda r: edit(r, "assembler.toml", 'output = "agents"', 'outptu = "agents"'),
    "config_syntax": lambda r: edit(r, "assembler.toml", "[vars]", "[vars"),
    "not_utf8": lambda r: (r / "_blocks/baseline.md").write_bytes(b"# BASELINE\n\ncaf\xe9\n"),
    "several_errors_in_several_files": lambda r: (
        edit(r, "_manifests/alpha.toml", "blocks =", "blokcs ="),
        edit(r, "_roles/editor.toml", '"reader"', '"raeder"'),
        edit(r, "_blocks/footer.md", "placement: footer", "placment: footer"),
    ),
    "load_errors_and_template_errors_together": lambda r: (
        edit(r, "_manifests/alpha.toml", "blocks =", "blokcs ="),
        append(r, "_blocks/baseline.md", "{{ nope }}\n"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_bad_input_is_reported_and_nothing_is_written(case, mini, cli, snapshot):
    BROKEN[case](mini)
    for command in (["check"], ["build"]):
        result = cli(*command, "--root", mini)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert not (mini / "agents").exists()
    assert result.stderr == snapshot


def test_symlink_to_a_file_outside_the_catalog_is_refused(mini, tmp_path, cli):
    outside = tmp_path / "outside.md"
    outside.write_text("# secret\n")
    os.symlink(outside, mini / "_blocks/leak.md")
    result = cli("check", "--root", mini)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "_blocks/leak.md:1:1: error: `_blocks/leak.md` is a symbolic link to a file outside the catalog\n"
    )


def test_symlink_inside_the_catalog_is_fine(mini, cli):
    os.symlink(mini / "_blocks/baseline.md", mini / "_blocks/alias.md")
    assert cli("build", "--root", mini).exit_code == 0


def test_json_format_reports_errors_as_data(mini, cli):
    import json

    BROKEN["unknown_block"](mini)
    result = cli("check", "--format", "json", "--root", mini)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    (error,) = document["errors"]
    assert error["path"] == "_manifests/beta.toml"
    assert error["message"] == "unknown block `footr` (no _blocks/footr.md)"
    assert error["hint"] == "did you mean `footer`?"


def test_no_config_anywhere(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("check")
    assert result.exit_code == 2
    assert "no assembler.toml" in result.stderr and "--root DIR" in result.stderr


def test_unknown_agent_on_the_command_line(mini, cli):
    result = cli("build", "alpah", "--root", mini)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown agent `alpah`\n  hint: did you mean `alpha`?")


def test_usage_error_exits_2(cli):
    assert cli("check", "--format", "xml").exit_code == 2
