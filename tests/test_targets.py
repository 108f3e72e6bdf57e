"""The conformance suite: what every registered target must do, checked for each one.

A new output format gets these checks by being added to the registry: build
then check is clean, builds repeat byte for byte, the banner and its hash read
back, an orphan is found by the target's suffix (and only by it), a hand edit
is refused and, where the format allows, adopted, and ``explain`` maps every
line of every generated file to its source.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.outputs.banner import read_banner
from assembler.outputs.render import assemble, outputs
from assembler.provenance.explain import explain_line, trace_catalog
from assembler.sources.catalog import load_catalog
from assembler.targets.registry import REGISTRY

from .conftest import MINI, write_tree

TARGETS = sorted(REGISTRY)


MODELS = """
        [models.balanced]
        antigravity = "pro"
        claude-code = "sonnet"
        codex = "gpt-5.1-codex"
        copilot = "Claude Sonnet 4.5 (copilot)"
        cursor = "inherit"
        gemini = "gemini-2.5-pro"
        qwen = "qwen3-coder-plus"
        factory = "claude-sonnet-4-5-20250929"
        kiro = "claude-sonnet-4.5"
        opencode = "anthropic/claude-sonnet-4-5"
        """


def catalog_for(root: Path, target: str) -> Path:
    """The shared small catalog, rendering to ``target`` (its model through an alias)."""
    files = dict(MINI)
    files["assembler.toml"] = MINI["assembler.toml"].replace(
        'output = "agents"', f'output = "agents"\n        targets = ["{target}"]') + MODELS
    files["_manifests/alpha.toml"] = MINI["_manifests/alpha.toml"].replace(
        'model = "sonnet"', 'model = "balanced"')
    return write_tree(root, files)


@pytest.fixture(params=TARGETS)
def target(request):
    return REGISTRY[request.param]


@pytest.fixture
def built(tmp_path, target, cli):
    root = catalog_for(tmp_path / "catalog", target.name)
    result = cli("build", "--root", root)
    assert result.exit_code == 0, result.stderr
    return root


def files_of(root: Path) -> list[tuple[str, bytes]]:
    catalog = load_catalog(root)
    return [(o.path, (root / o.path).read_bytes()) for a in catalog.agents for o in outputs(catalog, a)]


def test_files_go_to_the_target_folder_with_its_suffix(built, target):
    catalog = load_catalog(built)
    for path, _ in files_of(built):
        assert path.startswith(target.folder(catalog.settings) + "/")
        assert path.endswith(target.suffix)


def test_build_then_check_is_clean(built, cli):
    result = cli("check", "--root", built)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith("generated files up to date.\n")


def test_two_builds_give_the_same_bytes_in_any_folder(built, target, tmp_path, cli, monkeypatch):
    other = catalog_for(tmp_path / "elsewhere" / "deeper", target.name)
    monkeypatch.chdir(tmp_path)
    assert cli("build", "--root", other).exit_code == 0
    first = [(path, data) for path, data in files_of(built)]
    assert [(path, data) for path, data in files_of(other)] == first
    monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")  # a real render, not the cache's word
    assert cli("build", "--root", built).stdout.endswith("0 written, 2 unchanged.\n")
    assert files_of(built) == first


def test_the_banner_and_its_hash_read_back(built, target):
    for path, data in files_of(built):
        banner = read_banner(data, target.comment)
        assert banner is not None, path
        assert banner.intact and banner.source.startswith("_manifests/")
        edited = data.replace(b"things", b"stuff", 1)
        assert edited != data
        assert read_banner(edited, target.comment).intact is False


def test_an_orphan_is_found_by_the_target_suffix_only(built, target, cli):
    (path, data), _ = files_of(built)
    folder = built / path.rsplit("/", 1)[0]
    (folder / f"gone{target.suffix}").write_bytes(data)
    (folder / "notes.txt").write_bytes(data)  # our banner, but not a file the target writes
    result = cli("check", "--root", built)
    assert result.exit_code == 1
    drifted = [line for line in result.stdout.splitlines() if ": orphaned:" in line]
    assert len(drifted) == 1 and f"gone{target.suffix}: orphaned" in drifted[0]
    assert cli("build", "--root", built).exit_code == 0
    assert not (folder / f"gone{target.suffix}").exists() and (folder / "notes.txt").exists()


def test_a_hand_edit_is_refused_then_adopted(built, target, cli):
    (path, data), _ = files_of(built)
    line = b"Never run git commands that change state."
    assert line in data
    edited = data.replace(line, b"Never run git commands that change any state.")
    (built / path).write_bytes(edited)
    result = cli("build", "--root", built)
    assert result.exit_code == 1 and "refused" in result.stderr
    assert (built / path).read_bytes() == edited
    result = cli("adopt", path, "--root", built)
    assert result.exit_code == 0, result.stderr
    assert "_blocks/policy/no-git.md" in result.stdout
    assert cli("check", "--root", built).exit_code == 0
    assert b"change any state." in (built / path).read_bytes()


def test_explain_maps_every_generated_line(built):
    catalog, rendered = assemble(built)
    trace = trace_catalog(catalog)
    assert sorted(trace.maps) == sorted(item.path for item in rendered)
    for item in rendered:
        lines = item.data.decode().splitlines()
        for number, text in enumerate(lines, start=1):
            report = explain_line(trace, item.path, number, item.data)
            assert report.mapped is not None and report.mapped.text == text
            origin = report.mapped.origin
            assert origin.kind in ("manifest", "config", "role", "block", "layout", "banner")
            if origin.kind == "block" and origin.is_static and text.strip():
                assert origin.text == text


def test_a_manifest_chosen_file_name_is_honoured_everywhere(built, target, cli):
    """`filename` (an adopted file's own name) names the file in every target: the drift
    scan, build, list, explain and adopt all know the agent's file by it."""
    import json

    catalog = load_catalog(built)
    old = f"{target.folder(catalog.settings)}/alpha{target.suffix}"
    new = f"{target.folder(catalog.settings)}/Alpha.v2{target.suffix}"
    assert (built / old).is_file()
    manifest = built / "_manifests/alpha.toml"
    manifest.write_text(manifest.read_text().replace('name = "alpha"\n',
                                                     'name = "alpha"\nfilename = "Alpha.v2"\n'))
    result = cli("check", "--root", built)
    assert result.exit_code == 1
    assert f"{old}: orphaned" in result.stdout and f"{new}: missing" in result.stdout
    assert cli("build", "--root", built).exit_code == 0
    assert not (built / old).exists() and (built / new).is_file()
    assert cli("check", "--root", built).exit_code == 0
    listed = json.loads(cli("list", "--format", "json", "--root", built).stdout)
    assert [a["targets"][target.name] for a in listed if a["agent"] == "alpha"] == [new]
    result = cli("explain", f"{new}:1", "--root", built)
    assert result.exit_code == 0 and result.stdout.startswith(f"{new}:1: ")
    data = (built / new).read_bytes()
    line = b"Never run git commands that change state."
    (built / new).write_bytes(data.replace(line, b"Never run git commands that change any state."))
    assert cli("adopt", new, "--root", built).exit_code == 0
    assert cli("check", "--root", built).exit_code == 0


@pytest.mark.parametrize("tools, expected", [
    ('["Read", "LSP"]', ["_manifests/alpha.toml:3:18: error: tool `LSP` has no counterpart in "
                         "target copilot"]),
    ('["Reed"]', ["_manifests/alpha.toml:3:10: error: unknown tool `Reed`",
                  "  hint: did you mean `Read`?"]),
])
def test_copilot_names_a_tool_it_cannot_carry_once(tmp_path, cli, tools, expected):
    root = catalog_for(tmp_path / "catalog", "copilot")
    manifest = root / "_manifests/alpha.toml"
    manifest.write_text(manifest.read_text().replace('tools = ["Read", "Grep"]', f"tools = {tools}"))
    result = cli("build", "--root", root)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:len(expected)] == expected
    assert sum("error:" in line for line in result.stderr.splitlines()) == 1


def test_generated_files_import_back_to_the_same_bytes(built, target, tmp_path):
    """Every target takes its own files back: re-imported, they render to the same
    bytes, banner included."""
    from assembler.importing.importer import run_import

    assert target.imports
    catalog = load_catalog(built)
    folder = built / target.folder(catalog.settings)
    root = tmp_path / "again"
    result = run_import([folder], root, source_format=target.name)
    assert result.problems == [] and {f.status for f in result.files} == {"identical"}
    _, again = assemble(root)
    assert {Path(item.path).name: item.data for item in again} == \
        {Path(path).name: data for path, data in files_of(built)}
