"""Invariants over generated catalogs: build then check is clean, renders are
reproducible, frontmatter always parses back to the manifest's values, under
YAML 1.1 (PyYAML) and YAML 1.2 (ruamel.yaml) alike."""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from pathlib import Path
from unittest.mock import patch

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from assembler import build_catalog, compare, load_catalog, render_catalog
from assembler.outputs.banner import read_banner
from assembler.sources.fidelity import STANDARD_KEYS
from assembler.sources import yaml as yaml_module
from assembler.sources.yaml import (FrontmatterError, load_yaml, parse_yaml_mapping, split_frontmatter,
                                   yaml_lines, yaml_scalar)

from .conftest import REPO

# YAML 1.2 (ruamel's default), in the pure-Python implementation whatever else is installed.
YAML12 = YAML(typ="safe", pure=True)


def load_both(text: str):
    """``text`` read by PyYAML (YAML 1.1) and by ruamel.yaml (YAML 1.2)."""
    return yaml.safe_load(text), YAML12.load(text)


# Printable text without Jinja2 delimiters and without bare carriage returns.
safe_chars = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters="{}%\r"
)
line = st.text(safe_chars, min_size=1, max_size=40).filter(lambda s: s.strip())
paragraph = st.lists(line, min_size=1, max_size=4).map("\n".join)
slug = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)


@st.composite
def catalogs(draw) -> dict[str, str]:
    names = draw(st.lists(slug, min_size=1, max_size=4, unique=True))
    blocks = draw(st.lists(slug, min_size=1, max_size=3, unique=True))
    files: dict[str, str] = {"assembler.toml": tomli_w.dumps({
        "required_blocks": [blocks[0]],
        "vars": {"team": draw(line)},
        "layout": {"report_fields": draw(st.lists(line, max_size=2)),
                   "references": draw(st.lists(line, max_size=2))},
    })}
    for index, block in enumerate(blocks):
        body = draw(paragraph)
        if index == 0:
            body += "\nOwned by {{ vars.team }} for {{ agent.name }}."
        files[f"_blocks/{block}.md"] = f"# {block.upper()}\n\n{body}\n"
    files["_roles/base.toml"] = tomli_w.dumps({"blocks": blocks[-1:], "preamble": draw(line)})
    for name in names:
        manifest = {
            "name": name,
            "description": draw(paragraph),
            "tools": draw(st.lists(st.sampled_from(["Read", "Edit", "Bash", "Grep"]), unique=True)),
            "role": draw(paragraph),
            "blocks": [blocks[0], *draw(st.lists(st.sampled_from(blocks[1:] or blocks), max_size=2, unique=True))],
            "domain_in": draw(st.lists(line, max_size=3)),
            "forbidden_domain": draw(st.lists(line, max_size=3)),
            "handoff": [{"target": t, "trigger": draw(line)}
                        for t in draw(st.lists(st.sampled_from(names), max_size=2, unique=True))],
            "output_extra_fields": draw(st.lists(line, max_size=2)),
        }
        if draw(st.booleans()):
            manifest["model"] = draw(st.sampled_from(["sonnet", "opus", "haiku", "inherit"]))
        if draw(st.booleans()):
            manifest["substrate_role"] = "base"
        files[f"_manifests/{name}.toml"] = tomli_w.dumps(manifest)
    return files


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_build_then_check_is_clean_and_renders_are_reproducible(files):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, files)
        catalog = load_catalog(root)
        first = build_catalog(catalog)
        assert not first.refused
        rendered = render_catalog(catalog)
        assert all(state.kind == "clean" for state in compare(catalog, rendered))
        again = render_catalog(load_catalog(root))
        assert [r.data for r in again] == [r.data for r in rendered]
        assert not build_catalog(catalog).changed
        for item in rendered:
            text = item.data.decode()
            assert text.endswith("\n") and not text.endswith("\n\n") and "\r" not in text
            header = yaml.safe_load(text[4 : text.index("\n---\n")])
            manifest = item.agent.manifest
            assert header["name"] == manifest.name
            assert header["description"] == manifest.description.strip()
            assert header.get("tools", "") == ", ".join(manifest.tools)
            assert read_banner(item.data).intact


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_yaml_scalar_round_trips(value):
    for loaded in load_both(f"key: {yaml_scalar(value)}\n"):
        assert loaded == {"key": value}
        assert type(loaded["key"]) is str


@pytest.mark.parametrize("value", [
    "yes", "No", "on", "null", "~", "true", "1.0", "0x1F", "2026-01-01", "12:30",
    "a: b", "ends with:", "x #comment", " leading", "trailing ", "- item", "[list]",
    "{map}", "*alias", "&anchor", "!tag", "|", ">", "'quoted'", '"double"', "%directive",
    "@at", "`tick", "line\nbreak", "tab\there", "", ".inf",
    # read as numbers, booleans or null by YAML 1.2 (some only by 1.2)
    "0o17", "1e3", "1E-2", "+1", "-0", ".5", "0b101", "1_000", "-.inf", ".NaN", "Null", "NULL",
    "True", "FALSE", "=", "<<", "?", "? x", "a: ", "\ufeffbom", "nel\x85", "\u2028",
])
def test_yaml_scalar_quotes_what_yaml_would_misread(value):
    scalar = yaml_scalar(value)
    assert scalar.startswith('"')
    for loaded in load_both(f"key: {scalar}\n"):
        assert loaded == {"key": value}


@pytest.mark.parametrize("value", [
    "Runs paid jobs. Use for any launch, retry or inspection.",
    "Glob, Grep, Read, Edit",
    "sonnet",
    "code-implementer",
    "(beta) reviews things — carefully",
])
def test_yaml_scalar_leaves_plain_text_plain(value):
    assert yaml_scalar(value) == value
    assert load_both(f"key: {value}\n") == ({"key": value}, {"key": value})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STANDARD_KEYS), st.text()),  # the keys it is given
                min_size=1, max_size=4, unique_by=lambda field: field[0]))
def test_frontmatter_lines_read_the_same_under_yaml_1_1_and_1_2(fields):
    pyyaml, ruamel = load_both(yaml_lines(fields))
    assert pyyaml == ruamel == dict(fields)


AGENT_FILES = sorted((REPO / "agents").rglob("*.md"))


@pytest.mark.parametrize("path", AGENT_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_example_agent_frontmatter_parses_the_same_under_pyyaml_and_ruamel(path):
    header = split_frontmatter(path.read_text("utf-8")).header
    assert header is not None
    pyyaml, ruamel = load_both(header)
    assert pyyaml == ruamel
    assert {"name", "description"} <= set(pyyaml)
    assert pyyaml["name"] == path.stem
    assert all(type(value) is str for value in ruamel.values())




YAML_PIECES = [*"ab:- #'\"[]{},\n\t!&*?|>%@`~.0\\", "\r", "\x85", "\u2028", "\ufeff", "é", ": ",
               "key: ", "\n- ", "\n  ", "---\n", "null", "yes", "12:30", "<<"]


def read(load, text: str):
    try:
        return "value", repr(load(text))
    except yaml.YAMLError as exc:  # the message names the problem and its position
        return "error", str(exc)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=30).map("".join))
def test_the_yaml_loader_reads_what_safe_load_reads(text):
    assert read(load_yaml, text) == read(yaml.safe_load, text)


def read_mapping(text: str, pure_python: bool):
    """What parse_yaml_mapping makes of ``text``: the mapping, or the error and its position."""
    fast, slow = yaml_module._unique_key_loaders()
    try:
        with patch.object(yaml_module, "_unique_key_loaders", lambda: (None, slow)) \
                if pure_python else nullcontext():
            return "value", repr(parse_yaml_mapping(text))
    except FrontmatterError as exc:
        return "error", str(exc), exc.line, exc.column


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([*YAML_PIECES, "\nkey: ", "\nb: "]), max_size=30).map("".join))
def test_frontmatter_reads_as_the_pure_python_parser_reads_it(text):
    assert read_mapping(text, pure_python=False) == read_mapping(text, pure_python=True)


HEADER_KEYS = st.one_of(slug, st.sampled_from(["yes", "on", "null", "y", "1", "_x", "a b"]))
HEADER_VALUES = st.one_of(st.text(max_size=30), line, st.sampled_from(YAML_PIECES))


@st.composite
def plain_headers(draw) -> str:
    """Headers of ``key: value`` lines, most of them plain, some not."""
    lines = draw(st.lists(st.tuples(HEADER_KEYS, HEADER_VALUES), max_size=5))
    text = "".join(f"{key}: {value}\n" for key, value in lines)
    return draw(st.sampled_from([text, text.replace("\n", "\n\n", 1), text + "x: y\n"]))


@settings(max_examples=1000, deadline=None)
@given(plain_headers())
def test_a_header_read_without_pyyaml_reads_as_pyyaml_reads_it(text):
    plain = yaml_module._plain_mapping(text)
    if plain is not None:  # PyYAML's own parser, refusing a key given twice, and YAML 1.2
        assert (yaml.load(text, Loader=yaml_module._unique_key_loaders()[1]) or {}) == plain
        assert (YAML12.load(text) or {}) == plain


def test_block_headers_are_read_without_pyyaml():
    assert yaml_module._plain_mapping(yaml_lines([("description", "Rules — for every agent."),
                                                  ("title", "Baseline")])) is not None
    assert yaml_module._plain_mapping("description: yes\n") is None  # a boolean to YAML 1.1
    assert yaml_module._plain_mapping("a: b\na: c\n") is None  # PyYAML's error, with its line


def test_frontmatter_with_a_key_twice_is_refused_by_either_parser():
    for pure_python in (False, True):
        assert read_mapping("a: 1\nb: 2\na: 3\n", pure_python) == \
            ("error", "duplicate key `a` in the frontmatter", 3, 1)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_yaml_scalar_round_trips_through_the_yaml_loader(value):
    assert load_yaml(f"key: {yaml_scalar(value)}\n") == {"key": value}
