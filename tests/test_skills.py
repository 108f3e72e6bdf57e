"""Skills: sources, SKILL.md per skills folder, copies, drift, and the errors at source lines."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from assembler.diagnostics import CatalogError
from assembler.outputs.drift import compare
from assembler.outputs.render import assemble
from assembler.sources.catalog import load_catalog, load_partial

from .conftest import MINI, REPO, write_tree

SKILLS = {
    **MINI,
    "assembler.toml": MINI["assembler.toml"] + """
        [targets.claude-code]
        [targets.codex]
        model = "inherit"
        [targets.gemini]
        model = "inherit"
        """,
    "_skills/release-notes/skill.toml": """
        name = "release-notes"
        description = "Drafts release notes from the git history: use when: preparing a release."
        when_to_use = "Before tagging a release."
        license = "MIT"
        compatibility = "Needs git."
        allowed_tools = ["Read", "Bash(git log *)"]
        blocks = ["@intro", "@when_to_use", "baseline", "@steps"]

        [metadata]
        owner = "platform"
        version = "2"

        [targets.claude-code]
        argument-hint = "<since>"
        disable-model-invocation = true

        [text]
        intro = \"\"\"
        # Release notes

        - [Style guide](references/style.md)
        \"\"\"
        steps = \"\"\"
        ## Steps

        Run `scripts/log.sh` and group the lines.
        \"\"\"
        """,
    "_skills/release-notes/references/style.md": "# Style\n\nShort lines.\n",
    "_skills/release-notes/scripts/log.sh": "#!/bin/sh\ngit log --oneline \"$@\"\n",
}


@pytest.fixture
def skilled(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "catalog", SKILLS)
    (root / "_skills/release-notes/scripts/log.sh").chmod(0o755)
    return root


def files_of(root: Path) -> dict[str, bytes]:
    _, rendered = assemble(root)
    return {item.path: item.data for item in rendered if item.path.count("skills/")}


def errors_of(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        assemble(root)
    return [d.format() for d in caught.value.diagnostics]


def test_each_skills_folder_gets_skill_md_and_copies(skilled):
    files = files_of(skilled)
    assert sorted(files) == [
        ".agents/skills/release-notes/SKILL.md",
        ".agents/skills/release-notes/references/style.md",
        ".agents/skills/release-notes/scripts/log.sh",
        ".claude/skills/release-notes/SKILL.md",
        ".claude/skills/release-notes/references/style.md",
        ".claude/skills/release-notes/scripts/log.sh",
    ]  # codex and gemini share one .agents/skills file
    assert files[".agents/skills/release-notes/scripts/log.sh"] == \
        (skilled / "_skills/release-notes/scripts/log.sh").read_bytes()


def test_rendered_skill_md_per_folder(skilled, snapshot):
    files = files_of(skilled)
    assert files[".claude/skills/release-notes/SKILL.md"].decode() == snapshot(name="claude")
    assert files[".agents/skills/release-notes/SKILL.md"].decode() == snapshot(name="agents")


def test_shared_folder_keeps_to_the_six_standard_keys(skilled):
    import yaml

    text = files_of(skilled)[".agents/skills/release-notes/SKILL.md"].decode()
    header = yaml.safe_load(text.split("---\n")[1])
    assert set(header) == {"name", "description", "license", "compatibility", "metadata",
                           "allowed-tools"}
    assert header["description"].startswith("Drafts release notes")  # `: ` quoted, parses back
    assert "metadata:\n  owner: platform\n" in text  # block style, never `{…}` or `[…]`
    assert "[" not in text.split("---\n")[1].replace("Bash(git log *)", "")
    claude = files_of(skilled)[".claude/skills/release-notes/SKILL.md"].decode()
    assert "when_to_use: Before tagging a release.\n" in claude
    assert "disable-model-invocation: true\n" in claude


def test_build_keeps_script_modes_and_check_is_clean(skilled, cli):
    assert cli("build", "--root", skilled).exit_code == 0
    script = skilled / ".claude/skills/release-notes/scripts/log.sh"
    assert os.access(script, os.X_OK)
    assert cli("check", "--root", skilled).exit_code == 0
    script.chmod(0o644)
    result = cli("check", "--root", skilled)
    assert result.exit_code == 1 and "log.sh: stale" in result.stdout
    assert cli("build", "--root", skilled).exit_code == 0
    assert stat.S_IMODE(script.stat().st_mode) == 0o755


def test_drift_kinds_of_skill_folders(skilled, cli, monkeypatch):
    monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")
    assert cli("build", "--root", skilled).exit_code == 0
    copy = skilled / ".agents/skills/release-notes/references/style.md"
    copy.write_text("# Style\n\nchanged\n")
    (skilled / ".claude/skills/release-notes/notes.txt").write_text("mine\n")
    (skilled / ".claude/skills/release-notes/SKILL.md").unlink()
    states = {s.path: s.kind for s in compare(*assemble(skilled)) if s.drifted}
    assert states == {
        ".agents/skills/release-notes/references/style.md": "edited",
        ".claude/skills/release-notes/SKILL.md": "missing",
    }  # without its SKILL.md, the folder is not known to be generated
    assert cli("build", "--root", skilled).exit_code == 1  # the edited copy is refused
    states = {s.path: s.kind for s in compare(*assemble(skilled)) if s.drifted}
    assert states[".claude/skills/release-notes/notes.txt"] == "unexpected"
    result = cli("build", "--force", "--root", skilled)
    assert result.exit_code == 1 and "kept .claude/skills/release-notes/notes.txt" in result.stderr
    assert (skilled / ".claude/skills/release-notes/notes.txt").exists()  # never removed
    assert copy.read_text() == "# Style\n\nShort lines.\n"


def test_removed_skill_source_orphans_its_skill_md(skilled, cli, monkeypatch):
    monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")
    assert cli("build", "--root", skilled).exit_code == 0
    (skilled / ".claude/skills/release-notes/notes.txt").write_text("mine\n")
    shutil.rmtree(skilled / "_skills/release-notes")
    result = cli("check", "--root", skilled)
    assert result.exit_code == 1
    assert ".claude/skills/release-notes/SKILL.md: orphaned" in result.stdout
    # the copies are ours (the SKILL.md records their hashes); the note is not
    assert ".claude/skills/release-notes/references/style.md: orphaned" in result.stdout
    assert ".claude/skills/release-notes/notes.txt: unexpected" in result.stdout
    assert cli("build", "--root", skilled).exit_code == 1  # the note is kept
    left = sorted(p.relative_to(skilled).as_posix() for p in skilled.rglob("*")
                  if p.is_file() and "skills/" in p.as_posix())
    assert left == [".claude/skills/release-notes/notes.txt"]


def test_cached_check_sees_skill_drift(skilled, cli):
    assert cli("build", "--root", skilled).exit_code == 0
    assert cli("check", "--root", skilled).exit_code == 0  # recorded
    assert cli("check", "--root", skilled).exit_code == 0  # answered from the record
    (skilled / ".agents/skills/release-notes/scripts/log.sh").chmod(0o644)
    assert cli("check", "--root", skilled).exit_code == 1
    assert cli("build", "--root", skilled).exit_code == 0
    (skilled / ".agents/skills/release-notes/extra.md").write_text("x\n")
    assert cli("check", "--root", skilled).exit_code == 1
    (skilled / ".agents/skills/release-notes/extra.md").unlink()
    (skilled / "_skills/release-notes/references/style.md").write_text("# Style\n\nnew\n")
    result = cli("check", "--root", skilled)  # the SKILL.md records what the build copied
    assert result.exit_code == 1 and "references/style.md: stale" in result.stdout
    assert cli("build", "--root", skilled).exit_code == 0
    assert cli("check", "--root", skilled).exit_code == 0


@pytest.mark.parametrize("key, value, message", [
    ("name", '"Release_Notes"', "is not a valid skill name"),
    ("name", '"release--notes"', "is not a valid skill name"),
    ("name", '"other"', "does not match the skill's folder `release-notes`"),
    ("description", '"' + "x" * 1025 + '"', "at most 1024"),
    ("description", '" "', "`description` is empty"),
    ("compatibility", '"' + "y" * 501 + '"', "it must have 1 to 500"),
])
def test_standard_rules_at_the_source_line(skilled, key, value, message):
    path = skilled / "_skills/release-notes/skill.toml"
    text = path.read_text()
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, 1) if row.startswith(f"{key} = "))
    lines[line - 1] = f"{key} = {value}"
    path.write_text("\n".join(lines) + "\n")
    errors = errors_of(skilled)
    assert any(e.startswith(f"_skills/release-notes/skill.toml:{line}:") and message in e
               for e in errors), errors


def test_metadata_must_map_strings_to_strings(skilled):
    path = skilled / "_skills/release-notes/skill.toml"
    path.write_text(path.read_text().replace('version = "2"', "version = 2"))
    errors = errors_of(skilled)
    assert any("metadata.version` must be a string" in e for e in errors), errors


def test_unknown_keys_tools_and_target_fields_have_did_you_mean(skilled):
    path = skilled / "_skills/release-notes/skill.toml"
    text = path.read_text().replace('"Bash(git log *)"', '"Bsh(git log *)"')
    text = text.replace("argument-hint", "argument-hnt")
    path.write_text(text.replace("license =", "licence ="))
    errors = "\n".join(errors_of(skilled))
    assert "unknown key `licence`" in errors and "did you mean `license`" in errors
    text = path.read_text().replace("licence =", "license =")
    path.write_text(text)
    errors = "\n".join(errors_of(skilled))
    assert "unknown tool `Bsh`" in errors and "`Bash`" in errors
    assert "unknown key `targets.claude-code.argument-hnt`" in errors


def test_every_problem_of_a_run_is_reported(skilled):
    """A broken skill and a broken agent in one run: both reported, nothing rendered."""
    path = skilled / "_skills/release-notes/skill.toml"
    path.write_text(path.read_text().replace('"baseline"', '"baseline", "nope"'))
    manifest = skilled / "_manifests/beta.toml"
    manifest.write_text(manifest.read_text().replace('"footer"]', '"footer", "missing"]'))
    errors = errors_of(skilled)
    assert any("skill.toml" in e and "unknown block `nope`" in e for e in errors)
    assert any("beta.toml" in e and "unknown block `missing`" in e for e in errors)


def test_lowercase_skill_md_in_a_source_folder_is_an_error(skilled):
    (skilled / "_skills/release-notes/skill.md").write_text("---\nname: x\n---\n")
    errors = errors_of(skilled)
    assert any(e.startswith("_skills/release-notes/skill.md:1:1:")
               and "clients load only a file named exactly `SKILL.md`" in e for e in errors)


def test_skill_folder_without_manifest(skilled):
    write_tree(skilled, {"_skills/lost/SKILL.md": "# lost\n"})
    errors = "\n".join(errors_of(skilled))
    assert "_skills/lost/skill.toml:1:1: error: skill folder `_skills/lost/` has no skill.toml" \
        in errors


def test_template_error_in_a_block_names_the_skill(skilled):
    (skilled / "_blocks/baseline.md").write_text("{{ vars.nope }}\n")
    errors = "\n".join(errors_of(skilled))
    assert "_blocks/baseline.md:1:1: error: undefined variable `vars.nope`" in errors
    assert "release-notes" in errors


def test_disabled_target_keeps_a_shared_folder_read_by_another(skilled):
    path = skilled / "_skills/release-notes/skill.toml"
    path.write_text(path.read_text() + "\n[targets.codex]\nenabled = false\n")
    assert ".agents/skills/release-notes/SKILL.md" in files_of(skilled)
    path.write_text(path.read_text() + "\n[targets.gemini]\nenabled = false\n")
    assert ".agents/skills/release-notes/SKILL.md" not in files_of(skilled)


def test_target_that_reads_no_skills(skilled):
    path = skilled / "_skills/release-notes/skill.toml"
    path.write_text(path.read_text() + "\n[targets.factory]\nenabled = false\n")
    assert any("target factory reads no skills" in e for e in errors_of(skilled))


def test_skills_folder_must_stay_inside_the_catalog(skilled):
    config = skilled / "assembler.toml"
    config.write_text('skills = "../elsewhere"\n' + config.read_text())
    with pytest.raises(CatalogError) as caught:
        load_catalog(skilled)
    assert "`skills` (`../elsewhere`) leaves the catalog" in caught.value.diagnostics[0].message


def test_example_catalog_has_four_skills_in_both_folders():
    catalog, rendered = assemble(REPO)
    assert len(catalog.skills) >= 4
    paths = {item.path for item in rendered}
    for skill in catalog.skills:
        assert f".claude/skills/{skill.id}/SKILL.md" in paths
        assert f".agents/skills/{skill.id}/SKILL.md" in paths
    script = REPO / ".agents/skills/gpu-cost-estimate/scripts/estimate.py"
    assert os.access(script, os.X_OK)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                           max_size=200).filter(lambda text: text.strip()),
       extra=st.lists(st.sampled_from(["a.md", "b/c.txt", "d/e/f.sh"]), unique=True))
def test_build_then_check_is_clean(tmp_path_factory, description, extra):
    root = write_tree(tmp_path_factory.mktemp("prop"), SKILLS)
    path = root / "_skills/release-notes/skill.toml"
    text = path.read_text()
    escaped = description.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(text.replace(
        'description = "Drafts release notes from the git history: use when: preparing a release."',
        f'description = "{escaped}"'))
    for rel in extra:
        write_tree(root, {f"_skills/release-notes/{rel}": rel})
    catalog, diagnostics = load_partial(root)
    if diagnostics:  # a description the standard refuses (too long once stripped): not built
        return
    from assembler.outputs.write import write_outputs

    catalog, rendered = assemble(root)
    assert not write_outputs(catalog, rendered).refused
    catalog, rendered = assemble(root)
    assert not [s for s in compare(catalog, rendered) if s.drifted]


def test_new_skill_writes_a_manifest_that_builds(skilled, cli):
    result = cli("new", "skill", "kv-cache-results", "--root", skilled)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "wrote _skills/kv-cache-results/skill.toml (from <assembler>/layouts/new-skill.toml)",
        "next: replace every <…> in _skills/kv-cache-results/skill.toml, then run `make agents`",
    ]
    assert cli("build", "--root", skilled).exit_code == 0
    text = (skilled / ".agents/skills/kv-cache-results/SKILL.md").read_text()
    for heading in ("## When to use", "## Results", "## Recommended practice", "## Failure modes"):
        assert heading in text
    before = (skilled / "_skills/kv-cache-results/skill.toml").read_bytes()
    again = cli("new", "skill", "kv-cache-results", "--root", skilled)
    assert again.exit_code == 1 and "exists already; nothing was written" in again.stderr
    assert (skilled / "_skills/kv-cache-results/skill.toml").read_bytes() == before


def test_new_agent_from_the_catalogs_own_template(skilled, cli):
    write_tree(skilled, {"_templates/new-agent.toml": """
        name = "{{ name }}"
        description = "Our house template."
        blocks = {{ blocks }}
        """})
    result = cli("new", "agent", "ml/scout", "--root", skilled)
    assert result.exit_code == 0 and "(from _templates/new-agent.toml)" in result.stdout
    assert (skilled / "_manifests/ml/scout.toml").read_text() == (
        'name = "scout"\ndescription = "Our house template."\nblocks = ["baseline", "footer"]\n')
    assert cli("build", "--root", skilled).exit_code == 0


@pytest.mark.parametrize("kind, name", [("skill", "Bad_Name"), ("skill", "a/b"), ("agent", "../x")])
def test_new_refuses_bad_names(skilled, cli, kind, name):
    result = cli("new", kind, name, "--root", skilled)
    assert result.exit_code == 2 and f"`{name}` is not a valid {kind} name" in result.stderr


def test_explain_a_skill_md_line(skilled, cli):
    assert cli("build", "--root", skilled).exit_code == 0
    lines = (skilled / ".claude/skills/release-notes/SKILL.md").read_text().splitlines()
    number = lines.index("Run `scripts/log.sh` and group the lines.") + 1
    result = cli("explain", f".claude/skills/release-notes/SKILL.md:{number}", "--root", skilled)
    assert result.exit_code == 0, result.stderr
    manifest = (skilled / "_skills/release-notes/skill.toml").read_text().splitlines()
    source = manifest.index("Run `scripts/log.sh` and group the lines.") + 1
    assert f"manifest field `text.steps`" in result.stdout
    assert f"edit    _skills/release-notes/skill.toml:{source}" in result.stdout
    assert ".agents/skills/release-notes/SKILL.md" in result.stdout  # the same line elsewhere


def test_adopt_a_hand_edit_of_a_skill_md(skilled, cli):
    assert cli("build", "--root", skilled).exit_code == 0
    path = skilled / ".agents/skills/release-notes/SKILL.md"
    path.write_text(path.read_text().replace("group the lines.", "group the lines by kind."))
    result = cli("adopt", ".agents/skills/release-notes/SKILL.md", "--root", skilled)
    assert result.exit_code == 0, result.stderr
    assert "group the lines by kind." in (skilled / "_skills/release-notes/skill.toml").read_text()
    assert cli("check", "--root", skilled).exit_code == 0


def test_uses_lists_the_skills_of_a_block(skilled, cli):
    result = cli("uses", "baseline", "--root", skilled)
    assert result.exit_code == 0
    assert "block `baseline` is used by 2 agents and 1 skill:" in result.stdout
    assert "skill release-notes  directly (`blocks`)" in result.stdout


def test_list_shows_skills(skilled, cli):
    result = cli("list", "--root", skilled)
    assert "skill release-notes → .claude/skills/release-notes/SKILL.md, " \
        ".agents/skills/release-notes/SKILL.md" in result.stdout
    assert "  files     references/style.md, scripts/log.sh" in result.stdout
    assert result.stdout.rstrip().endswith("2 agents. 1 skill.")


def test_changed_since_rebuilds_a_changed_skill(skilled, cli):
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=skilled, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})

    assert cli("build", "--root", skilled).exit_code == 0
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "start")
    style = skilled / "_skills/release-notes/references/style.md"
    style.write_text("# Style\n\nShorter lines.\n")
    result = cli("build", "--changed-since", "HEAD", "--root", skilled)
    assert result.exit_code == 0, result.stderr
    assert "rebuilding 1 of the agents and skills: release-notes." in result.stdout
    assert (skilled / ".claude/skills/release-notes/references/style.md").read_text() == \
        "# Style\n\nShorter lines.\n"
