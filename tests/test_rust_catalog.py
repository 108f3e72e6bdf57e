"""A catalog written for the Rust assembler loads unchanged and renders its outputs byte for byte.

``fixtures/rust_catalog`` is laid out as that tool's catalogs are (manifests
with tables no assembler reads, roles made of ``[capabilities]``, capability
texts in ``_capabilities/<cat>/<slug>/text.md``, verbatim blocks holding
``{{``, handoffs to agents defined elsewhere, ``path:`` references). Its
``_generated/`` files were written by hand from the description of that
format; the only files added for this tool are ``assembler.toml`` and
``_templates/agent.md.j2``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assembler import load_catalog, render_catalog
from assembler.outputs.cache import RenderCache
from tests.test_cache import age_inputs

FIXTURE = Path(__file__).parent / "fixtures" / "rust_catalog"
AGENTS = ("cost-watcher", "dashboard-builder", "incident-scribe", "migration-writer",
          "release-captain", "schema-auditor")
EDIT_LOCAL = ["_generated/dashboard-builder.md", "_generated/migration-writer.md"]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".assembler"))
    age_inputs(root)
    return root


def expected(name: str) -> bytes:
    return (FIXTURE / "_generated" / f"{name}.md").read_bytes()


def states(cli, root: Path) -> dict[str, tuple[str, object]]:
    result = cli("check", "--root", root, "--format", "json")
    return {f["path"]: (f["kind"], f.get("hand_edited")) for f in json.loads(result.stdout)["files"]}


def test_only_the_config_and_one_layout_were_added():
    added = {"assembler.toml", "_templates"}
    seed_layout = {"_manifests", "_blocks", "_roles", "_capabilities", "_generated"}
    assert {path.name for path in FIXTURE.iterdir() if path.name != ".assembler"} == \
        added | seed_layout
    assert [p.name for p in (FIXTURE / "_templates").iterdir()] == ["agent.md.j2"]


def test_every_output_renders_byte_for_byte(catalog):
    rendered = render_catalog(load_catalog(catalog))
    assert sorted(item.path for item in rendered) == [f"_generated/{n}.md" for n in AGENTS]
    for item in rendered:
        assert item.data == expected(item.agent.id), item.path


def test_check_is_clean_cold_and_from_the_cache(catalog, cli):
    first = cli("check", "--root", catalog)
    assert (first.exit_code, first.stdout) == (0, "6 generated files up to date.\n")
    assert RenderCache.open(catalog).clean_states() is not None  # the next check is cached
    second = cli("check", "--root", catalog)
    assert (second.exit_code, second.stdout) == (0, first.stdout)


def test_same_bytes_from_another_folder_and_another_home(catalog, tmp_path):
    elsewhere, home = tmp_path / "elsewhere", tmp_path / "other-home"
    elsewhere.mkdir()
    home.mkdir()
    shutil.rmtree(catalog / "_generated")
    env = {**os.environ, "HOME": str(home), "ASSEMBLER_NO_CACHE": "1"}
    for args in (["build"], ["check"]):
        result = subprocess.run([sys.executable, "-m", "assembler", *args, "--root", str(catalog)],
                                cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    for name in AGENTS:
        assert (catalog / "_generated" / f"{name}.md").read_bytes() == expected(name)


def test_roles_merge_by_the_capability_rule(catalog):
    roles = load_catalog(catalog).roles
    assert roles["observe"].blocks == (
        "scope::read-only", "report::evidence-first", "report::return-shape")
    assert roles["edit-local"].blocks == (
        "report::evidence-first", "report::return-shape", "scope::write-whitelist", "git::hands-off")
    assert roles["ship"].blocks == (  # its own repeat of return-shape is dropped
        "report::evidence-first", "report::return-shape", "scope::write-whitelist",
        "git::release-steps")
    assert roles["edit-local"].role.tools_allowed == ["Read", "Grep", "Glob", "Bash", "Edit", "Write"]


def test_declared_extra_keys_reach_the_layout(catalog):
    from assembler.compose.render import Renderer

    loaded = load_catalog(catalog)
    composition = Renderer(loaded).compose(loaded.agent("release-captain"))
    extra = composition.sections()["extra"]
    assert extra["project_claudemd"] == "RELEASING.md" and extra["provider"] is None
    assert str(extra["lineage"]["created"]) == "2026-01-15"
    assert composition.handoffs[0]["extra"] == {
        "expects_artifact": "release-note.md", "produces_artifact": "release-note.md"}


def test_a_misspelt_declared_key_is_an_error_with_a_did_you_mean(catalog, cli):
    manifest = catalog / "_manifests" / "cost-watcher.toml"
    manifest.write_text(manifest.read_text() + '\n[taxonmy]\ndomain = "cost"\n')
    handoff = catalog / "_manifests" / "release-captain.toml"
    handoff.write_text(handoff.read_text().replace("expects_artifact", "expects_artefact"))
    result = cli("check", "--root", catalog)
    assert result.exit_code == 2
    assert "_manifests/cost-watcher.toml:26:1: error: unknown key `taxonmy`\n" \
        "  hint: did you mean `taxonomy`?\n" in result.stderr
    assert "_manifests/release-captain.toml:15:1: error: unknown key `handoff[0].expects_artefact`\n" \
        "  hint: did you mean `expects_artifact`?\n" in result.stderr


def test_a_missing_capability_is_an_error_at_the_role_naming_its_real_path(catalog, cli):
    (catalog / "_capabilities" / "git" / "hands-off" / "text.md").unlink()
    result = cli("check", "--root", catalog)
    assert result.exit_code == 2
    assert "_roles/edit-local.toml:7:39: error: unknown capability `git::hands-off` " \
        "(no _capabilities/git/hands-off/text.md)\n" in result.stderr
    assert not list((catalog / "_generated").glob(".*.tmp"))


def test_a_role_left_with_no_capabilities_is_an_error(catalog, cli):
    role = catalog / "_roles" / "observe.toml"
    role.write_text(role.read_text().replace(
        "[capabilities]\n", '[capabilities]\nrelaxes = ["scope::read-only", "report::evidence-first", '
        '"report::return-shape"]\n'))
    result = cli("check", "--root", catalog)
    assert result.exit_code == 2
    assert "_roles/observe.toml:8:1: error: role `observe` has no capabilities left" in result.stderr


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "cached"])
def test_an_edited_capability_makes_every_agent_of_its_roles_drift(catalog, cli, warm):
    if warm:
        assert cli("check", "--root", catalog).exit_code == 0
    text = catalog / "_capabilities" / "git" / "hands-off" / "text.md"
    text.write_text(text.read_text() + "\nAsk before you stash.\n")
    if warm:
        assert RenderCache.open(catalog).clean_states() is None  # the folder is hashed
    found = states(cli, catalog)
    assert {path for path, (kind, _) in found.items() if kind != "clean"} == set(EDIT_LOCAL)
    assert all(found[path] == ("differs", None) for path in EDIT_LOCAL)
    text_report = cli("check", "--root", catalog)
    assert text_report.exit_code == 1
    assert "_generated/migration-writer.md: differs: stale or edited by hand, cannot tell " \
        "(its banner has no hash) (from _manifests/migration-writer.toml)" in text_report.stdout


def test_build_overwrites_a_file_whose_banner_has_no_hash_and_says_so(catalog, cli):
    target = catalog / "_generated" / "schema-auditor.md"
    target.write_text(target.read_text().replace("Say what you did not check.", "Be quick."))
    assert states(cli, catalog)["_generated/schema-auditor.md"] == ("differs", None)
    result = cli("build", "--root", catalog)
    assert result.exit_code == 0
    assert "note _generated/schema-auditor.md was overwritten unchecked: its banner has no " \
        "hash" in result.stderr
    assert target.read_bytes() == expected("schema-auditor")


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "cached"])
def test_an_orphan_with_the_old_banner_is_found(catalog, cli, warm):
    if warm:
        assert cli("check", "--root", catalog).exit_code == 0
    old = expected("schema-auditor").replace(b"_manifests/schema-auditor.toml",
                                             b"_manifests/db-linter.toml")
    (catalog / "_generated" / "db-linter.md").write_bytes(old)
    if warm:
        assert RenderCache.open(catalog).clean_states() is None
    result = cli("check", "--root", catalog)
    assert result.exit_code == 1
    assert "_generated/db-linter.md: orphaned: generated, but no manifest renders it any more " \
        "(from _manifests/db-linter.toml)" in result.stdout
    (catalog / "_generated" / "notes.md").write_text("# Notes\n\nHand-written, no banner.\n")
    assert cli("build", "--root", catalog).exit_code == 0
    assert not (catalog / "_generated" / "db-linter.md").exists()
    assert (catalog / "_generated" / "notes.md").exists()


def test_a_banner_with_a_hash_gives_back_stale_and_edited(catalog, cli):
    config = catalog / "assembler.toml"
    config.write_text(config.read_text().replace("Edit the manifest.", "Edit the manifest. {hash}"))
    assert set(kind for kind, _ in states(cli, catalog).values()) == {"edited"}
    assert cli("build", "--root", catalog).exit_code == 1  # the old banners no longer match
    assert cli("build", "--force", "--root", catalog).exit_code == 0  # the one-time migration
    assert cli("check", "--root", catalog).exit_code == 0
    generated = catalog / "_generated" / "schema-auditor.md"
    generated.write_text(generated.read_text() + "\nA footer added by hand.\n")
    text = catalog / "_capabilities" / "git" / "hands-off" / "text.md"
    text.write_text(text.read_text() + "\nAsk before you stash.\n")
    found = states(cli, catalog)
    assert found["_generated/schema-auditor.md"] == ("edited", True)
    assert found["_generated/migration-writer.md"] == ("stale", False)


def test_a_path_atom_line_is_explained_by_its_reference_entry(catalog, cli):
    lines = expected("schema-auditor").decode().splitlines()
    line = lines.index("- `{path::team-rules}/schemas.md`") + 1
    result = cli("explain", f"_generated/schema-auditor.md:{line}", "--root", catalog,
                 "--format", "json")
    source = json.loads(result.stdout)["source"]
    assert (source["kind"], source["path"], source["field"]) == \
        ("manifest", "_manifests/schema-auditor.toml", "references.extra[0]")


def edit_incident_scribe(catalog: Path) -> Path:
    generated = catalog / "_generated" / "incident-scribe.md"
    generated.write_text(generated.read_text().replace(
        "- Say what you did not check.", "- Say what you did not check, and why."))
    return generated


def test_adopt_refuses_a_file_whose_banner_has_no_hash(catalog, cli):
    """Without a hash a stale file looks edited: adopting it could undo a source change."""
    block = catalog / "_blocks/baseline.md"
    before = block.read_bytes()
    edit_incident_scribe(catalog)
    result = cli("adopt", "_generated/incident-scribe.md", "--root", catalog)
    assert result.exit_code == 1
    assert "its banner has no hash" in result.stdout + result.stderr
    assert "{hash}" in result.stdout + result.stderr
    assert block.read_bytes() == before


def test_a_hand_edit_in_a_verbatim_block_is_adopted_once_banners_have_a_hash(catalog, cli):
    config = catalog / "assembler.toml"
    config.write_text(config.read_text().replace("Edit the manifest.", "Edit the manifest. {hash}"))
    assert cli("build", "--force", "--root", catalog).exit_code == 0
    edit_incident_scribe(catalog)
    result = cli("adopt", "_generated/incident-scribe.md", "--root", catalog)
    assert result.exit_code == 0, result.stderr
    assert "- Say what you did not check, and why.\n" in (catalog / "_blocks/baseline.md").read_text()
    assert cli("check", "--root", catalog).exit_code == 0


def test_unquoted_frontmatter_that_is_not_yaml_is_a_lint_warning(catalog, cli):
    result = cli("lint", "--root", catalog, "--select", "AA106", "--format", "json",
                 "--today", "2026-05-01")
    assert result.exit_code == 0  # a warning
    assert sorted(f["path"] for f in json.loads(result.stdout)) == [
        "_manifests/dashboard-builder.toml", "_manifests/release-captain.toml"]


def test_a_changed_capability_rebuilds_only_the_agents_of_its_roles(catalog, cli):
    from tests.test_impact import git

    git(catalog, "init", "-q")
    git(catalog, "add", "-A")
    git(catalog, "commit", "-q", "-m", "catalog")
    text = catalog / "_capabilities" / "git" / "hands-off" / "text.md"
    text.write_text(text.read_text() + "\nAsk before you stash.\n")
    result = cli("build", "--changed-since", "HEAD", "--root", catalog)
    assert result.exit_code == 0, result.stderr
    assert "rebuilding 2 agents: dashboard-builder, migration-writer." in result.stdout
    assert cli("check", "--root", catalog).exit_code == 0


def test_import_into_the_catalog_proves_files_with_its_capability_texts(catalog, cli, tmp_path):
    """The import's proof renders inside a copy of the catalog: the copy must hold the
    capability folder too, or every role that uses one fails to load there."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "lone-helper.md").write_text(
        "---\nname: lone-helper\ndescription: Helps alone.\ntools: Read, Grep\n---\n\n"
        "You help on your own.\n")
    result = cli("import", incoming, "--root", catalog)
    assert result.exit_code == 1, result.stdout + result.stderr  # refused, not a broken catalog
    assert "required block `baseline` is not included" in result.stdout
