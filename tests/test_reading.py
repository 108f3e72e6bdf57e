"""Reading agent files back the way their tools read them (``Target.read``), and pinned
header entries written back as they are."""

from __future__ import annotations

import pytest

from assembler.outputs.render import assemble
from assembler.targets.reading import (
    NotAnAgent, Unsupported, claude_requote, cut_entries, read_codex, read_markdown,
)
from assembler.targets.registry import REGISTRY

from .conftest import write_tree


def claude(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return REGISTRY["claude-code"].read(data, "agent")


def test_claude_reads_a_plain_file_as_written():
    text = claude("---\nname: a\ndescription: Does a.\ntools: Read, Grep\n---\n\nBody.\n")
    assert text.values == {"name": "a", "description": "Does a.", "tools": "Read, Grep"}
    assert [e.key for e in text.entries] == ["name", "description", "tools"]
    assert (text.lead, text.body, text.changes) == ("", "\nBody.\n", [])
    assert text.expected() == b"---\nname: a\ndescription: Does a.\ntools: Read, Grep\n---\n\nBody.\n"


def test_claude_yaml_is_1_2_and_comments_cut_plain_values():
    text = claude("---\nname: a\ndescription: yes\nmodel: on\ncolor: red # soon blue\n---\n")
    assert text.values == {"name": "a", "description": "yes", "model": "on", "color": "red"}


def test_claude_quotes_plain_values_only_when_yaml_fails():
    header = "name: a\ndescription: Ships: fast\ntools: [Read, Grep]\nnote: 'kept'\n"
    assert claude_requote(header) == ('name: a\ndescription: "Ships: fast"\ntools: [Read, Grep]\n'
                                      "note: 'kept'\n")
    assert claude_requote("a: x: y\r\n") == "a: x: y\r\n"  # CRLF lines never match
    assert claude_requote("m:\n\tk: v\n") == "m:\n  k: v\n"
    text = claude("---\nname: a\ndescription: Ships: fast\n---\n\nBody.\n")
    assert text.values["description"] == "Ships: fast"
    [change] = text.changes
    assert (change.line, change.what) == (3, "the value of `description` put in double quotes")


@pytest.mark.parametrize("text, reason, line", [
    ("# Title\n", "no frontmatter (it opens with `# Title`)", 1),
    ("\n---\nname: a\ndescription: d\n---\n", "a blank line comes before the opening `---`", 2),
    (" ---\nname: a\n ---\n", "the opening `---` is indented", 1),
    ("---\ndescription: d\n---\n", "the frontmatter has no `name`", 2),
    ("---\nname: a\n---\n", "the frontmatter has no `description`", 2),
    ("---\nname: -a\ndescription: d\n---\n", "Claude Code refuses the name '-a'", 2),
    ("---\nname: a\ndescription: d: e\n<example>\n---\n", "Claude Code cannot read the frontmatter", 3),
    ("---\r\nname: a\r\ndescription: d: e\r\n---\r\n", "Claude Code cannot read the frontmatter", 3),
])
def test_claude_does_not_load_these(text, reason, line):
    with pytest.raises(NotAnAgent) as caught:
        claude(text)
    assert str(caught.value).startswith(reason) and caught.value.line == line


def test_claude_loads_but_the_catalog_cannot_hold_these():
    with pytest.raises(Unsupported, match="not valid UTF-8"):
        claude(b"---\nname: a\ndescription: \xe9\n---\n")
    with pytest.raises(Unsupported, match="inside line 3"):
        claude("---\nname: a\ndescription: x --- y\n---\n")


def test_what_the_catalog_changes_is_said_line_by_line():
    text = claude(b"\xef\xbb\xbf---  \nname: a\ndescription: d\n" + b"-" * 10 + b"\n\nBody.\n")
    assert [(c.line, c.what) for c in text.changes] == [
        (1, "byte-order mark removed"),
        (1, "spaces after the opening `---` removed"),
        (4, "the closing fence of 10 dashes is written `---` and a line of the other 7"),
    ]
    assert text.expected() == b"---\nname: a\ndescription: d\n---\n-------\n\nBody.\n"


def test_entries_keep_their_lines_and_a_repeated_key_stays_in_place():
    lead, entries = cut_entries("# c\nname: a\nuser: x\n  more\nuser: y\n", 2)
    assert lead == "# c\n"
    assert [(e.key, e.text, e.line) for e in entries] == [
        ("name", "name: a\n", 3), ("user", "user: x\n  more\nuser: y\n", 4)]


def test_plain_markdown_tools_name_an_agent_after_its_file():
    text = REGISTRY["copilot"].read(b"---\ndescription: d\n---\n\nBody.\n", "helper")
    assert text.values["name"] == "helper"
    assert text.expected() == b"---\nname: helper\ndescription: d\n---\n\nBody.\n"
    with pytest.raises(Unsupported, match="not valid YAML"):
        read_markdown(b"---\nname: a\ndescription: d: e\n---\n", "a", "Cursor")


def test_codex_reads_toml_and_its_instructions():
    data = (b'# lead\nname = "a"\ndescription = "d"\n\ndeveloper_instructions = """\nSay "hi".\n"""\n'
            b'\n[mcp_servers.s]\ncommand = "s"\n')
    text = read_codex(data, "a")
    assert (text.lead, text.body, text.raw_body) == ("# lead\n", 'Say "hi".\n', 'Say "hi".\n')
    assert [e.key for e in text.entries] == ["name", "description", "developer_instructions"]
    assert text.expected() == data
    with pytest.raises(NotAnAgent, match="`developer_instructions` is missing"):
        read_codex(b'name = "a"\ndescription = "d"\n', "a")
    with pytest.raises(Unsupported, match="escapes the catalog writes differently"):
        read_codex(b'name = "a"\ndescription = "d"\ndeveloper_instructions = """\nline \\\n  joined\n"""\n', "a")


def test_pinned_entries_are_written_as_they_are(tmp_path):
    root = write_tree(tmp_path, {
        "assembler.toml": 'targets = ["copilot", "codex"]\n',
        "_manifests/a.toml": """name = "a"
description = "Does a."
body = "\\nBody.\\n"

[targets.copilot]
pinned_lead = "\\n"

[targets.copilot.pinned]
description = "'Does a.'"
tools = "['read']"

[targets.codex.pinned]
name = "'a'"
developer_instructions = '''
\"\"\"
\"\"\"
# after'''
description = '"Does a."'
""",
    })
    _, files = assemble(root, root)
    by_target = {item.target: item.data.decode() for item in files}
    assert by_target["copilot"].startswith("---\n\nname: a\ndescription: 'Does a.'\ntools: ['read']\n---\n")
    codex = by_target["codex"].split("\n", 1)[1]
    assert codex == "name = 'a'\ndeveloper_instructions = \"\"\"\nBody.\n\"\"\"\n# after\n" \
                    "description = \"Does a.\"\n"
