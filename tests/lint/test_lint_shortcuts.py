"""The linter's shortcuts for large catalogs give exactly the answers of the plain way."""

from __future__ import annotations

import difflib
import re
from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.lint import structure
from assembler.lint.frontmatter import header_of
from assembler.sources.yaml import split_frontmatter
from assembler.lint.context import Output, SharedWork, TextFile
from assembler.lint.linematch import BlockLines
from assembler.lint.paths import ShortestPaths
from assembler.lint.linesearch import LineSearch, fold_case
from assembler.markdown import headings, in_code
from assembler.credentials import ASSIGNMENT as _ASSIGNMENT, PROVIDERS
from assembler.lint.secrets import candidates
from assembler.lint.tokens import LineTokens, estimate_tokens


def breadth_first(graph, start, goal):
    """The plain search: a queue, neighbours in file order, stop at the goal."""
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = []
            while node is not None:
                path.append(node)
                node = previous[node]
            return path[::-1]
        for following, _ in graph.get(node, []):
            if following not in previous:
                previous[following] = node
                queue.append(following)
    return None


@st.composite
def handoff_graphs(draw):
    """Graphs with repeated edges, self-loops, dead ends and nodes nobody reaches."""
    nodes = [f"agent-{i}" for i in range(draw(st.integers(1, 14)))]
    targets = st.lists(st.sampled_from(nodes), max_size=4)
    return {node: [(target, index) for index, target in enumerate(draw(targets))] for node in nodes}


@settings(max_examples=300)
@given(handoff_graphs(), st.data())
def test_shortest_paths_are_the_ones_breadth_first_search_finds(graph, data):
    paths = ShortestPaths(graph)
    nodes = st.sampled_from(sorted(graph))
    for goal in data.draw(st.lists(nodes, max_size=4)):
        for start in data.draw(st.lists(nodes, min_size=1, max_size=4)):  # one goal, in turn
            assert paths.find(start, goal) == breadth_first(graph, start, goal)


def test_among_equally_short_paths_the_first_handoffs_win():
    graph = {"a": [("c", 0), ("b", 1)], "b": [("d", 0)], "c": [("e", 0), ("d", 1)], "d": [], "e": [("d", 0)]}
    assert ShortestPaths(graph).find("a", "d") == ["a", "c", "d"]
    graph["a"] = [("b", 0), ("c", 1)]
    assert ShortestPaths(graph).find("a", "d") == ["a", "b", "d"]


def test_a_node_the_graph_does_not_have_is_on_no_path_but_its_own():
    graph = {"a": [("b", 0)], "b": [("a", 0)]}
    paths = ShortestPaths(graph)
    assert [paths.find("a", "x"), paths.find("x", "a"), paths.find("x", "x")] == [None, None, ["x"]]
    assert [paths.find("a", "b"), paths.find("b", "a")] == [["a", "b"], ["b", "a"]]


def most_similar(candidates, line):
    return max(range(len(candidates)),
               key=lambda i: difflib.SequenceMatcher(None, candidates[i], line).ratio())


lines_of_text = st.text(alphabet="ab {}%x\t", max_size=12)


@settings(max_examples=400)
@given(st.lists(lines_of_text, min_size=1, max_size=6), lines_of_text)
def test_closest_template_line_is_the_first_with_the_highest_ratio(candidates, line):
    assert BlockLines().closest(tuple(candidates), line) == most_similar(candidates, line)


def test_ties_between_template_lines_go_to_the_first():
    candidates = ("{% if x %}", "Hello {{ name }}", "Hello {{ name }}", "{% endif %}")
    assert BlockLines().closest(candidates, "Hello Ada") == 1
    # "acb" has the higher bound and is compared first, but "abx" ties with it and comes first
    assert BlockLines().closest(("abx", "acb"), "abc") == most_similar(("abx", "acb"), "abc") == 0


def test_block_lines_map_each_rendering_once_and_shift_by_the_body_line():
    matcher = BlockLines()
    source = "# Title\n{% if x %}\nHello {{ name }}.\n{% endif %}\nBye.\n"
    assert matcher.lines(source, "# Title\nHello Ada.\nBye.", 5) == [5, 7, 9]
    assert matcher.lines(source, "# Title\nHello Ada.\nBye.", 10) == [10, 12, 14]
    assert matcher.lines("\n\nStatic.\n", "Static.", 3) == [5]


def secret_lines():
    patterns = [pattern.pattern for _, pattern in PROVIDERS] + [_ASSIGNMENT.pattern]
    found = st.one_of(*(st.from_regex(p, fullmatch=False) for p in patterns))
    return found.filter(lambda text: "\n" not in text)


@settings(max_examples=500)
@given(st.lists(st.text(alphabet="abc =\n", max_size=10), max_size=3), secret_lines())
def test_every_line_a_pattern_matches_is_scanned(before, line):
    assert any(p.search(line) for _, p in PROVIDERS) or _ASSIGNMENT.search(line)
    lines = [*"".join(before).split("\n"), line]
    assert len(lines) - 1 in candidates(lines)


def test_case_folding_finds_what_ignorecase_finds_on_the_same_line():
    text = "ſecret\nİ — token\nAUTH Kelvin: \u212a"
    for word in ("secret", "token", "auth", "k"):
        assert re.search(f"(?i){word}", text)
        assert word.encode() in fold_case(text)
    assert fold_case(text).count(b"\n") == text.count("\n")
    assert LineSearch(text.split("\n")).containing(any_case=("secret", "auth")) == [0, 2]
    assert LineSearch(["a](b)", "x", "c ](d) ](e)", "]("]).containing(("](",)) == [0, 2, 3]
    assert candidates(["nothing to see", "pwd: hunter2", "plain"]) == {1}
    assert candidates(["ſecret = abc"]) == {0}


@given(st.lists(st.text(alphabet="aB]( \u017f\u0131\u0130\u212a—", max_size=8), max_size=6),
       st.sampled_from(["](", "a", "b("]), st.sampled_from(["ab", "s", "i", "k"]))
def test_line_search_finds_exactly_the_lines_holding_the_text(lines, needle, word):
    found = LineSearch(lines).containing((needle,), any_case=(word,))
    assert found == [i for i, line in enumerate(lines)
                     if needle in line or re.search(f"(?i){word}", line)]


@given(st.lists(st.text(max_size=30), max_size=8))
def test_token_estimate_by_lines_adds_up_to_the_whole(lines):
    counter = LineTokens()
    assert counter.count(lines) == estimate_tokens("\n".join(lines))
    assert counter.count(lines) == estimate_tokens("\n".join(lines))  # from the memo the second time


def fenced_line_by_line(lines):
    """The plain fence scan: one line after another, open and close."""
    flags, fence = [], None
    for line in lines:
        match = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence is None:
            fence = match.group(1) if match else None
            flags.append(fence is not None)
            continue
        flags.append(True)
        if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = None
    return flags


@given(st.lists(st.sampled_from(["```", "````", "~~~", "~~~~", " ```py", "``` x", "# T", "## x #",
                                 "text", "   ### y", "    # no", ""]), max_size=14))
def test_fences_and_headings_come_out_the_same_from_the_marked_lines_alone(lines):
    fences = [i for i, line in enumerate(lines) if "```" in line or "~~~" in line]
    marked = [i for i, line in enumerate(lines) if "#" in line]
    assert in_code(lines, fences) == in_code(lines) == fenced_line_by_line(lines)
    assert headings(lines, 0, in_code(lines), marked) == headings(lines)


body_lines = st.lists(st.sampled_from(["```", "~~~", "# T", "## T", "## x #", "### y", "text",
                                       "", "---", "<!-- c -->", "# T"]), max_size=12)


@settings(max_examples=200)
@given(st.lists(st.tuples(body_lines, st.integers(0, 3)), min_size=1, max_size=5))
def test_headings_of_outputs_that_share_their_layout_are_those_of_each_alone(documents):
    shared = SharedWork(catalog=None)
    outputs = [Output(agent=None, file=TextFile(f"agents/{n}.md", None, "output", lines),
                      raw=None, body_start=min(start, len(lines)), shared=shared)
               for n, (lines, start) in enumerate(documents)]
    shared.outputs.extend(outputs)
    for output in outputs:
        assert output.body_headings == headings(output.lines, output.body_start)
    for one in outputs:  # equal layouts: one list, shared
        for other in outputs:
            if (one.lines, one.body_start) == (other.lines, other.body_start):
                assert one.body_headings is other.body_headings


@given(st.lists(st.text(alphabet="aB]( \u017f\u0131—", max_size=8), max_size=6),
       st.lists(st.tuples(st.lists(st.sampled_from(["](", "a", "b("]), max_size=2),
                          st.lists(st.sampled_from(["ab", "s", "i"]), max_size=2)), max_size=4))
def test_lines_for_several_needs_at_once_are_those_for_each_alone(lines, needs):
    search = LineSearch(lines)
    assert search.containing_each(needs) == [search.containing(*need) for need in needs]


def test_empty_sections_are_found_with_blank_lines_remembered_across_outputs():
    shared = SharedWork(catalog=None)
    blank: dict[str, bool] = {}
    documents = [["# A", "", "text", "# B", "", "<!-- c -->"], ["# A", "", "---", "# B", "x"]]
    shared.outputs.extend(Output(agent=None, file=TextFile("a.md", None, "output", lines),
                                 raw=None, body_start=0, shared=shared) for lines in documents)
    found = [[f.line for f in structure._empty(output, output.body_headings, blank)]
             for output in shared.outputs]
    assert found == [[4], [1]]
    assert blank == {"": True, "text": False, "<!-- c -->": True, "---": True, "x": False}


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["---", "--- ", "", "a: b", "---x", "x---", "-"]), max_size=7))
def test_frontmatter_header_from_the_lines_is_the_one_split_from_the_text(lines):
    assert header_of(lines) == split_frontmatter("\n".join(lines)).header
