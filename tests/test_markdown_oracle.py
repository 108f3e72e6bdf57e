"""The Markdown line scanners against a CommonMark parser (markdown-it-py) as an oracle.

Two hand-written scanners find ATX headings and fenced code: ``assembler.markdown``
(``in_code`` and ``headings``, used by lint, also with the ``fences`` / ``marked`` line
lists lint passes to skip lines) and ``importing.sections.split_sections`` (the
importer's section cutter). Both must agree with markdown-it-py's ``commonmark``
preset on which lines are headings (line, level, text) and which lines are fenced
code, for every generated file in ``agents/``, every block in ``_blocks/`` and
documents generated from a grammar of lines.

The scanners are line scanners, not CommonMark parsers (see the docstring of
``assembler.markdown``: fenced code and ATX headings only). The grammar therefore
leaves out the shapes they do not model:

- setext headings (a text line above a ``===`` or ``---`` line) and thematic breaks:
  no line of only ``=``, ``-``, ``*`` or ``_``;
- indented code blocks: no line is indented by four spaces or more, and no tab
  appears in an indentation (CommonMark counts a tab as four columns);
- containers and HTML: no line starts with a list marker, ``>``, ``<`` or ``[``.

Three shapes inside the grammar's reach once disagreed with CommonMark and are
pinned by their own tests at the end of this module: a backtick fence whose info
string holds a backtick (not a fence at all), an empty heading with a closing
sequence (``# #``), and a closing fence followed by a no-break space.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from assembler.importing.sections import split_sections
from assembler.markdown import FENCE_TEXT, headings, in_code
from assembler.sources.yaml import split_frontmatter

REPO = Path(__file__).resolve().parent.parent
MD = MarkdownIt("commonmark")


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def oracle(text: str) -> tuple[list[tuple[int, int, str]], list[bool]]:
    """markdown-it's ATX headings (0-based line, level, text) and fenced-code lines.

    The text is given a final newline if it has none: to CommonMark the end of the
    document ends the last line either way, but markdown-it drops a last line of only
    spaces when no newline follows it.
    """
    tokens = MD.parse(text if text.endswith("\n") else text + "\n")
    found = []
    code = [False] * len(_lines(text))
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.markup.startswith("#"):
            found.append((token.map[0], int(token.tag[1]), tokens[index + 1].content))
        elif token.type == "fence":
            start, end = token.map
            code[start:end] = [True] * (end - start)
    return found, code


def scanner(text: str) -> tuple[list[tuple[int, int, str]], list[bool]]:
    """The same two answers from ``assembler.markdown``, checked for both call styles."""
    lines = _lines(text)
    code = in_code(lines)
    # lint passes only the lines that can be fences or headings: same answers
    fences = [i for i, line in enumerate(lines) if any(f in line for f in FENCE_TEXT)]
    assert in_code(lines, fences) == code
    found = [(h.line - 1, h.level, h.text) for h in headings(lines)]
    marked = [i for i, line in enumerate(lines) if "#" in line]
    assert [(h.line - 1, h.level, h.text) for h in headings(lines, 0, code, marked)] == found
    return found, code


def section_heading_lines(text: str) -> list[int]:
    """0-based lines where ``split_sections`` starts a headed section; checks it loses no byte."""
    lead, sections = split_sections(text)
    assert "\n" * lead + "".join(s.text + "\n" * s.gap for s in sections) == text
    lines = _lines(text)
    found, line = [], lead
    for section in sections:
        if section.heading is not None:
            assert lines[line] == section.heading
            found.append(line)
        line += (section.text + "\n" * section.gap).count("\n")
    return found


def assert_agrees(text: str) -> None:
    expected_headings, expected_code = oracle(text)
    found, code = scanner(text)
    assert code == expected_code, "fenced code differs"
    assert found == expected_headings, "headings differ"
    assert section_heading_lines(text) == [line for line, _, _ in expected_headings]


# -- the repository's own Markdown -------------------------------------------------------------
def _files(folder: str) -> list[str]:
    return sorted(p.relative_to(REPO).as_posix() for p in (REPO / folder).rglob("*.md"))


REAL_FILES = _files("agents") + _files("_blocks")


def test_the_repository_has_files_to_compare():
    assert len(_files("agents")) >= 7 and len(_files("_blocks")) >= 14


@pytest.mark.parametrize("rel", REAL_FILES)
def test_scanners_agree_with_commonmark_on_repository_files(rel):
    body = split_frontmatter((REPO / rel).read_text("utf-8")).body
    assert_agrees(body)
    if rel.startswith("agents/"):  # generated files have both, so the check is not vacuous
        expected_headings, expected_code = oracle(body)
        assert expected_headings and any(expected_code)


# -- a grammar of lines ------------------------------------------------------------------------
indent = st.sampled_from(["", " ", "  ", "   "])
gap = st.sampled_from([" ", "  ", "\t"])
trailing = st.sampled_from(["", "", " ", "  ", "\t"])
word = st.text("abcxyzé019", min_size=1, max_size=6)
hash_word = st.one_of(word, st.sampled_from(["#", "##", "C#", "#5", "a#b", "x#", "`#`"]))


@st.composite
def heading_line(draw) -> str:
    marks = "#" * draw(st.integers(1, 6))
    if draw(st.integers(0, 5)) == 0:  # an empty heading, without a closing sequence
        return draw(indent) + marks + draw(trailing)
    words = [draw(word), *draw(st.lists(hash_word, max_size=4))]
    text = "".join(w + draw(gap) for w in words[:-1]) + words[-1]
    closing = draw(gap) + "#" * draw(st.integers(1, 8)) if draw(st.booleans()) else ""
    return draw(indent) + marks + draw(gap) + text + closing + draw(trailing)


near_heading = st.one_of(
    st.builds(lambda i, w: f"{i}#{w}", indent, word),  # no space after the marks
    st.builds(lambda i, w: f"{i}####### {w}", indent, word),  # seven marks
    st.builds(lambda i, w: f"{i}#!/bin/{w}", indent, word),
    st.just("#include <stdio.h>"),
)


@st.composite
def fence_line(draw) -> str:
    char = draw(st.sampled_from("`~"))
    run = char * draw(st.integers(3, 6))
    info = ""
    if draw(st.booleans()):
        alphabet = "abcpy{}.=# ~" if char == "`" else "abcpy{}.=# `~"
        info = draw(st.sampled_from(["", " "])) + draw(st.text(alphabet, min_size=1, max_size=8))
    return draw(indent) + run + info + draw(trailing)


@st.composite
def text_line(draw) -> str:
    words = [draw(word), *draw(st.lists(st.one_of(
        hash_word, st.sampled_from(["# not a heading", "`# code`", "```mid```", "~~~"])),
        max_size=5))]
    return draw(indent) + " ".join(words) + draw(trailing)


line = st.one_of(heading_line(), heading_line(), near_heading, fence_line(), fence_line(),
                 text_line(), st.sampled_from(["", "", "  "]))


@st.composite
def documents(draw) -> str:
    lines = draw(st.lists(line, max_size=30))
    return "\n".join(lines) + ("\n" if lines and draw(st.booleans()) else "")


@settings(max_examples=200, deadline=None)
@given(documents())
@example("# ROLE\n\n```md\n# inside\n```\n\n## After ##\n")
@example("~~~~\n~~~\n# still code\n~~~~~\n# out\n")
@example("text\n```\n# unclosed fence to the end\n")
@example("   ```\n# code\n   ``` \t\n#\tTabbed\t#\n")
@example("``` python\n# code\n``` not a close\n```\n####### seven\n#no-space\n")
def test_scanners_agree_with_commonmark_on_generated_documents(text):
    assert_agrees(text)


def test_the_grammar_produces_the_shapes_it_promises():
    """Headings inside code, closing sequences, unclosed fences and tildes all occur."""
    seen = set()

    @settings(max_examples=400, deadline=None, database=None, derandomize=True)
    @given(documents())
    def collect(text):
        found, code = oracle(text)
        lines = _lines(text)
        if any(c and line.lstrip().startswith("# ") for c, line in zip(code, lines)):
            seen.add("heading-like line in code")
        if any(re.search(r"[ \t]#+[ \t]*$", lines[n]) for n, _, _ in found):
            seen.add("closing sequence")
        if code and code[-1]:
            seen.add("code to the end")
        if any(c and line.lstrip().startswith("~~~") for c, line in zip(code, lines)):
            seen.add("tilde fence")
        if found:
            seen.add("heading")

    collect()
    assert seen == {"heading-like line in code", "closing sequence", "code to the end",
                    "tilde fence", "heading"}


# -- where the scanners and CommonMark part ways ---------------------------------------------------
BACKTICK_INFO = "```x```\n\n# After\n"  # inline code at the start of a line: not a fence
EMPTY_CLOSED = "# #\n"  # an empty h1 with a closing sequence
NBSP_CLOSE = "```\n# code\n```\u00a0\n# still code\n"  # U+00A0 is not a space to CommonMark


def test_the_oracle_sees_what_the_shape_tests_claim():
    assert oracle(BACKTICK_INFO) == ([(2, 1, "After")], [False, False, False])
    assert oracle(EMPTY_CLOSED) == ([(0, 1, "")], [False])
    assert oracle(NBSP_CLOSE) == ([], [True, True, True, True])


def test_in_code_backtick_info_string_with_a_backtick_is_no_fence():
    assert scanner(BACKTICK_INFO) == oracle(BACKTICK_INFO)


def test_split_sections_backtick_info_string_with_a_backtick_is_no_fence():
    assert section_heading_lines(BACKTICK_INFO) == [2]


def test_headings_empty_heading_with_closing_sequence_has_empty_text():
    assert [h.text for h in headings(["# #", "## ##", "### ###  "])] == ["", "", ""]


def test_in_code_closing_fence_with_trailing_no_break_space_does_not_close():
    assert scanner(NBSP_CLOSE) == oracle(NBSP_CLOSE)


def test_split_sections_closing_fence_with_trailing_no_break_space_does_not_close():
    assert section_heading_lines(NBSP_CLOSE) == []
