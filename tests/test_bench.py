"""The benchmark's catalog generator and the harness's own checks (no timings)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from .conftest import REPO


def _load(filename: str, name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{filename}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


catalog_gen = _load("catalog_gen", "catalog_gen")
bench = _load("run", "bench_run")


def test_a_generated_catalog_builds_and_checks_clean(tmp_path, cli):
    root = catalog_gen.generate(tmp_path / "catalog", 3)
    assert cli("build", "--root", root).stdout.endswith("3 written, 0 unchanged.\n")
    outputs = sorted((root / "agents").rglob("*.md"))
    assert [p.relative_to(root / "agents").as_posix() for p in outputs] == \
        ["data/agent-00000.md", "infra/agent-00001.md", "ml/agent-00002.md"]
    assert all(10_000 < p.stat().st_size < 20_000 for p in outputs)  # about 15 KB each
    result = cli("check", "--root", root)
    assert (result.exit_code, result.stdout) == (0, "3 generated files up to date.\n")


def test_generation_is_deterministic(tmp_path):
    first = catalog_gen.generate(tmp_path / "a", 4)
    second = catalog_gen.generate(tmp_path / "b", 4)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_the_scenario_edits_do_what_the_harness_expects(tmp_path, cli):
    root = catalog_gen.generate(tmp_path / "catalog", 3)
    cli("build", "--root", root)
    block = root / "_blocks" / "baseline.md"
    original = block.read_bytes()
    catalog_gen.make_stale(root)
    result = cli("check", "--root", root)
    assert result.exit_code == 1
    assert "agents/data/agent-00000.md: stale" in result.stdout and "1 of 3" in result.stdout
    catalog_gen.edit_block(root)
    assert block.read_bytes() != original
    catalog_gen.edit_block(root)
    assert block.read_bytes() == original


def test_snapshot_sees_a_rewrite_even_with_the_same_bytes(tmp_path):
    path = tmp_path / "out" / "a.md"
    path.parent.mkdir()
    path.write_text("same")
    before = bench.snapshot(tmp_path / "out")
    replacement = tmp_path / "out" / ".a.tmp"
    replacement.write_text("same")
    replacement.replace(path)  # what an atomic write does
    assert bench.snapshot(tmp_path / "out") != before


def test_written_reads_the_build_summary():
    assert bench.written("created agents/a.md\n1 written, 4 unchanged.\n") == 1
    assert bench.written("removed agents/b.md\n0 written, 1 removed, 4 unchanged.\n") == 0


def test_the_report_replaces_only_its_own_part(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(f"# Benchmarks\n\nnotes before\n\n{bench.BEGIN}\nold\n{bench.END}\n\nnotes after\n")
    bench.write_report(path, f"{bench.BEGIN}\nnew\n{bench.END}\n")
    assert path.read_text() == (f"# Benchmarks\n\nnotes before\n\n{bench.BEGIN}\nnew\n{bench.END}\n"
                                "\nnotes after\n")


def test_targets_are_judged_from_the_results():
    results = [
        bench.Result("check, clean", 40, [0.1, 0.2, 0.3], [30, 31, 32]),
        bench.Result("check, clean", 1000, [1.0, 1.0, 1.0], [50, 50, 50]),
        bench.Result("assembler --version", None, [0.05], [10]),
    ]
    table = "\n".join(bench.targets(results))
    assert "| `check` clean, 40 agents, cache warm ≤ 0.25 s | 0.200 s | yes |" in table
    assert "| `check` clean, 1,000 agents, cache warm ≤ 0.8 s | 1.000 s | NO |" in table
    assert "| `--version` ≤ 0.10 s | 0.050 s | yes |" in table


def test_a_figure_on_the_limit_shows_the_deciding_digit():
    results = [bench.Result("check, clean", 40, [0.2504], [30])]
    assert "| `check` clean, 40 agents, cache warm ≤ 0.25 s | 0.2504 s | NO |" in \
        "\n".join(bench.targets(results))


def test_lint_is_judged_against_a_cold_check_of_the_same_catalog():
    results = [
        bench.Result("check, clean, no cache", 1000, [0.7, 0.8, 0.9], [70]),
        bench.Result("lint", 1000, [1.5, 1.6, 1.7], [170]),
        bench.Result("check, clean, no cache", 40, [0.3], [40]),
        bench.Result("lint", 40, [0.7], [40]),
    ]
    table = "\n".join(bench.targets(results))
    assert "| `lint`, 1,000 agents ≤ 2× `check` without a cache | 2.0× (1.600 s) | yes |" in table
    assert "| `lint`, 40 agents ≤ 2× `check` without a cache | 2.3× (0.700 s) | NO |" in table


peer = _load("peer", "peer")


def test_a_seed_shaped_catalog_names_the_agent_on_every_block_line(tmp_path, cli):
    root = catalog_gen.generate_seed_shaped(tmp_path / "seed", 3)
    assert len(list((root / "_blocks").glob("*.md"))) == 12
    assert len(list((root / "_roles").glob("*.toml"))) == 2
    assert cli("build", "--root", root).stdout.endswith("3 written, 0 unchanged.\n")
    text = (root / "agents" / "agent-00001.md").read_text()
    rules = [line for line in text.splitlines() if line.endswith(".") and " must " in line]
    assert len(rules) == 11 * catalog_gen.SEED_LINES  # its role's two blocks and its own nine
    assert all(line.startswith("- agent-00001 must ") for line in rules)
    assert "**Out (hand off):**\n- `agent-00002`" in text
    assert cli("check", "--root", root).exit_code == 0


def test_the_peer_gets_our_rendered_agents_as_its_source_tree(tmp_path, cli):
    root = catalog_gen.generate(tmp_path / "catalog", 2)
    cli("build", "--root", root)
    tree = peer.source_tree(root / "agents", tmp_path / "peer", ("claude-code", "codex"))
    files = sorted(p.name for p in (tree / ".rulesync" / "subagents").iterdir())
    assert files == ["agent-00000.md", "agent-00001.md"]
    ours = (root / "agents" / "data" / "agent-00000.md").read_text()
    theirs = (tree / ".rulesync" / "subagents" / "agent-00000.md").read_text()
    assert theirs.startswith("---\nname: agent-00000\ntargets:\n- '*'\ndescription: ")
    assert theirs.split("\n---\n", 1)[1] == ours.split("\n---\n", 1)[1]  # the same body
    assert (tree / "rulesync.jsonc").read_text() == \
        '{ "targets": ["claudecode", "codexcli"], "features": ["subagents"] }\n'


def test_without_npm_the_peer_is_an_error_not_a_skipped_row(tmp_path, monkeypatch):
    monkeypatch.setattr(peer.shutil, "which", lambda name: None)
    try:
        peer.install(tmp_path / "cache")
    except peer.PeerUnavailable as exc:
        assert "npm is not installed" in str(exc)
    else:
        raise AssertionError("install() returned without a peer")


def test_the_peer_and_diff_targets_are_judged_within_one_run():
    results = [
        bench.Result("check, clean, no cache", 1000, [0.8], [70]),
        bench.Result("peer: rulesync generate --check", 1000, [4.4], [160]),
        bench.Result("check, clean, no cache, 4 targets", 1000, [1.2], [90], catalog="seed-shaped"),
        bench.Result("peer: rulesync generate --check, 4 targets", 1000, [4.8], [160],
                     catalog="seed-shaped"),
        bench.Result("check --diff, one agent stale", 1000, [1.6], [90]),
        bench.Result("lint", 10000, [20.0], [700]),
    ]
    table = "\n".join(bench.targets(results))
    assert ("| `check` without a cache, bench catalog, 1,000 agents, 1 target: ≥ 5× faster than "
            "the peer | 5.5× (0.800 s against 4.400 s) | yes |") in table
    assert ("| `check` without a cache, seed-shaped catalog, 1,000 agents, 4 targets: ≥ 5× faster "
            "than the peer | 4.0× (1.200 s against 4.800 s) | NO |") in table
    assert ("| `check --diff`, 1,000 agents, one stale ≤ 1.5× `check` without a cache "
            "| 2.0× (1.600 s) | NO |") in table
    assert "| `lint`, 10,000 agents: peak RSS < 600 MB | 700 MB | NO |" in table
def test_generated_agent_files_are_about_10_kb_share_sections_and_import(tmp_path, cli):
    folder = catalog_gen.agent_files(tmp_path / "files", 12)
    again = catalog_gen.agent_files(tmp_path / "again", 12)
    files = sorted(p.relative_to(folder) for p in folder.rglob("*.md"))
    assert len(files) == 12 and all((folder / f).read_bytes() == (again / f).read_bytes()
                                    for f in files)
    assert all(8_000 < (folder / f).stat().st_size < 13_000 for f in files)
    result = cli("import", folder, "--root", tmp_path / "catalog")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("12 of 12 files imported, 0 refused, 0 skipped.")
    assert "shared block" in result.stdout


def test_import_targets_are_judged_from_the_results():
    results = [bench.Result("import, into a new catalog", size, [t], [90])
               for size, t in ((100, 1.0), (1000, 8.0), (3000, 30.0))]
    table = "\n".join(bench.targets(results))
    assert "| `import` of 1,000 agent files of about 10 KB ≤ 10 s | 8.000 s | yes |" in table
    assert "| `import`: time grows at most linearly, 100 → 1,000 files (≤ 10×) | 8.0× | yes |" in table
    assert "| `import`: time grows at most linearly, 1,000 → 3,000 files (≤ 3×) | 3.8× | NO |" in table
