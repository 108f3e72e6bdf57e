"""Adopting hand edits back into sources, refusing what cannot be adopted, losing nothing."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.sources.toml import TomlDocument
from assembler.provenance.tomledit import TomlEditError, replace_string
from .provenance_support import copy_catalog, snapshot_files

BASELINE_LINE = ("- **Invent nothing.** No made-up citations, versions, prices or metrics. "
                 "Anything you have not checked yourself is marked unverified.")


@pytest.fixture()
def run(cli):
    """``assembler ARGS --root ROOT`` through the shared, exception-raising runner."""
    return lambda root, *args: cli(*args, "--root", root)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


def edit(root: Path, output: str, old: str, new: str) -> bytes:
    path = root / output
    text = path.read_text()
    assert text.count(old) == 1, old
    data = text.replace(old, new).encode()
    path.write_bytes(data)
    return data


def sources(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot_files(root).items() if not k.startswith("agents/")}


def test_edit_inside_a_block_is_adopted_and_reaches_every_agent_using_it(root, run):
    new_line = BASELINE_LINE.replace("Invent nothing.", "Invent nothing, ever.")
    edited = edit(root, "agents/validator.md", BASELINE_LINE, new_line)
    before = snapshot_files(root)
    result = run(root, "adopt", "agents/validator.md")
    assert result.exit_code == 0, result.stderr
    assert "adopted into _blocks/baseline.md:14 (block `baseline`)" in result.stdout
    block = (root / "_blocks/baseline.md").read_text().splitlines()
    assert block[13] == new_line
    # only that one line of the block changed
    assert before["_blocks/baseline.md"].decode().replace(BASELINE_LINE, new_line) \
        == (root / "_blocks/baseline.md").read_text()
    # the edited file was kept, and the command said where
    recovered = next((root / ".assembler" / "recovered").rglob("*.md"))
    assert recovered.read_bytes() == edited
    assert recovered.relative_to(root).as_posix() in result.stdout
    # the rebuild is clean and every agent using the block now has the new line
    check = run(root, "check")
    assert check.exit_code == 0, check.stdout
    for path in sorted((root / "agents").rglob("*.md")):
        text = path.read_text()
        assert new_line in text and BASELINE_LINE not in text
        rel = path.relative_to(root).as_posix()
        assert before[rel] != path.read_bytes()
        assert f"updated {rel}" in result.stdout


DOMAIN_SCOPE_LINE = resources.files("assembler").joinpath("layouts/agent.md.j2") \
    .read_text("utf-8").split("\n").index("# DOMAIN SCOPE") + 1
REFUSED = [
    pytest.param("validator",
                 "A report missing a field is sent back unread.\n\n# BASELINE — working rules",
                 "A report missing a field is returned.\n# BASELINE RULES",
                 ["spans 3 sources", "_blocks/policy/report-format.md:22", "_blocks/baseline.md:4"],
                 id="across-two-blocks-and-layout"),
    pytest.param("validator", "# DOMAIN SCOPE", "# SCOPE",
                 [f"falls in layout text (<assembler>/layouts/agent.md.j2:{DOMAIN_SCOPE_LINE})",
                  "_templates/agent.md.j2"], id="layout-text"),
    pytest.param("validator", "Project memory lives in `notes/memory/`.",
                 "Project memory lives in `memory/`.",
                 ["_blocks/memory-protocol.md:6, a template line", "{{ vars.memory_dir }}"],
                 id="template-line"),
    pytest.param("validator", 'description: "', 'description: oops "',
                 ["cannot be turned back into `description`"], id="frontmatter-not-yaml"),
    pytest.param("gpu-job-runner", "- **validator** — actual costs", "- **validator** — real costs",
                 ["appears 2 times"], id="one-copy-of-a-value-shown-twice"),
    pytest.param("validator", "=== VALIDATOR REPORT ===", "=== CHECKER REPORT ===",
                 ["derived from `name`"], id="derived-title"),
]


@pytest.mark.parametrize("agent, old, new, messages", REFUSED)
def test_refused_edits_change_nothing(root, agent, old, new, messages, run):
    edit(root, f"agents/{agent}.md", old, new)
    before = snapshot_files(root)
    result = run(root, "adopt", f"agents/{agent}.md")
    assert result.exit_code == 1
    for message in messages:
        assert message in result.stderr
    assert "left as it is" in result.stderr
    assert snapshot_files(root) == before


def test_manifest_values_are_rewritten_in_place(root, run):
    manifest = root / "_manifests/gpu-job-runner.toml"
    original = manifest.read_text()
    edit(root, "agents/gpu-job-runner.md",
         "- Retry settings without an upper bound\n",
         "- Retry settings without an upper \"bound\"\n")
    edit(root, "agents/gpu-job-runner.md",
         "Every launch you make can be repeated from your report alone",
         "Every launch can be repeated from your report alone")
    result = run(root, "adopt", "agents/gpu-job-runner.md")
    assert result.exit_code == 0, result.stderr
    assert "manifest field `forbidden_domain[8]`" in result.stdout
    assert "manifest field `role`" in result.stdout
    text = manifest.read_text()
    expected = original.replace('"Retry settings without an upper bound"',
                                '"Retry settings without an upper \\"bound\\""') \
        .replace("Every launch you make can", "Every launch can")
    assert text == expected
    assert run(root, "check").exit_code == 0


@pytest.mark.parametrize("agent, old, new", [
    ("validator", 'description: "', 'description: "Carefully. '),  # quoted YAML
    ("training-reviewer", "description: ", "description: Carefully. "),  # plain YAML
])
def test_frontmatter_description_is_adopted_through_yaml(root, agent, old, new, run):
    manifest = root / f"_manifests/{agent}.toml"
    before = tomllib.loads(manifest.read_text())["description"]
    edit(root, f"agents/{agent}.md", old, new)
    result = run(root, "adopt", f"agents/{agent}.md")
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads(manifest.read_text())["description"] == "Carefully. " + before
    assert run(root, "check").exit_code == 0


def test_lines_added_at_the_end_of_a_block_go_into_the_block(root, run):
    edit(root, "agents/retro-writer.md", "A report missing a field is sent back unread.\n",
         "A report missing a field is sent back unread.\nReports are read top to bottom.\n")
    result = run(root, "adopt", "agents/retro-writer.md")
    assert result.exit_code == 0, result.stderr
    assert (root / "_blocks/policy/report-format.md").read_text().endswith(
        "A report missing a field is sent back unread.\nReports are read top to bottom.\n")
    assert run(root, "check").exit_code == 0


def test_a_file_rendered_from_older_sources_is_not_adopted(root, run):
    edit(root, "agents/validator.md", BASELINE_LINE, BASELINE_LINE + " Really.")
    block = root / "_blocks/evidence-grading.md"
    block.write_text(block.read_text().replace("# EVIDENCE GRADING", "# EVIDENCE GRADES"))
    before = snapshot_files(root)
    result = run(root, "adopt", "agents/validator.md")
    assert result.exit_code == 1
    assert "sources changed since this file was generated" in result.stderr
    assert snapshot_files(root) == before


@pytest.mark.parametrize("change, expected", [
    (None, "matches a fresh render"),
    ("stale", "was not edited by hand"),
])
def test_nothing_to_adopt(root, change, expected, run):
    if change == "stale":
        block = root / "_blocks/baseline.md"
        block.write_text(block.read_text().replace("# BASELINE", "# BASE"))
    result = run(root, "adopt", "agents/validator.md")
    assert result.exit_code == 0
    assert expected in result.stdout


def test_check_diff_names_the_source_of_each_hunk(root, run):
    edit(root, "agents/validator.md", BASELINE_LINE, BASELINE_LINE.replace("nothing", "none"))
    result = run(root, "check", "--diff")
    assert result.exit_code == 1
    header = next(line for line in result.stdout.splitlines() if line.startswith("@@"))
    assert header.endswith("@@ _blocks/baseline.md:14 (block `baseline`): touches 7 agents (28 files)")


def test_check_diff_counts_the_agents_of_a_manifest_value(root, run):
    edit(root, "agents/validator.md", "# FORBIDDEN\n\n- ", "# FORBIDDEN\n\n- Never ")
    result = run(root, "check", "--diff")
    header = next(line for line in result.stdout.splitlines() if line.startswith("@@"))
    assert "(manifest field `forbidden_domain[0]`): touches 1 agent (4 files)" in header


# -- rewriting one TOML value -----------------------------------------------------------------
DOC = '''# a comment that must survive
name = "x"  # trailing comment
items = [
  "first",
  'second',
]
text = """
line one
line two
"""

[table]
key = "value"
'''


def _document(text: str) -> TomlDocument:
    return TomlDocument("doc.toml", tomllib.loads(text), text)


def test_replace_string_touches_only_the_literal():
    text = replace_string(_document(DOC), ("items", 1), "2nd")
    assert text == DOC.replace("'second'", '"2nd"')
    text = replace_string(_document(DOC), ("text",), "only line\n")
    assert text == DOC.replace("line one\nline two\n", "only line\n")
    text = replace_string(_document(DOC), ("table", "key"), 'with "quotes"')
    assert tomllib.loads(text)["table"]["key"] == 'with "quotes"'
    assert text.startswith("# a comment that must survive\nname = \"x\"  # trailing comment\n")


def test_replace_string_refuses_what_it_cannot_find():
    with pytest.raises(TomlEditError):
        replace_string(_document(DOC), ("missing",), "x")


@settings(max_examples=150, deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
       key=st.sampled_from([("name",), ("items", 0), ("text",), ("table", "key")]))
def test_replace_string_round_trips_any_text(value, key):
    text = replace_string(_document(DOC), key, value)
    data = tomllib.loads(text)
    target = data
    for part in key[:-1]:
        target = target[part]
    assert target[key[-1]] == value
    assert text.startswith("# a comment that must survive\n")


def test_check_diff_falls_back_to_plain_diffs_when_tracing_fails(root, monkeypatch, run):
    import assembler.provenance.explain as provenance

    def broken(*args, **kwargs):
        raise AssertionError("tracing bug")

    monkeypatch.setattr(provenance, "TracingRenderer", broken)
    edit(root, "agents/validator.md", BASELINE_LINE, BASELINE_LINE.replace("nothing", "none"))
    result = run(root, "check", "--diff")
    assert result.exit_code == 1
    assert "\n@@ -76,7 +76,7 @@\n" in result.stdout


FIDELITY = '''
newline = "crlf"
final_newlines = 2

[frontmatter]
color = "blue"

[text]
note = """
## Local note

This agent keeps its own paragraph.
"""
'''


def test_fidelity_settings_are_traced_and_own_text_is_adopted(root, run):
    from assembler.sources.catalog import load_catalog
    from assembler.provenance.explain import trace_catalog
    from assembler.compose.render import Renderer
    from assembler.outputs.render import render_agents

    manifest = root / "_manifests/validator.toml"
    text = manifest.read_text().replace('blocks = ["', 'blocks = ["@note", "', 1)
    head, _, tail = text.partition("\n[[handoff]]")
    manifest.write_text(head + FIDELITY + "\n[[handoff]]" + tail)
    assert run(root, "build").exit_code == 0
    catalog = load_catalog(root)
    trace = trace_catalog(catalog)
    plain = {item.path: item.data for item in render_agents(Renderer(catalog), list(catalog.agents))}
    assert {path: item.data for path, item in trace.rendered.items()} == plain
    smap = trace.maps["agents/validator.md"]
    origins = {line.text: line.origin for line in smap.lines}
    assert origins["This agent keeps its own paragraph."].field == "text.note"
    assert origins["color: blue"].field == "frontmatter.color"
    data = (root / "agents/validator.md").read_bytes()
    assert data.endswith(b"\r\n\r\n")
    (root / "agents/validator.md").write_bytes(
        data.replace(b"keeps its own paragraph.", b"keeps its very own paragraph."))
    result = run(root, "adopt", "agents/validator.md")
    assert result.exit_code == 0, result.stderr
    assert "manifest field `text.note`" in result.stdout
    assert "This agent keeps its very own paragraph." in manifest.read_text()
    assert run(root, "check").exit_code == 0
