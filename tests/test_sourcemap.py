"""Source maps: every generated line names a source that, rendered, gives that line."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.outputs.banner import read_banner
from assembler.sources.catalog import load_catalog
from assembler.sources.yaml import yaml_scalar
from assembler.provenance.explain import explain_line, trace_catalog
from assembler.compose.composition import block_context
from assembler.compose.render import Renderer, make_environment
from assembler.outputs.skills import render_skills
from assembler.outputs.render import outputs, render_agents
from assembler.provenance.sourcemap import Origin, TracingRenderer, instrument
from assembler.targets.registry import REGISTRY
from assembler.provenance.tomledit import string_literal
from .provenance_support import REPO, copy_catalog


@pytest.fixture()
def run(cli):
    """``assembler ARGS --root ROOT`` through the shared, exception-raising runner."""
    return lambda root, *args: cli(*args, "--root", root)


@pytest.fixture(scope="module")
def example():
    catalog = load_catalog(REPO)
    return catalog, trace_catalog(catalog)


def _source_lines(catalog, path: str) -> list[str]:
    if path.startswith("<assembler>/"):
        text = resources.files("assembler").joinpath(path.removeprefix("<assembler>/")) \
            .read_text("utf-8")
    else:
        text = (catalog.root / path).read_text("utf-8")
    return text.split("\n")


def _toml_value(catalog, origin: Origin):
    data = tomllib.loads((catalog.root / origin.path).read_text("utf-8"))
    for key in origin.loc:
        data = data[key]
    return data


def _check_part(catalog, agent, origin: Origin, text: str, whole_line: str,
                target=REGISTRY["claude-code"]) -> None:
    """``text`` (the part of an output line from ``origin``) is what that source renders.

    Frontmatter and TOML fields are checked exactly for Claude Code, which writes the
    manifest's values as they are; the other targets translate them (aliases, tool
    names), so there the value only has to exist at the key the origin names.
    """
    source_line = _source_lines(catalog, origin.path)[origin.line - 1]
    if origin.kind == "block":
        assert origin.text == source_line
        rendered = make_environment().from_string(source_line).render(
            block_context(agent, catalog))
        assert rendered == text
    elif origin.kind == "layout" and origin.approximate:
        assert target.name == "codex"  # text the target writes around the layout's body
    elif origin.kind == "layout":
        assert origin.text == source_line
        pattern = "".join(re.escape(part) if i % 2 == 0 else ".*"
                          for i, part in enumerate(re.split(r"(\{\{.*?\}\})", source_line)))
        assert re.fullmatch(pattern, whole_line), (source_line, whole_line)
    elif origin.kind == "banner":  # placed by the layout, or (Codex) by the target itself
        assert "{{ banner }}" in source_line or origin.approximate
        assert read_banner((whole_line + "\n").encode(), target.comment) is not None
    else:
        value = _toml_value(catalog, origin)
        if origin.transform != "exact" and target.name != "claude-code":
            assert value is not None and text.strip()
        elif origin.transform == "yaml":
            assert text == f"{origin.loc[-1]}: {yaml_scalar(value.strip())}"
            assert string_literal(value, False) in source_line
        elif origin.transform == "derived":
            shown = ", ".join(value) if isinstance(value, list) else value
            if origin.loc == ("model",):  # an alias, written as Claude Code's name for it
                shown = catalog.settings.config.models.get(value, {}).get("claude-code", value)
            assert text in (f"{origin.loc[-1]}: {yaml_scalar(shown)}", shown) \
                or shown.upper() in text
        elif "\n" in value:
            # a multi-line string: the output line is a line of the value, on that file line
            assert text == source_line
            assert text in value.split("\n")
        else:
            assert text == value
            assert string_literal(value, False) in source_line


def test_traced_render_is_byte_identical_to_the_plain_render(example):
    catalog, trace = example
    renderer = Renderer(catalog)
    plain = {item.path: item.data for item in render_agents(renderer, list(catalog.agents))}
    plain.update((item.path, item.data) for item in render_skills(renderer, catalog.skills)
                 if item.path.endswith("/SKILL.md"))  # copied files come from no template
    assert {path: item.data for path, item in trace.rendered.items()} == plain
    assert trace.approximate == ()


def test_every_line_of_every_example_agent_is_explained_by_its_source(example):
    catalog, trace = example
    checked = 0
    for path, agent, target in [(o.path, a, o.target) for a in catalog.agents
                                for o in outputs(catalog, a)]:
        data = trace.rendered[path].data
        assert data == (REPO / path).read_bytes()
        for number in range(1, len(data.decode().splitlines()) + 1):
            report = explain_line(trace, path, number, data)
            line = report.mapped
            assert line is not None and line.number == number
            if not line.text:
                # a blank line is produced by a blank source line (or a blank line of a value)
                origin = line.end
                source = _source_lines(catalog, origin.path)[origin.line - 1]
                assert source.strip() == "" or origin.kind in ("manifest", "config", "role")
                continue
            for segment in line.segments:
                part = line.text[segment.start:segment.end]
                _check_part(catalog, agent, segment.origin, part, line.text, target)
            checked += 1
    assert checked > 4000


def test_blast_radius_lists_the_other_agents_with_the_same_block_line(example):
    catalog, trace = example
    path = outputs(catalog, catalog.agent("validator"))[0].path
    data = trace.rendered[path].data.decode().splitlines()
    number = data.index("# EVIDENCE GRADING") + 1
    report = explain_line(trace, path, number, None)
    assert report.mapped.origin.where == "_blocks/evidence-grading.md:4"
    users = [skill for skill in catalog.skills if "evidence-grading" in skill.all_blocks]
    assert len(trace.agents(report.others) - {"validator"}) == len(catalog.agents) - 1 + len(users)
    # every file of every target, and each using skill's SKILL.md in both skills folders
    assert len(report.others) == 4 * len(catalog.agents) - 1 + 2 * len(users)
    for path, lines in report.others.items():
        assert (REPO / path).read_text().splitlines()[lines[0] - 1] == "# EVIDENCE GRADING"


def test_a_manifest_value_reaches_only_its_own_agent(example):
    catalog, trace = example
    path = outputs(catalog, catalog.agent("gpu-job-runner"))[0].path
    data = trace.rendered[path].data.decode().splitlines()
    number = next(i for i, text in enumerate(data, 1) if text.startswith("- Retry settings"))
    report = explain_line(trace, path, number, None)
    origin = report.mapped.origin
    assert (origin.kind, origin.field) == ("manifest", "forbidden_domain[8]")
    assert sorted(report.others) == [  # the same agent's files for the other targets
        ".codex/agents/gpu-job-runner.toml", ".cursor/agents/gpu-job-runner.md",
        ".github/agents/gpu-job-runner.agent.md"]


TRICKY_BLOCK = """---
description: whitespace control of every kind
---
# TRICKY
{% if agent.tools -%}
  tools:
{%- for tool in agent.tools %} {{ tool }}{% endfor %}
{% endif %}
{# a comment #}
{% raw %}{{ not a tag }}{% endraw %}

{% if true %}inline {{ agent.name }}{% endif %}

last line
"""


@pytest.fixture()
def tricky(tmp_path: Path) -> Path:
    root = copy_catalog(tmp_path)
    (root / "_blocks" / "tricky.md").write_text(TRICKY_BLOCK)
    manifest = root / "_manifests" / "validator.toml"
    manifest.write_text(manifest.read_text().replace('blocks = ["', 'blocks = ["tricky", "', 1))
    return root


def test_whitespace_control_never_changes_the_output_and_lines_stay_in_the_block(tricky):
    catalog = load_catalog(tricky)
    plain = {item.path: item.data for item in render_agents(Renderer(catalog), list(catalog.agents))}
    renderer = TracingRenderer(catalog)
    results = renderer.trace_all()
    assert {rendered.path: rendered.data for rendered, _ in results} == plain
    smap = next(m for r, m in results if r.agent.id == "validator")
    texts = [line.text for line in smap.lines]
    start = texts.index("# TRICKY")
    for line in smap.lines[start:texts.index("last line", start) + 1]:
        assert line.origin.path == "_blocks/tricky.md", line
    last = smap.lines[texts.index("last line", start)]
    assert last.origin.line == 14 and not last.origin.approximate
    assert any(text.startswith("tools: Read Grep")
               for text in texts[start:])


def test_instrument_marks_text_lines_and_skips_control_lines():
    source = "a\n{% if x %}\nb {{ y }}\n{% endif %}\n  {% if z %}c{% endif %}\n{#\nd\n#}\n"
    marked = instrument(source, lambda n: f"<{n}>")
    assert marked == ("<1>a\n{% if x %}\n<3>b {{ y }}\n{% endif %}\n"
                      "  {% if z %}<5>c{% endif %}\n{#\nd\n#}\n")


def _marked_render(source: str) -> str:
    """``source`` instrumented and rendered; without its markers it must be the plain render."""
    marked = instrument(source, lambda n: f"<{n}>")
    env, context = make_environment(), {"x": "X", "items": [1, 2]}
    rendered = env.from_string(marked).render(context)
    assert re.sub(r"<\d+>", "", rendered) == env.from_string(source).render(context)
    return marked


@pytest.mark.parametrize("source, marked", [
    pytest.param('{% set s = "%}" %}\n{{ s }} {{ \'}}\' }}\nend\n',
                 '{% set s = "%}" %}\n<2>{{ s }} {{ \'}}\' }}\n<3>end\n', id="ends-inside-strings"),
    pytest.param("a {{ x ~ 'q\\'}}'\n   ~ x }}\nb\n",
                 "<1>a {{ x ~ 'q\\'}}'\n   ~ x }}\n<3>b\n", id="escaped-quote-then-line-break"),
    pytest.param('say {{ "it\'s" }} and {{ \'a "quoted" }}\' }}\n{% if x %}\nyes\n{% endif %}\n',
                 '<1>say {{ "it\'s" }} and {{ \'a "quoted" }}\' }}\n{% if x %}\n<3>yes\n{% endif %}\n',
                 id="nested-quotes"),
    pytest.param("{{ {'k': {'v': 1}}\n['k'] }}\nnext\n",
                 "<1>{{ {'k': {'v': 1}}\n['k'] }}\n<3>next\n", id="braces-inside-an-expression"),
    pytest.param("{# a {{ comment #}\ntext {# {% if %} #} more\n{#\n{{ spans\n#}\nlast\n",
                 "{# a {{ comment #}\n<2>text {# {% if %} #} more\n{#\n{{ spans\n#}\n<6>last\n",
                 id="comments-holding-tags"),
    pytest.param("{{ x\n   | upper }} tail\nline {% if x\n  and x %}in{% endif %}\n"
                 "{% for i in\n items %}\n- {{ i }}\n{% endfor %}\nend\n",
                 "<1>{{ x\n   | upper }} tail\n<3>line {% if x\n  and x %}in{% endif %}\n"
                 "{% for i in\n items %}\n<7>- {{ i }}\n{% endfor %}\n<9>end\n", id="tags-over-lines"),
    pytest.param("Write {%- raw -%} {{ name }} {%- endraw -%} here.\nnext\n",
                 "<1>Write {%- raw -%} {{ name }} {%- endraw -%} here.\n<2>next\n", id="raw-with-trims"),
    pytest.param("a\n{%+ raw %}{% if %}{{ r }}\n{% endraw %}\nb\n",
                 "<1>a\n{%+ raw %}<2>{% if %}{{ r }}\n{% endraw %}\n<4>b\n", id="raw-keeping-space"),
])
def test_instrument_finds_tags_as_jinja2_reads_them(source, marked):
    assert _marked_render(source) == marked


@pytest.mark.parametrize("source, marked", [
    pytest.param("a\n{% raw %}\n{{ example }}\n{% endraw %}\nb\n",
                 "<1>a\n{% raw %}<2>\n<3>{{ example }}\n{% endraw %}\n<5>b\n", id="raw-lines"),
    pytest.param("a\n  {% raw %}\n{{ example }}\n  {% endraw %}\nb\n",
                 "<1>a\n  {% raw %}<2>\n<3>{{ example }}\n  {% endraw %}\n<5>b\n", id="indented-raw"),
    pytest.param("a\n{%- raw -%}\n  {{ example }}\n{%- endraw -%}\n  b\n",
                 "<1>a\n{%- raw -%}\n  <3>{{ example }}\n{%- endraw -%}\n  <5>b\n", id="raw-trimmed-both-sides"),
    pytest.param("a\n{{- x\n }}\nb\n", "<1>a\n{{- x\n }}\n<4>b\n", id="trimming-expression-over-lines"),
    pytest.param("{% if x %}{{ x -}}   c\n{% endif %}\n", "{% if x %}{{ x -}}   <1>c\n{% endif %}\n",
                 id="trimming-expression-after-a-statement"),
])
def test_instrument_marks_lines_around_raw_blocks_and_whitespace_control(source, marked):
    assert _marked_render(source) == marked


_SPACE = st.sampled_from(["", " ", "\n", "\n", " \n", "\n  "])
_LEAF = st.one_of(
    st.sampled_from(["a", "b c", "- item"]),
    st.sampled_from(["x", "'%}'", '"}}"', "'a\\'}}'", "{'a': {'b': 1}}['a']", "\"it's\"", "x\n ~ x"])
    .map(lambda expression: "{{ " + expression + " }}"),
    st.sampled_from([" c ", " {{ x }} ", " %} ", "\nmulti\n"]).map(lambda text: "{#" + text + "#}"),
    st.sampled_from(["{{ r }}", "\n{# x\n", "x\n{% y %}\n"]).map(lambda text: "{% raw %}" + text + "{% endraw %}"),
    st.sampled_from(["'}}'", "'%}'", "1"]).map(lambda value: "{% set y = " + value + " %}"),
)
_TEMPLATE = st.recursive(
    st.lists(st.tuples(_SPACE, _LEAF), max_size=4),
    lambda inner: st.lists(st.tuples(_SPACE, st.one_of(_LEAF, st.tuples(_SPACE, inner).map(
        lambda pair: "{% if x %}" + pair[0] + "".join(a + b for a, b in pair[1]) + "{% endif %}"))),
        max_size=4),
    max_leaves=8,
).map(lambda pieces: "".join(a + b for a, b in pieces))


@settings(max_examples=200, deadline=None)
@given(_TEMPLATE)
def test_line_markers_never_change_what_a_template_renders(source):
    _marked_render(source)


def test_explain_prints_source_and_blast_radius(snapshot, run):
    result = run(REPO, "explain", "agents/validator.md:20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == snapshot


def test_explain_outline_of_a_whole_file(snapshot, run):
    result = run(REPO, "explain", "retro-writer")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == snapshot


def test_explain_json_gives_parts_by_column(run):
    result = run(REPO, "explain", "gpu-job-runner:1", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["source"]["kind"] == "layout"
    result = run(REPO, "explain", "agents/gpu-job-runner.md", "--format", "json")
    lines = json.loads(result.stdout)["lines"]
    assert len(lines) == len((REPO / "agents/gpu-job-runner.md").read_text().splitlines())
    domain = next(entry for entry in lines if entry["source"].get("field") == "domain_in[0]")
    assert [part["kind"] for part in domain["parts"]] == ["layout", "manifest"]
    assert domain["parts"][1]["start"] == 2


@pytest.mark.parametrize("target, message", [
    ("agents/nope.md:3", "is not a generated file"),
    ("agents/validator.md:9999", "outside the file"),
])
def test_explain_rejects_bad_targets(target, message, run):
    result = run(REPO, "explain", target)
    assert result.exit_code == 2
    assert message in result.stderr


def test_explain_maps_a_line_of_an_edited_file_through_the_diff(tmp_path, run):
    root = copy_catalog(tmp_path)
    path = root / "agents" / "validator.md"
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(12, "an extra line typed by hand\n")
    path.write_text("".join(lines))
    result = run(root, "explain", "agents/validator.md:13")
    assert result.exit_code == 0
    assert "differs from a fresh render" in result.stdout
    moved = run(root, "explain", f"agents/validator.md:{len(lines) - 2}")
    assert f"this is line {len(lines) - 3} there" in moved.stdout


def test_sourcemap_files_are_written_only_when_asked(tmp_path, run):
    root = copy_catalog(tmp_path)
    assert run(root, "build", "--force").exit_code == 0
    assert not (root / ".assembler" / "sourcemaps").exists()  # .assembler/ holds the render cache
    result = run(root, "build", "--sourcemap")
    assert result.exit_code == 0
    written = sorted((root / ".assembler" / "sourcemaps").rglob("*.json"))
    assert len(written) == 28  # one map per file: 7 agents, 4 targets
    data = json.loads((root / ".assembler/sourcemaps/agents/validator.md.json").read_text())
    assert data["file"] == "agents/validator.md"
    assert len(data["lines"]) == len((root / "agents/validator.md").read_text().splitlines())
