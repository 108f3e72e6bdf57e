"""Comparing (and writing) each output where it was rendered reports exactly what
comparing every rendered file at the end reports, in one process or several."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from assembler import parallel
from assembler.diagnostics import CatalogError
from assembler.outputs.drift import compare
from assembler.outputs.render import render_catalog
from assembler.outputs.stream import build_outputs, check_outputs
from assembler.outputs.write import write_outputs
from assembler.sources.catalog import load_catalog

from .conftest import write_tree

AGENTS = 9


def catalog_files(broken: int | None = None) -> dict[str, str]:
    files = {
        "assembler.toml": 'output = "agents"\n',
        "_blocks/intro.md": "Hello from {{ agent.name }}.\n",
        "_blocks/fragile.md": "Topic: {{ vars.topic }}.\n",
    }
    for index in range(AGENTS):
        blocks = '["intro", "fragile"]' if index == broken else '["intro"]'
        files[f"_manifests/a{index}.toml"] = (
            f'name = "a{index}"\ndescription = "Agent {index}."\nblocks = {blocks}\n')
    return files


def drifted_catalog(root):
    """Every kind of drift once: a0 stale, a1 edited by hand, a2 missing, a gone agent's
    file orphaned; the rest clean."""
    write_tree(root, catalog_files())
    write_outputs(load_catalog(root), render_catalog(load_catalog(root)))
    shutil.copy(root / "agents/a8.md", root / "agents/gone.md")  # our banner, no manifest
    (root / "_manifests/a0.toml").write_text('name = "a0"\ndescription = "New."\nblocks = ["intro"]\n')
    with open(root / "agents/a1.md", "a") as handle:
        handle.write("my own line\n")
    (root / "agents/a2.md").unlink()
    return root


@pytest.fixture(params=["one process", "forked"])
def processes(request, monkeypatch):
    """ASSEMBLER_JOBS=1, or the fork pool with three processes (counted)."""
    forks = []
    if request.param == "one process":
        monkeypatch.setenv(parallel.JOBS_ENV, "1")
    else:
        monkeypatch.setattr(parallel, "PARALLEL_MIN_AGENTS", 1)
        monkeypatch.setenv(parallel.JOBS_ENV, "3")
        monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1, 2})
        real = parallel._fork
        monkeypatch.setattr(parallel, "_fork", lambda *args: forks.append(1) or real(*args))
    return request.param, forks


def described(states):
    return [(s.path, s.kind, s.manifest, s.intact) for s in states]


def test_each_kind_of_drift_is_reported_as_a_comparison_at_the_end_reports_it(tmp_path,
                                                                                processes):
    root = drifted_catalog(tmp_path / "c")
    catalog = load_catalog(root)
    rendered = render_catalog(catalog)
    expected = compare(catalog, rendered)
    _, states, hashes = check_outputs(root)
    assert described(states) == described(expected)
    kinds = {s.path: s.kind for s in states}
    assert (kinds["agents/a0.md"], kinds["agents/a1.md"], kinds["agents/a2.md"],
            kinds["agents/gone.md"], kinds["agents/a3.md"]) == (
        "stale", "edited", "missing", "orphaned", "clean")
    for state, before in zip(states, expected):
        if state.drifted:  # the bytes a diff needs
            assert (state.expected, state.actual) == (before.expected, before.actual)
            assert state.diff() == before.diff()
        else:  # a clean file keeps none
            assert (state.expected, state.actual) == (None, None)
    assert sorted((path, digest) for _, path, digest, _, _ in hashes) == sorted(
        (item.path, hashlib.sha256(item.data).hexdigest()) for item in rendered)
    mode, forks = processes
    assert bool(forks) == (mode == "forked")


def test_a_build_writes_what_writing_at_the_end_writes(tmp_path, processes):
    ours = drifted_catalog(tmp_path / "ours")
    theirs = tmp_path / "theirs"
    shutil.copytree(ours, theirs)
    _, result, _ = build_outputs(ours)
    expected = write_outputs(load_catalog(theirs), render_catalog(load_catalog(theirs)))
    assert (result.created, result.updated, result.removed, result.unchanged) == (
        expected.created, expected.updated, expected.removed, expected.unchanged) == (
        ["agents/a2.md"], ["agents/a0.md"], ["agents/gone.md"], AGENTS - 3)
    assert [(s.path, s.diff()) for s in result.refused] == [
        (s.path, s.diff()) for s in expected.refused]
    assert [s.path for s in result.refused] == ["agents/a1.md"]  # the hand edit is kept
    assert "my own line" in (ours / "agents/a1.md").read_text()
    assert {p.name: p.read_bytes() for p in (ours / "agents").iterdir()} == {
        p.name: p.read_bytes() for p in (theirs / "agents").iterdir()}


def test_a_forced_build_overwrites_the_hand_edit(tmp_path, processes):
    root = drifted_catalog(tmp_path / "c")
    _, result, _ = build_outputs(root, force=True)
    assert "agents/a1.md" in result.updated and not result.refused
    assert "my own line" not in (root / "agents/a1.md").read_text()
    assert check_outputs(root)[1] and not any(s.drifted for s in check_outputs(root)[1])


def test_a_file_changed_after_its_comparison_is_refused_and_kept(tmp_path, processes,
                                                                 monkeypatch):
    import assembler.outputs.stream as stream

    root = drifted_catalog(tmp_path / "c")
    real = stream._commit

    def commit(*args, **kwargs):  # after every comparison, before any rename
        (root / "agents/a0.md").write_text("mine now\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(stream, "_commit", commit)
    _, result, _ = build_outputs(root)
    assert sorted(s.path for s in result.refused) == ["agents/a0.md", "agents/a1.md"]
    assert (root / "agents/a0.md").read_text() == "mine now\n"
    refused = next(s for s in result.refused if s.path == "agents/a0.md")
    assert "-mine now" in refused.diff() and "+Hello from a0." in refused.diff()
    assert not list((root / "agents").glob(".*.tmp"))


def test_a_template_error_writes_nothing_not_even_a_folder(tmp_path, processes):
    root = write_tree(tmp_path / "c", catalog_files(broken=4))
    with pytest.raises(CatalogError) as raised:
        build_outputs(root)
    assert "vars.topic" in str([d.message for d in raised.value.diagnostics])
    assert not (root / "agents").exists()


def test_a_staged_file_removed_by_another_build_is_rendered_again(tmp_path, processes,
                                                                  monkeypatch):
    import assembler.outputs.stream as stream

    root = drifted_catalog(tmp_path / "c")
    real = stream._commit

    def commit(*args, **kwargs):  # another build takes the staged files for a killed build's
        for leftover in (root / "agents").glob(".*.tmp"):
            leftover.unlink()
        return real(*args, **kwargs)

    monkeypatch.setattr(stream, "_commit", commit)
    _, result, _ = build_outputs(root)
    assert (result.created, result.updated) == (["agents/a2.md"], ["agents/a0.md"])
    assert not [s for s in check_outputs(root)[1] if s.drifted and s.path != "agents/a1.md"]
