"""The tracer: where ``instrument`` puts line markers, and that a traced render maps
every output line of a block back to the block line that produced it.

The unit tests pin the marker positions on templates that are hard to cut into
lines (whitespace control, raw blocks, tags and comments over several lines, a
line that starts inside a tag), and render each marked template to show the
markers change nothing but themselves. The property test builds block templates
from a small grammar, traces a catalog using each one through the public
``trace_catalog``, and checks every output line against the source line it names.

One shape is left out of the grammar and pinned by a strict xfail instead: a blank
line right before a tag that strips to its left (``{%-``), whose marker stops the
strip, so the whole block falls back to an approximate trace.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assembler.compose.render import Renderer, make_environment
from assembler.outputs.render import render_agents
from assembler.provenance.explain import trace_catalog
from assembler.provenance.sourcemap import LINE, SEP, instrument, strip_markers
from assembler.sources.catalog import load_catalog

from .conftest import write_tree


def mark(source: str) -> str:
    """``source`` instrumented, with readable markers: ``<n>`` for line n."""
    return instrument(source, lambda n: f"<{n}>")


def render(source: str) -> str:
    return make_environment().from_string(source).render(name="agentx")


def traced_render(source: str) -> str:
    """The render of the instrumented template, markers shown as ``<n>``."""
    marked = instrument(source, lambda n: f"{LINE}{n}{SEP}")
    return render(marked).replace(LINE, "<").replace(SEP, ">")


# -- where markers go --------------------------------------------------------------------------
CASES = {
    # `{%-` eats the line break before it: its line's text joins the line above, unmarked
    "strip before a tag": (
        "a\n{%- if true %} joined\nb\n{% endif %}\n",
        "<1>a\n{%- if true %} joined\n<3>b\n{% endif %}\n",
        "<1>a joined\n<3>b\n",
    ),
    # `-%}` eats the next line's indentation: the marker goes after it
    "strip after a tag": (
        "a\n{% if true -%}\n   b\n{% endif %}\n",
        "<1>a\n{% if true -%}\n   <3>b\n{% endif %}\n",
        "<1>a\n<3>b\n",
    ),
    "strip after a tag eats blank lines": (
        "{% if true -%}\n\n\nb\n{%- endif %}\nc\n",
        "{% if true -%}\n\n\n<4>b\n{%- endif %}\n<6>c\n",
        "<4>b<6>c\n",
    ),
    "strip on both sides of an expression": (
        "a {{- name -}}\n  b\n",
        "<1>a {{- name -}}\n  <2>b\n",
        "<1>aagentx<2>b\n",
    ),
    "strip on both sides of a comment": (
        "a\n{#- c -#}\n  b\n",
        "<1>a\n{#- c -#}\n  <3>b\n",
        "<1>a<3>b\n",
    ),
    # raw content is data: its lines are marked like text lines; the line the
    # `{% raw %}` tag opens is marked after the tag (it emits that line's break),
    # and the `{% endraw %}` line, which emits nothing, is not marked
    "raw block": (
        "{% raw %}\n{{ x }}\n{% if %}\n{% endraw %}\nafter\n",
        "{% raw %}<1>\n<2>{{ x }}\n<3>{% if %}\n{% endraw %}\n<5>after\n",
        "<1>\n<2>{{ x }}\n<3>{% if %}\n<5>after\n",
    ),
    "raw inline": (
        "x {% raw %}{{ y }}{% endraw %} z\n",
        "<1>x {% raw %}{{ y }}{% endraw %} z\n",
        "<1>x {{ y }} z\n",
    ),
    "statement over two lines": (
        "{% if name\n   and true %}\ninside\n{% endif %}\n",
        "{% if name\n   and true %}\n<3>inside\n{% endif %}\n",
        "<3>inside\n",
    ),
    "expression over two lines": (
        "{{ name\n   | upper }} tail\nnext\n",
        "<1>{{ name\n   | upper }} tail\n<3>next\n",
        "<1>AGENTX tail\n<3>next\n",
    ),
    "comment over two lines, then a comment opening a text line": (
        "{# one\n two #}\nline\n{# c #} text\n",
        "{# one\n two #}\n<3>line\n{# c #}<4> text\n",
        "<3>line\n<4> text\n",
    ),
    # line 2 starts inside the string of a tag: no marker there, its text stays on line 1's
    "line starting inside a tag": (
        "a {{ 'x\ny' }} b\nc\n",
        "<1>a {{ 'x\ny' }} b\n<3>c\n",
        "<1>a x\ny b\n<3>c\n",
    ),
    # trim_blocks eats the line break after the closing tag: line 3 joins line 1
    "statement opening a text line": (
        "  {% if true %}c{% endif %}\n{% set x = 1 %}\n{{ x }}\n",
        "  {% if true %}<1>c{% endif %}\n{% set x = 1 %}\n<3>{{ x }}\n",
        "<1>c<3>1\n",
    ),
    "delimiters inside strings": (
        "{{ '%}' }} x\n{% if '}}' %}y{% endif %}\n",
        "<1>{{ '%}' }} x\n{% if '}}' %}<2>y{% endif %}\n",
        "<1>%} x\n<2>y",
    ),
    "loop body marked once, emitted per pass": (
        "{% for x in [1, 2] -%}\n  item {{ x }}\n{% endfor %}\n",
        "{% for x in [1, 2] -%}\n  <2>item {{ x }}\n{% endfor %}\n",
        "<2>item 1\n<2>item 2\n",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_instrument_puts_markers_where_line_output_starts(case):
    source, marked, traced = CASES[case]
    assert mark(source) == marked
    assert traced_render(source) == traced
    assert strip_markers(render(instrument(source, lambda n: f"{LINE}{n}{SEP}"))) == render(source)


def test_instrument_leaves_a_template_without_lines_alone():
    assert mark("") == ""
    assert mark("{% if true %}{% endif %}") == "{% if true %}{% endif %}"


def test_raw_block_with_whitespace_control_is_traced_line_by_line(tmp_path):
    """Trimmed `{% raw -%}` / `{%- endraw %}` no longer defeat the line markers."""
    source = "# RAW\n\nx\n{% raw -%}\n  {{ z }}\n{%- endraw %}\nafter\n"
    assert strip_markers(render(instrument(source, lambda n: f"{LINE}{n}{SEP}"))) == render(source)
    catalog = load_catalog(catalog_with_block(tmp_path, source))
    trace = trace_catalog(catalog)
    assert trace.approximate == ()
    smap = trace.maps["agents/a.md"]
    texts = [line.text for line in smap.lines]
    start = texts.index("# RAW")
    block_lines = smap.lines[start:start + 4]
    assert [line.text for line in block_lines] == ["# RAW", "", "x", "{{ z }}after"]
    assert [(line.origin.path, line.origin.line, line.origin.approximate) for line in block_lines] \
        == [("_blocks/b.md", n, False) for n in (1, 2, 3, 5)]


# -- the property ------------------------------------------------------------------------------
CONFIG = 'output = "agents"\n'
MANIFEST = """\
name = "a"
description = "An agent."
role = "You do things."
blocks = ["b"]
"""


def catalog_with_block(folder: Path, block: str) -> Path:
    """A one-agent catalog whose only block is ``block`` (written as is, not dedented)."""
    root = write_tree(folder, {"assembler.toml": CONFIG, "_manifests/a.toml": MANIFEST})
    (root / "_blocks").mkdir()
    (root / "_blocks/b.md").write_text(block, encoding="utf-8")
    return root


TOKEN = re.compile(r"(?<![0-9])t(\d+):")
BLANK_BEFORE_LEFT_STRIP = re.compile(r"\n[ \t]*\n[ \t]*\{[%#{]-")
OPEN_TAGS = ["{% X %}", "{%- X %}", "{% X -%}", "  {% X %}"]
CLOSE_TAGS = ["{% X %}", "{%- X %}", "{% X -%}"]


@st.composite
def block_lines(draw, counter: list[int], depth: int = 0) -> list[str]:
    """Template lines; every text line carries a unique token ``t<n>:``."""

    def token() -> str:
        counter[0] += 1
        return f"t{counter[0]}:"

    kinds = ["static", "name", "blank", "comment", "inline-if"]
    if depth < 2:
        kinds += ["if", "for"]
    lines: list[str] = []
    for kind in draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=5)):
        if kind == "static":
            lines.append(f"{token()} static text")
        elif kind == "name":
            lines.append(draw(st.sampled_from([
                "{tok} for {{{{ agent.name }}}}", "{{{{ agent.name }}}} {tok} first",
                "{tok} {{{{ agent.name | upper }}}} and {{{{ agent.name }}}}"])).format(tok=token()))
        elif kind == "blank":
            lines.append("")
        elif kind == "comment":
            lines.append(draw(st.sampled_from([
                "{{# a note #}}", "{tok} text {{# inline #}} more", "{{# a note\nover lines #}}",
                "{{# lead #}} {tok} after a comment"])).format(tok=token()))
        elif kind == "inline-if":
            lines.append(draw(st.sampled_from([
                "{{% if true %}}{tok} shown{{% endif %}}",
                "{tok} before {{% if false %}}hidden{{% endif %}} after",
                "{tok} a {{% for x in [1, 2] %}}{{{{ x }}}}{{% endfor %}} b"])).format(tok=token()))
        else:
            test = "if " + draw(st.sampled_from(["true", "false", "agent.name"])) \
                if kind == "if" else "for x in [1, 2]"
            lines.append(draw(st.sampled_from(OPEN_TAGS)).replace("X", test))
            lines.extend(draw(block_lines(counter, depth + 1)))
            lines.append(draw(st.sampled_from(CLOSE_TAGS)).replace("X", "end" + kind))
    return lines


@st.composite
def block_templates(draw) -> str:
    body = draw(block_lines([0]))
    return "# START\n\n" + "\n".join(body) + "\nt0: END\n"


def _token_lines(template: str) -> dict[str, int]:
    """Token → 1-based template line."""
    found = {}
    for number, text in enumerate(template.split("\n"), start=1):
        for match in TOKEN.finditer(text):
            found[match.group(0)] = number
    return found


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(block_templates())
def test_traced_block_maps_every_output_line_to_its_block_line(template):
    assume(not BLANK_BEFORE_LEFT_STRIP.search(template))  # see the xfail test below
    with tempfile.TemporaryDirectory() as folder:
        catalog = load_catalog(catalog_with_block(Path(folder), template))
        trace = trace_catalog(catalog)
        plain = {item.path: item.data for item in render_agents(Renderer(catalog), list(catalog.agents))}
    assert {path: item.data for path, item in trace.rendered.items()} == plain
    assert trace.approximate == ()
    smap = trace.maps["agents/a.md"]
    texts = [line.text for line in smap.lines]
    start = texts.index("# START")
    end = next(i for i, text in enumerate(texts) if "t0: END" in text)
    where = _token_lines(template)
    count = len(template.split("\n"))
    for line in smap.lines[start:end + 1]:
        # the block's last line break is the layout's: the renderer strips a block's own
        ends = (line.end,) if line.number <= end else ()
        for origin in (line.origin, *ends, *(s.origin for s in line.segments)):
            assert origin.path == "_blocks/b.md" and not origin.approximate, (line, origin)
            assert 1 <= origin.line <= count
            assert origin.text == template.split("\n")[origin.line - 1]
        for match in TOKEN.finditer(line.text):  # each text piece names the line it came from
            [segment] = [s for s in line.segments if s.start <= match.start() < s.end]
            assert segment.origin.line == where[match.group(0)], (line.text, match.group(0))
    assert smap.lines[start].origin.line == 1


@pytest.mark.xfail(strict=True, reason="sourcemap.instrument marks a blank line that a following "
                   "`{%-` eats; the marker stops the strip, so the block is traced only approximately")
def test_blank_line_before_a_left_strip_tag_keeps_the_trace_exact(tmp_path):
    source = "# BLOCK\n\ntext\n\n{%- if true %} joined\n{% endif %}\n"
    catalog = load_catalog(catalog_with_block(tmp_path, source))
    assert trace_catalog(catalog).approximate == ()
