"""Rewriting one TOML string in generated manifests: that literal changes, no other byte does."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.provenance.tomledit import TomlEditError, replace_string, string_literal
from assembler.sources.toml import TomlDocument, value_span

# Pieces that make string escaping hard, mixed with arbitrary text.
TRICKY = ['"', "'", '"""', "'''", '""', "\\", "\\n", "\n", "\t", "\r", " ", "#", "=", "[", "]",
          "{", "}", ",", "é", "\u2028", "🙂", "\x7f", "\x01", "\U0010fffd", "x"]
TEXT = st.lists(st.sampled_from(TRICKY) | st.text(st.characters(blacklist_categories=("Cs",)),
                                                   max_size=6), max_size=8).map("".join)


@st.composite
def literals(draw) -> str:
    """A TOML string literal in one of the four styles, sometimes with escapes or a line continuation."""
    value = draw(TEXT)
    style = draw(st.sampled_from(["basic", "literal", "multi-basic", "multi-literal", "escaped",
                                  "continued", "quotes-at-end"]))
    if style == "literal" and not any(ch in value for ch in "'\n\r\x7f") \
            and all(ch >= " " or ch == "\t" for ch in value):
        return f"'{value}'"
    if style == "multi-literal" and "'''" not in value \
            and "\r" not in value and all(ch >= " " or ch in "\t\n" for ch in value) \
            and "\x7f" not in value:
        return f"'''{draw(st.sampled_from(['', chr(10)]))}{value}'''"
    if style == "multi-basic":
        literal = string_literal(value, True)
        return literal if draw(st.booleans()) or value.startswith("\n") else '"""' + literal[4:]
    if style == "escaped":
        return '"\\u00e9\\t\\"' + tomli_w.dumps({"v": value})[5:].rstrip("\n")
    if style == "continued":
        return '"""\nfirst \\\n   second ' + string_literal(value, True)[4:]
    if style == "quotes-at-end":
        return '"""x""' + '"""'
    return tomli_w.dumps({"v": value})[4:].rstrip("\n")


@dataclass
class Manifest:
    prefix: tuple = ()
    parts: list[str] = field(default_factory=list)
    strings: list[tuple[tuple, int, int]] = field(default_factory=list)  # loc, start, end

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def literal(self, loc: tuple, literal: str) -> None:
        start = len(self.text)
        self.add(literal)
        self.strings.append((loc, start, start + len(literal)))


@st.composite
def manifests(draw) -> Manifest:
    """Top-level keys, tables and arrays of tables, holding strings, arrays and inline tables."""
    prefix = draw(st.sampled_from([(), ("tool", "assembler")]))
    manifest = Manifest(prefix)
    if prefix:
        manifest.add('[project]\nname = "x"  # kept\n\n[tool.assembler]\n')
    comment = st.sampled_from(["", "  # note", ' # "quoted" \'\'\' #'])
    aot = 0
    for number in range(draw(st.integers(0, 3)) + 1):
        if number == 0:
            table: tuple = ()
        elif draw(st.booleans()):
            table = (f"t{number}",)
            manifest.add(f"\n[{'.'.join(prefix + table)}]{draw(comment)}\n")
        else:
            table = ("h", aot)
            aot += 1
            manifest.add(f"\n[[{'.'.join(prefix + ('h',))}]]\n")
        for index in range(draw(st.integers(0, 3))):
            key = f"k{index}"
            kind = draw(st.sampled_from(["string", "string", "array", "inline", "number"]))
            manifest.add(f"{key} = ")
            if kind == "string":
                manifest.literal(table + (key,), draw(literals()))
            elif kind == "number":
                manifest.add("42")
            elif kind == "inline":
                manifest.add("{ a = ")
                manifest.literal(table + (key, "a"), draw(literals().filter(lambda s: "\n" not in s)))
                manifest.add(", b = 1 }")
            else:
                spread = draw(st.booleans())
                manifest.add("[" + ("\n" if spread else ""))
                for item in range(draw(st.integers(0, 3))):
                    manifest.add("  " if spread else " ")
                    manifest.literal(table + (key, item), draw(literals()))
                    manifest.add("," + (draw(comment) + "\n" if spread else ""))
                manifest.add("]")
            manifest.add(f"{draw(comment)}\n")
    return manifest


def _document(manifest: Manifest) -> TomlDocument:
    text = manifest.text
    return TomlDocument("doc.toml", tomllib.loads(text), text, manifest.prefix)


def _set(data: dict, path: tuple, value: str) -> dict:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@settings(max_examples=200, deadline=None)
@given(manifest=manifests(), value=TEXT, data=st.data())
def test_replace_string_changes_that_literal_and_nothing_else(manifest, value, data):
    document = _document(manifest)
    if not manifest.strings:
        return
    loc, start, end = data.draw(st.sampled_from(manifest.strings))
    old = document.text[start:end]
    text = replace_string(document, loc, value)
    multiline = old.startswith(('"""', "'''")) or "\n" in value
    new = string_literal(value, multiline)
    assert text == document.text[:start] + new + document.text[end:]
    assert tomllib.loads(text) == _set(document.data, manifest.prefix + loc, value)


@settings(max_examples=100, deadline=None)
@given(manifest=manifests())
def test_value_span_is_the_literal(manifest):
    document = _document(manifest)
    for loc, start, end in manifest.strings:
        assert value_span(document, loc) == (start, end)


def test_replace_string_in_a_pyproject_table():
    text = ('[project]\nname = "x"\n\n[tool.assembler]  # ours\nlayout = "a"  # kept\n'
            '\n[[tool.assembler.h]]\ntrigger = """\nold\n"""\n')
    document = TomlDocument("pyproject.toml", tomllib.loads(text), text, ("tool", "assembler"))
    assert replace_string(document, ("layout",), "b") == text.replace('"a"', '"b"')
    assert replace_string(document, ("h", 0, "trigger"), "new") == text.replace("old\n", "new")
    for missing in [("name",), ("h", 1, "trigger"), ("layout", "deeper")]:
        try:
            replace_string(document, missing, "x")
        except TomlEditError:
            continue
        raise AssertionError(f"{missing} was rewritten")


def test_replace_string_in_arrays_of_tables_split_by_another_table():
    text = '[[handoff]]\ntarget = "a"  # first\n\n[references]\nextra = []\n\n[[handoff]]\ntarget = "b"\n'
    document = TomlDocument("m.toml", tomllib.loads(text), text)
    assert replace_string(document, ("handoff", 1, "target"), "c") == text.replace('"b"', '"c"')
    assert replace_string(document, ("handoff", 0, "target"), "d") == text.replace('"a"', '"d"')


def test_only_a_rewrite_imports_tomlkit():
    code = ("import sys, tomllib; from assembler.provenance import tomledit, sourcemap\n"
            "from assembler.sources.toml import TomlDocument\n"
            "assert 'tomlkit' not in sys.modules\n"
            "text = 'a = \"b\"\\n'\n"
            "tomledit.replace_string(TomlDocument('x', tomllib.loads(text), text), ('a',), 'c')\n"
            "assert 'tomlkit' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
