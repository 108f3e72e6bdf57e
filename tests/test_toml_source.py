"""Key positions in TOML text, used to point errors at the right line and column."""

from __future__ import annotations

import re
import time
import tomllib
from unittest.mock import patch

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.diagnostics import Diagnostics
from assembler.sources import toml as toml_module
from assembler.sources.toml import key_positions, parse_toml

TEXT = '''\
name = "x"   # comment
"quoted key" = 1
dotted.inner = 'lit'
role = """
line one
name = "not a key"
"""
blocks = [
  "a",  # first
  "b",
]
table = { inner = [1, 2], other = "y" }

[references]
extra = ["e"]

[[handoff]]
target = "t1"

[[handoff]]
target = "t2"
trigger = "go"
'''


def test_positions_of_keys_values_and_elements():
    positions = key_positions(TEXT)
    assert positions[("name",)] == (1, 1)
    assert positions[("quoted key",)] == (2, 1)
    assert positions[("dotted",)] == positions[("dotted", "inner")] == (3, 1)
    assert positions[("role",)] == (4, 1)
    assert positions[("blocks",)] == (8, 1)
    assert positions[("blocks", 0)] == (9, 3)
    assert positions[("blocks", 1)] == (10, 3)
    assert positions[("table", "inner", 1)] == (12, 23)
    assert positions[("table", "other")] == (12, 27)
    assert positions[("references",)] == (14, 1)
    assert positions[("references", "extra", 0)] == (15, 10)
    assert positions[("handoff", 0, "target")] == (18, 1)
    assert positions[("handoff", 1)] == (20, 1)
    assert positions[("handoff", 1, "trigger")] == (22, 1)
    # text inside a multi-line string is not mistaken for a key
    assert positions[("name",)] != (6, 1)


def test_locate_falls_back_to_the_nearest_known_prefix():
    document = parse_toml(TEXT, "x.toml", Diagnostics())
    assert document.locate(("handoff", 1, "missing")) == (20, 1)
    assert document.locate(("handoff", 0, "target"), value=True) == (18, 10)
    assert document.locate(("nowhere",)) == (1, 1)


def test_syntax_error_is_located():
    diagnostics = Diagnostics()
    assert parse_toml('a = 1\nb = [1,\n', "bad.toml", diagnostics) is None
    (error,) = diagnostics
    assert (error.path, error.line) == ("bad.toml", 3)
    assert error.message.startswith("invalid TOML:")


def test_string_contents_never_move_positions():
    text = ('a = "quote \\" and \\\\ then # not a comment"\n'
            "b = 'literal \\ with \" inside'  # comment with \"\"\" in it\n"
            'c = """\nline\\\n  continued \\""" still inside ""\n"""\n'
            "d = '''\n'' inside'''\n"
            'e = """ends with quotes"""""\n'
            "f = [ 1, # comment, ]\n  2 ]\n"
            "g = 1\n")
    positions = key_positions(text)
    assert [positions[(key,)] for key in "abcdefg"] == [
        (1, 1), (2, 1), (3, 1), (7, 1), (9, 1), (10, 1), (12, 1)]
    assert positions[("f", 1)] == (11, 3)
    assert tomllib.loads(text)["c"].endswith('still inside ""\n')


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
                       st.text(alphabet='ab"\'\\\n\t #=[]{}é', max_size=20), min_size=1, max_size=6),
       st.booleans())
def test_keys_are_found_after_any_string(values, multiline):
    """Each key sits at the line where its own `key = value` starts, whatever the values hold."""
    parts = [tomli_w.dumps({key: value}, multiline_strings=multiline) for key, value in values.items()]
    positions = key_positions("".join(parts))
    line = 1
    for (key, value), part in zip(values.items(), parts):
        assert positions[(key,)] == (line, 1)
        line += part.count("\n")


def general_positions(text: str):
    """key_positions by the character-by-character rules alone, without the one-match shapes."""
    never = re.compile(r"(?!)")
    with patch.object(toml_module, "_BARE_ASSIGN", never), \
            patch.object(toml_module, "_ARRAY_STRING", never):
        return key_positions(text)


_LEAF = st.one_of(st.text(alphabet='ab"\'\\\n\t #=[]{},é', max_size=12), st.integers(), st.booleans())
_KEY = st.text(alphabet="ab-_ .\"'#=", min_size=1, max_size=5)
_DOCUMENTS = st.recursive(
    st.dictionaries(_KEY, _LEAF, max_size=4),
    lambda inner: st.dictionaries(_KEY, st.one_of(_LEAF, inner, st.lists(_LEAF, max_size=4),
                                                  st.lists(inner, max_size=3)), max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS, st.booleans())
def test_common_lines_are_located_as_the_general_rules_locate_them(data, multiline):
    text = tomli_w.dumps(data, multiline_strings=multiline)
    assert key_positions(text) == general_positions(text)


def test_hand_written_layouts_are_located_as_the_general_rules_locate_them():
    for text in (TEXT, 'a = [ "x" , # c\n  \'y\',"z",\n]\nb = ["""m\n""", "n"]\n'
                       "c = [\"\", '', 1]\nd = { e = [\"f\"] }\n  g\t= 'h'\n"):
        assert key_positions(text) == general_positions(text)


def test_a_long_run_of_spaces_before_another_shape_is_stepped_over_at_once():
    text = "a" + " " * 60 + ".b = 1\nc = [" + " " * 60 + "1]\n"
    started = time.perf_counter()
    positions = key_positions(text)
    assert time.perf_counter() - started < 1
    assert positions[("a", "b")] == (1, 1) and positions[("c", 0)] == (2, 66)
