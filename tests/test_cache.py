"""The render cache: it answers only when a full render would say "all clean"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assembler import parallel
from assembler.outputs import cache as render_cache
from assembler.outputs.cache import CACHE_DIR, CACHE_FILE, FORMAT, RenderCache
from assembler.sources.catalog import load_catalog
from assembler.outputs.drift import compare
from assembler.outputs.render import render_catalog
from assembler.outputs.run import answer_build, run_check

from .test_parallel import count_forks, use_workers

LONG_AGO = 946_684_800  # 2000-01-01: inputs written by a test are not "just changed"


def age_inputs(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file() and "agents" not in path.parts:
            os.utime(path, (LONG_AGO, LONG_AGO))


@pytest.fixture
def cached(mini, cli) -> Path:
    """The small catalog, built, with a render record written by that build."""
    age_inputs(mini)
    assert cli("build", "--root", mini).exit_code == 0
    assert (mini / CACHE_DIR / CACHE_FILE).is_file()
    return mini


def test_a_warm_cache_gives_the_states_a_full_check_gives(cached):
    states = RenderCache.open(cached).clean_states()
    catalog = load_catalog(cached)
    full = compare(catalog, render_catalog(catalog))
    assert states is not None
    assert [(s.path, s.kind, s.manifest, s.expected, s.actual) for s in states] == \
        [(s.path, s.kind, s.manifest, s.expected, s.actual) for s in full]


def test_the_cache_folder_ignores_itself_in_git(cached):
    assert (cached / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_cached_check_loads_neither_jinja2_nor_pydantic_models(cached):
    code = ("import sys; from assembler.outputs.cache import RenderCache; "
            f"states = RenderCache.open(__import__('pathlib').Path({str(cached)!r})).clean_states(); "
            "print(len(states), 'jinja2' in sys.modules, 'assembler.sources.schema' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["2", "False", "False"], result.stderr


def test_a_no_op_build_from_the_cache_touches_nothing(cached, cli):
    outputs = sorted((cached / "agents").rglob("*.md"))
    before = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in outputs]
    result = cli("build", "--root", cached)
    assert (result.exit_code, result.stdout) == (0, "0 written, 2 unchanged.\n")
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in outputs] == before


def test_a_changed_block_misses_and_the_check_reports_stale_files(cached, cli):
    block = cached / "_blocks" / "baseline.md"
    block.write_text(block.read_text() + "\nOne more rule.\n")
    assert RenderCache.open(cached).clean_states() is None
    result = cli("check", "--root", cached)
    assert result.exit_code == 1
    assert "2 of 2 files out of date (2 stale)" in result.stdout


@pytest.mark.parametrize("rel", ["_manifests/alpha.toml", "_roles/reader.toml",
                                 "assembler.toml", "_templates/claude-code.md.j2"])
def test_any_input_change_misses(cached, rel):
    path = cached / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((path.read_text() if path.exists() else "") + "\n# changed\n")
    assert RenderCache.open(cached).clean_states() is None


def test_a_new_manifest_misses(cached):
    (cached / "_manifests" / "gamma.toml").write_text('name = "gamma"\n')
    assert RenderCache.open(cached).clean_states() is None


def test_a_hand_edit_falls_back_to_the_full_check(cached, cli):
    output = cached / "agents" / "alpha.md"
    output.write_text(output.read_text() + "extra line\n")
    assert RenderCache.open(cached).clean_states() is None
    result = cli("check", "--root", cached)
    assert result.exit_code == 1 and "alpha.md: edited" in result.stdout


def test_an_orphan_falls_back_to_the_full_check(cached, cli):
    (cached / "agents" / "old.md").write_bytes((cached / "agents" / "alpha.md").read_bytes())
    assert RenderCache.open(cached).clean_states() is None
    assert "agents/old.md: orphaned" in cli("check", "--root", cached).stdout


def test_a_missing_output_falls_back_to_the_full_check(cached, cli):
    (cached / "agents" / "beta.md").unlink()
    assert RenderCache.open(cached).clean_states() is None
    assert "agents/beta.md: missing" in cli("check", "--root", cached).stdout


def test_a_new_tool_version_misses(cached, monkeypatch):
    monkeypatch.setattr(render_cache, "tool_fingerprint", lambda: "another tool")
    assert RenderCache.open(cached).clean_states() is None


def test_a_symbolic_link_in_the_inputs_disables_the_cache(cached):
    (cached / "_blocks" / "link.md").symlink_to(cached / "_blocks" / "baseline.md")
    assert RenderCache.open(cached).clean_states() is None


def _damaged(record: dict, part: str) -> str:
    """The record with one part broken, keeping the tool so the lookup reads on."""
    if part == "folders":
        record["folders"] = {"blocks": "_blocks"}
    elif part == "entry":
        record["agents"] = {key: [["agents/alpha.md"]] for key in record["agents"]}
    elif part == "agents":
        record["agents"] = ["not", "a", "table"]
    elif part == "output":
        record["agents"] = {key: [[7, pair[1]] for pair in value]
                            for key, value in record["agents"].items()}
    return json.dumps(record)


@pytest.mark.parametrize("content", ["not json", '{"format": 99}', f'{{"format": {FORMAT}, "tool": 3}}', "[]",
                                     "folders", "entry", "agents", "output"])
def test_a_damaged_record_is_ignored(cached, cli, content):
    record = json.loads((cached / CACHE_DIR / CACHE_FILE).read_text())
    if content in ("folders", "entry", "agents", "output"):
        content = _damaged(record, content)
    (cached / CACHE_DIR / CACHE_FILE).write_text(content)
    assert RenderCache.open(cached).clean_states() is None
    assert cli("check", "--root", cached).exit_code == 0
    assert json.loads((cached / CACHE_DIR / CACHE_FILE).read_text())["format"] == FORMAT


def test_deleting_the_cache_is_safe(cached, cli):
    for path in (cached / CACHE_DIR).iterdir():
        path.unlink()
    (cached / CACHE_DIR).rmdir()
    assert cli("check", "--root", cached).exit_code == 0
    assert RenderCache.open(cached).clean_states() is not None


def test_the_environment_switch_turns_it_off(mini, cli, monkeypatch):
    monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")
    age_inputs(mini)
    assert cli("build", "--root", mini).exit_code == 0
    assert not (mini / CACHE_DIR).exists()


def test_only_inputs_hashed_before_the_render_are_recorded(mini):
    age_inputs(mini)
    catalog = load_catalog(mini)
    rendered = render_catalog(catalog)
    RenderCache.open(mini).store(catalog, rendered)  # nobody hashed the inputs it read
    assert not (mini / CACHE_DIR).exists()
    cache = RenderCache.open(mini)
    assert cache.clean_states() is None  # hashes them, before the render
    catalog = load_catalog(mini)
    cache.store(catalog, render_catalog(catalog))
    assert (mini / CACHE_DIR / CACHE_FILE).is_file()


def test_an_input_that_changes_after_the_lookup_is_not_recorded(cached):
    cache = RenderCache.open(cached)
    block = cached / "_blocks" / "baseline.md"
    block.write_text(block.read_text() + "\nOne more rule.\n")
    assert cache.clean_states() is None  # hashes the inputs as they are now
    catalog = load_catalog(cached)
    rendered = render_catalog(catalog)
    (cached / "_blocks" / "baseline.md").write_text("# changed again\n")
    before = (cached / CACHE_DIR / CACHE_FILE).read_bytes()
    cache.store(catalog, rendered)
    assert (cached / CACHE_DIR / CACHE_FILE).read_bytes() == before


def hashed_meanwhile(monkeypatch) -> list[int]:
    """One entry per hashing started in another process from now on, whatever the size."""
    starts: list[int] = []
    real = parallel.start
    monkeypatch.setattr(parallel, "start", lambda work: starts.append(1) or real(work))
    use_workers(monkeypatch, 2)
    return starts


def test_a_fresh_clone_hashes_its_inputs_meanwhile_and_records_what_a_serial_run_does(
        cached, monkeypatch):
    record = cached / CACHE_DIR / CACHE_FILE
    serial = record.read_bytes()  # the build's, hashed in its own process
    record.unlink()
    forks = count_forks(monkeypatch)
    assert run_check(cached, quiet=True) == 0 and forks == []  # a few files: read here
    record.unlink()
    starts = hashed_meanwhile(monkeypatch)
    assert run_check(cached, quiet=True) == 0
    assert starts == [1] and record.read_bytes() == serial
    assert run_check(cached, quiet=True) == 0 and starts == [1]  # answered: read here


def test_a_fresh_clones_build_hashes_its_inputs_once_and_meanwhile(cached, cli, monkeypatch):
    record = cached / CACHE_DIR / CACHE_FILE
    serial = record.read_bytes()
    record.unlink()
    scans = []
    real = RenderCache.scan
    monkeypatch.setattr(RenderCache, "scan", lambda *args: scans.append(1) or real(*args))
    assert answer_build(cached) is False and scans == []  # no answer, so nothing hashed
    starts = hashed_meanwhile(monkeypatch)
    assert cli("build", "--root", cached).exit_code == 0
    assert starts == [1] and record.read_bytes() == serial


def test_inputs_hashed_meanwhile_and_never_waited_for_are_not_recorded(mini, monkeypatch):
    age_inputs(mini)
    starts = hashed_meanwhile(monkeypatch)
    cache = RenderCache.open(mini)
    assert cache.clean_states(meanwhile=True) is None and starts == [1]
    catalog = load_catalog(mini)  # read before the hashing is known to have finished
    cache.store(catalog, render_catalog(catalog))
    assert not (mini / CACHE_DIR).exists()


def test_a_partial_build_records_nothing(mini, cli):
    age_inputs(mini)
    assert cli("build", "--root", mini, "alpha").exit_code == 0
    assert not (mini / CACHE_DIR).exists()


def test_a_run_that_records_removes_the_temporary_files_a_killed_one_left(cached, cli):
    folder = cached / CACHE_DIR
    leftovers = [f".{CACHE_FILE}.a1b2c3d4.tmp", f".{CACHE_FILE}.zz_9y8x7.tmp"]
    others = [f".{CACHE_FILE}.short.tmp", ".notes.md.a1b2c3d4.tmp", "mine.tmp",
              f"{CACHE_FILE}.a1b2c3d4.tmp"]  # not the tool's own temporary names
    for name in leftovers + others:
        (folder / name).write_text("{half a reco")
    assert cli("check", "--root", cached).exit_code == 0  # the cache answers: writes nothing
    assert all((folder / name).exists() for name in leftovers)
    (cached / "_blocks/baseline.md").write_text("# BASELINE\n\nChanged.\n")
    assert cli("build", "--root", cached).exit_code == 0  # renders and records
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".gitignore", CACHE_FILE, *others])
