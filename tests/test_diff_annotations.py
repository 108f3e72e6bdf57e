"""``check --diff`` traces only the agents it needs, and annotates exactly as a trace of
the whole catalog does: the same hunks, the same "touches N agents" counts."""

from __future__ import annotations

import pytest

from assembler.outputs.drift import compare
from assembler.outputs.render import render_catalog
from assembler.outputs.write import write_outputs
from assembler.provenance import explain, sourcemap
from assembler.sources.catalog import load_catalog

from .conftest import write_tree

AGENTS = 12


def catalog(root):
    files = {
        "assembler.toml": 'output = "agents"\n[vars]\nteam = "core"\n',
        "_blocks/everyone.md": "## Rules\n\nBe brief, {{ agent.name }}.\nTeam {{ vars.team }}.\n",
        "_blocks/some.md": ("## Handoffs\n\n{% if agent.handoffs %}\nHand work on.\n{% endif %}\n"
                            "Ask first.\n"),
    }
    for index in range(AGENTS):
        blocks = '["everyone", "some"]' if index % 3 == 0 else '["everyone"]'
        handoff = ('\n[[handoff]]\ntarget = "a1"\ntrigger = "when stuck"\n'
                   if index % 2 == 0 and index != 1 else "")
        files[f"_manifests/a{index}.toml"] = (
            f'name = "a{index}"\ndescription = "Agent {index}."\nblocks = {blocks}\n{handoff}')
    write_tree(root, files)
    write_outputs(load_catalog(root), render_catalog(load_catalog(root)))
    return root


def full_trace_diffs(root):
    """What ``check --diff`` printed when it traced every agent."""
    loaded = load_catalog(root)
    trace = explain.trace_catalog(loaded)
    return {state.path: explain.annotated_diff(trace.maps[state.path], state.actual,
                                               state.diff(), trace)
            for state in compare(loaded, render_catalog(loaded))
            if state.kind in ("edited", "stale")}


def rendered_by(monkeypatch, cls, method: str) -> list[str]:
    """The ids of the agents or skills ``cls.method`` renders from now on (by ``cls`` itself,
    not a subclass)."""
    seen: list[str] = []
    real = getattr(cls, method)

    def recording(self, maker):
        if type(self) is cls:
            seen.append(maker.id)
        return real(self, maker)

    monkeypatch.setattr(cls, method, recording)
    return seen


def traced_agents(monkeypatch) -> list[str]:
    """Fully traced agents; the layout tracer is not counted."""
    return rendered_by(monkeypatch, sourcemap.TracingRenderer, "trace_agent")


def annotated(root):
    loaded = load_catalog(root)
    return explain.annotated_diffs(loaded, compare(loaded, render_catalog(loaded)))


@pytest.mark.parametrize("edit, header, agents", [
    # a line inside a condition: in the outputs of a0, a6 (a3 and a9 have no handoff)
    ("Hand work on.", "_blocks/some.md:4 (block `some`): touches 2 agents", 4),
    ("Be brief, a6.", "_blocks/everyone.md:3 (block `everyone`): touches 12 agents", AGENTS),
    ("Agent 6.", "(manifest field `description`): touches 1 agent", 1),
])
def test_one_edited_file_of_many_is_annotated_as_a_full_trace_annotates_it(
        tmp_path, monkeypatch, edit, header, agents):
    root = catalog(tmp_path / "c")
    path = root / "agents/a6.md"
    text = path.read_text()
    assert edit in text
    path.write_text(text.replace(edit, edit.rstrip(".") + " now.", 1))
    expected = full_trace_diffs(root)
    traced = traced_agents(monkeypatch)
    diffs = annotated(root)
    assert diffs == expected and list(diffs) == ["agents/a6.md"]
    assert header in diffs["agents/a6.md"]
    assert traced[0] == "a6" and len(traced) == agents  # users of the block only


def layout_traced(monkeypatch) -> list[str]:
    """The makers the layout tracer renders, from now on."""
    return rendered_by(monkeypatch, sourcemap.LayoutTracer, "trace_keys")


def test_a_stale_agent_is_traced_alone_when_only_its_manifest_changed(tmp_path, monkeypatch):
    """Its banner changes too, but a banner's reach is not counted: no other output is
    rendered at all."""
    root = catalog(tmp_path / "c")
    manifest = root / "_manifests/a5.toml"
    manifest.write_text(manifest.read_text().replace("Agent 5.", "Agent five."))
    expected = full_trace_diffs(root)
    traced, layouts = traced_agents(monkeypatch), layout_traced(monkeypatch)
    diffs = annotated(root)
    assert diffs == expected and "touches 1 agent" in diffs["agents/a5.md"]
    header = next(line for line in diffs["agents/a5.md"].splitlines() if line.startswith("@@"))
    assert header == ("@@ -1,9 +1,9 @@ _manifests/a5.toml:2 (manifest field `description`): "
                      f"touches 1 agent; {explain.BANNER_NOTE}")
    assert traced == ["a5"] and layouts == []


def test_a_hand_edited_layout_line_is_counted_over_the_outputs_that_hold_it(
        tmp_path, monkeypatch):
    """`# DOMAIN SCOPE` is in the outputs of the six agents with a handoff only: the layout
    tracer renders every other output to find them."""
    root = catalog(tmp_path / "c")
    path = root / "agents/a6.md"
    path.write_text(path.read_text().replace("# DOMAIN SCOPE", "# DOMAIN SCOPES", 1))
    expected = full_trace_diffs(root)
    traced, layouts = traced_agents(monkeypatch), layout_traced(monkeypatch)
    diffs = annotated(root)
    assert diffs == expected
    assert "agent.md.j2:" in diffs["agents/a6.md"]
    assert "(layout): touches 6 agents" in diffs["agents/a6.md"]
    assert traced == ["a6"] and sorted(layouts) == sorted(f"a{i}" for i in range(AGENTS) if i != 6)


def test_the_layout_tracer_finds_the_layout_config_and_role_lines_a_full_trace_finds(tmp_path):
    from .provenance_support import copy_catalog

    def keys(smap):  # (path, line) of each such origin → the output lines holding it
        found = {}
        for line in smap.lines:
            for origin in {(o.path, o.line): o for o in (*(s.origin for s in line.segments),
                                                       line.end)}.values():
                if origin.kind in sourcemap.LAYOUT_KINDS:
                    found.setdefault((origin.path, origin.line), []).append(line.number)
        return found

    for root in (catalog(tmp_path / "c"), copy_catalog(tmp_path / "example")):
        loaded = load_catalog(root)
        makers = [*loaded.agents, *loaded.skills]
        full = explain._trace(sourcemap.TracingRenderer(loaded), makers)
        layouts = sourcemap.LayoutTracer(loaded)
        cheap = {path: found for maker in makers for path, found in layouts.trace_keys(maker)}
        assert sorted(full) == sorted(cheap) and len(full) > 10
        for path, (_, smap) in full.items():
            assert cheap[path] == keys(smap), path
