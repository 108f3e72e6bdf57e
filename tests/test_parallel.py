"""Rendering on several cores gives exactly what a serial render gives."""

from __future__ import annotations

import pytest

from assembler import parallel
from assembler.sources.catalog import load_partial
from assembler.compose.render import Renderer
from assembler.outputs.render import render_agents

from .conftest import write_tree


def many_agents(root, count: int, broken_every: int = 0):
    files = {
        "assembler.toml": 'output = "agents"\n',
        "_blocks/intro.md": "Hello from {{ agent.name }}.\n",
        "_blocks/fragile.md": "Topic: {{ vars.topic }}.\n",
    }
    for index in range(count):
        blocks = '["intro", "fragile"]' if broken_every and index % broken_every == 0 else '["intro"]'
        files[f"_manifests/a{index:03d}.toml"] = (
            f'name = "a{index:03d}"\ndescription = "Agent {index}."\nblocks = {blocks}\n')
    return write_tree(root, files)


def use_workers(monkeypatch, workers: int) -> None:
    """Fork into ``workers`` processes (on four cores), however small the catalog."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_AGENTS", 1)
    monkeypatch.setenv(parallel.JOBS_ENV, str(workers))
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(4)))


def count_forks(monkeypatch) -> list[int]:
    """One entry per process forked from now on."""
    forks: list[int] = []
    real = parallel._fork
    monkeypatch.setattr(parallel, "_fork", lambda *args: forks.append(1) or real(*args))
    return forks


def render(root, workers: int, monkeypatch):
    use_workers(monkeypatch, workers)
    catalog, diagnostics = load_partial(root)
    assert not diagnostics
    renderer = Renderer(catalog)
    rendered = render_agents(renderer, list(catalog.agents))
    return [(r.agent.id, r.path, r.data) for r in rendered], list(renderer.failures())


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_several_processes_render_the_same_bytes_in_the_same_order(tmp_path, monkeypatch, workers):
    root = many_agents(tmp_path / "c", 10)
    serial = render(root, 1, monkeypatch)
    assert render(root, workers, monkeypatch) == serial
    assert [agent_id for agent_id, _, _ in serial[0]] == [f"a{i:03d}" for i in range(10)]


def test_template_failures_name_the_same_agents_in_the_same_order(tmp_path, monkeypatch):
    root = many_agents(tmp_path / "c", 12, broken_every=2)
    serial = render(root, 1, monkeypatch)
    assert render(root, 3, monkeypatch) == serial
    (failure,) = serial[1]
    assert "rendering a000, a002, a004 and 3 more" in failure.message


def test_a_failed_child_is_replaced_by_rendering_here(tmp_path, monkeypatch):
    root = many_agents(tmp_path / "c", 10, broken_every=3)
    serial = render(root, 1, monkeypatch)

    def lost(pid, reader):  # the child's results never arrive
        parallel.os.close(reader)
        parallel.os.waitpid(pid, 0)

    monkeypatch.setattr(parallel, "_collect", lost)
    assert render(root, 2, monkeypatch) == serial


def test_one_process_per_core_unless_the_catalog_is_small_or_jobs_say_otherwise(monkeypatch):
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.delenv(parallel.JOBS_ENV, raising=False)
    assert parallel.worker_count(parallel.PARALLEL_MIN_AGENTS - 1) == 1
    assert parallel.worker_count(parallel.PARALLEL_MIN_AGENTS) == 2
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert parallel.worker_count(10_000) == 1
    monkeypatch.setenv(parallel.JOBS_ENV, "8")  # never more than the cores
    assert parallel.worker_count(10_000) == 2
    monkeypatch.setenv(parallel.JOBS_ENV, "lots")  # not a number: ignored
    assert parallel.worker_count(10_000) == 2


def test_a_renderer_subclass_is_never_forked(tmp_path, monkeypatch):
    root = many_agents(tmp_path / "c", 6)
    use_workers(monkeypatch, 2)
    catalog, _ = load_partial(root)  # loading forks; rendering with a subclass must not
    monkeypatch.setattr(parallel, "_fork", lambda *args: pytest.fail("forked"))

    class Keeping(Renderer):
        pass

    assert len(render_agents(Keeping(catalog), list(catalog.agents))) == 6


def troubled_catalog(root, count: int = 24):
    """Agents with a role, and broken manifests in every slice: invalid TOML, a schema
    error, an unknown role, a handoff to no agent (reported after the load, at a line a
    forked process's document must still find)."""
    files = {
        "assembler.toml": 'output = "agents"\n',
        "_blocks/intro.md": "Hello from {{ agent.name }}.\n",
        "_roles/helper.toml": 'blocks = ["intro"]\npreamble = "Helps."\n',
    }
    for index in range(count):
        name = f"a{index:03d}"
        text = f'name = "{name}"\ndescription = "Agent {index}."\nsubstrate_role = "helper"\n'
        if index % 7 == 3:
            text = text.replace("description =", "description = = ")
        elif index % 7 == 4:
            text += "tools = 3\n"
        elif index % 7 == 5:
            text = text.replace('"helper"', '"helpr"')
        elif index % 7 == 6:
            text += f'\n[[handoff]]\ntarget = "nobody{index}"\ntrigger = "when stuck"\n'
        files[f"_manifests/{name}.toml"] = text
    return write_tree(root, files)


def load(root, workers: int, monkeypatch):
    use_workers(monkeypatch, workers)
    forks = count_forks(monkeypatch)
    catalog, diagnostics = load_partial(root)
    return catalog, [d.format() for d in diagnostics], len(forks)


@pytest.mark.parametrize("workers", [2, 3])
def test_manifests_loaded_on_several_cores_are_what_a_serial_load_gives(
        tmp_path, monkeypatch, workers):
    root = troubled_catalog(tmp_path / "c")
    serial, serial_problems, none = load(root, 1, monkeypatch)
    forked, problems, forks = load(root, workers, monkeypatch)
    assert none == 0 and forks == workers - 1
    assert problems == serial_problems and len(problems) >= 12
    assert any("nobody20" in p for p in problems) and any("helpr" in p for p in problems)
    assert [(a.id, a.manifest, a.document.data, a.document.text) for a in forked.agents] == \
        [(a.id, a.manifest, a.document.data, a.document.text) for a in serial.agents]
    assert len(forked.agents) == 24 - 3 * 3  # 3, 4 and 5 of each 7 cannot be rendered
    assert all(agent.role is forked.roles["helper"] for agent in forked.agents)
    for agent in forked.agents:  # positions found again where the document came back to
        assert agent.document.locate(("description",), value=True) == (2, 15)


def test_fork_map_runs_each_slice_once_in_order():
    items = list(range(23))
    for workers in (1, 2, 3, 5):
        parts = parallel.fork_map(lambda part: [(n, n * n) for n in part], items, workers)
        assert [pair for part in parts for pair in part] == [(n, n * n) for n in items]
    assert parallel.fork_map(lambda part: part, [], 4) == [[]]


def test_fork_map_does_a_failed_childs_share_here():
    parent = parallel.os.getpid()

    def here_only(part):
        if parallel.os.getpid() != parent:
            raise RuntimeError("a child cannot do this")
        return [-n for n in part]

    parts = parallel.fork_map(here_only, list(range(9)), 3)
    assert [n for part in parts for n in part] == [-n for n in range(9)]


def test_a_plain_renderer_is_forked(tmp_path, monkeypatch):
    root = many_agents(tmp_path / "c", 6)
    forks = count_forks(monkeypatch)
    rendered, _ = render(root, 2, monkeypatch)
    assert forks == [1, 1] and len(rendered) == 6  # once to load, once to render


def test_the_cache_hashes_the_same_inputs_on_several_cores(tmp_path, monkeypatch):
    from assembler.outputs.cache import RenderCache, config_folders, tool_fingerprint

    root = many_agents(tmp_path / "c", 12)
    cache = RenderCache.open(root)

    def scan():
        inputs = cache.scan(config_folders(root), tool_fingerprint())
        return inputs.key, inputs.agents, inputs.stats

    serial = scan()
    forks = count_forks(monkeypatch)
    use_workers(monkeypatch, 3)
    assert scan() == serial and len(forks) == 2
    assert len(serial[1]) == 12 and len(serial[2]) == 15  # a key per manifest; every file
