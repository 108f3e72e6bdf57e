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


# -- every target of the registry --------------------------------------------------------------
TARGETS = sorted(REGISTRY)


@pytest.mark.parametrize("name", TARGETS)
def test_every_target_reads_its_own_files_back_unchanged(tmp_path, name):
    """What each target writes, it reads back as written, seeing the manifest's description
    and the name the tool knows the agent by."""
    from .test_targets import catalog_for

    target = REGISTRY[name]
    assert target.imports
    catalog, files = assemble(catalog_for(tmp_path, name))
    assert files
    for item in files:
        folder = target.folder(catalog.settings)
        path = item.path[len(folder) + 1:-len(target.suffix)]
        text = target.read(item.data, path)
        assert text.expected() == item.data and text.changes == [], item.path
        assert text.values["description"] == item.agent.manifest.description.strip()
        named = {"opencode": path, "kiro": item.agent.id}.get(name, item.agent.manifest.name)
        assert text.values["name"] == named


HEADERS = {
    "claude-code": "---\nname: Helper.v2\ndescription: 'Helps: a lot'\ntools: Read, Grep\n"
                   "color: blue\n---\n",
    "copilot": "---\n# a note\ndescription: Helps.\ntools: ['read', 'search']\n---\n",
    "cursor": "---\nname: helper\ndescription: Helps.\nreadonly: true\n---\n",
    "gemini": "---\nname: helper\ndescription: Helps.\ntools:\n  - read_file\ntemperature: 0.2\n---\n",
    "qwen": "---\nname: helper\ndescription: Helps.\napprovalMode: plan\n---\n",
    "opencode": "---\ndescription: Helps.\npermission:\n  edit: deny\n---\n",
    "factory": "---\nname: helper\ndescription: Helps.\ntools: read-only\n---\n",
    "kiro": "---\ndescription: Helps.\ntools: [\"read\"]\n---\n",
    "antigravity": "---\nname: helper\ndescription: Helps.\nmodel: flash\n---\n",
}
CODEX = ('# a lead comment\nname = "helper"\ndescription = "Helps."\nmodel = "gpt-5"\n'
         "developer_instructions = '''\nYou help people with their work.\n'''\n")


@pytest.mark.parametrize("name", TARGETS)
def test_a_file_of_every_target_comes_back_from_its_pins(tmp_path, name):
    """A hand-written file of each tool, read, then pinned in a manifest as `assembler
    import` does: the catalog renders it back byte for byte (its banner aside), with no
    entry the target would add on its own."""
    import tomli_w

    from assembler.outputs.banner import strip_banner

    target = REGISTRY[name]
    data = (CODEX if name == "codex" else HEADERS[name] + "\nYou help people with their work.\n"
            ).encode()
    text = target.read(data, "helper")
    if name == "copilot":  # the name Copilot gives it is written in
        assert [c.what for c in text.changes] == ["`name: helper` added"]
    else:
        assert text.changes == [] and text.expected() == data
    table = {"pinned": {e.key: target.pin(e, text) for e in text.entries}}
    if text.lead:
        table["pinned_lead"] = text.lead
    manifest = {"name": "helper", "description": text.values["description"],
                "body": ("\n" + text.body) if name == "codex" else text.body,
                "targets": {name: table}}
    root = write_tree(tmp_path, {"assembler.toml": f'targets = ["{name}"]\n',
                                 "_manifests/helper.toml": tomli_w.dumps(manifest)})
    _, [item] = assemble(root, root)
    assert strip_banner(item.data, target.comment, blank=True) == text.expected()


@pytest.mark.parametrize("name, path, data, reason", [
    ("gemini", "team/helper", HEADERS["gemini"], "Gemini CLI reads only the top level"),
    ("gemini", "_draft", HEADERS["gemini"], "Gemini CLI skips files whose name starts with `_`"),
    ("gemini", "helper", "---\nname: helper\ndescription: d\ncolor: red\n---\n",
     "Gemini CLI refuses an agent file with a key it does not know (`color`)"),
    ("gemini", "helper", "---\nname: Helper\ndescription: d\n---\n",
     "Gemini CLI refuses the name 'Helper'"),
    ("qwen", "main", "---\nname: main\ndescription: d\n---\n\nLong enough prompt.\n",
     "Qwen Code refuses the reserved name 'main'"),
    ("qwen", "helper", "---\nname: helper\ndescription: d\n---\n\nShort.\n",
     "Qwen Code refuses a prompt under 10 characters"),
    ("qwen", "team/helper", HEADERS["qwen"], "Qwen Code reads only the top level"),
    ("factory", "helper", "---\nname: Helper.v2\ndescription: d\n---\n", "Droid refuses the name"),
    ("factory", "helper", "---\ndescription: d\n---\n", "the frontmatter has no `name`"),
    ("antigravity", "team/helper", HEADERS["antigravity"], "Antigravity reads only the top level"),
    ("cursor", "helper", "# Notes\n", "no frontmatter (it opens with `# Notes`)"),
    ("codex", "helper", 'name = "a"\ndescription = "d"\n', "`developer_instructions` is missing"),
])
def test_files_a_tool_does_not_load_are_not_agents(name, path, data, reason):
    with pytest.raises(NotAnAgent) as caught:
        REGISTRY[name].read(data.encode(), path)
    assert str(caught.value).startswith(reason)


def test_what_a_tool_loads_but_the_catalog_cannot_write_is_unsupported():
    with pytest.raises(Unsupported, match="writes Antigravity agents as `<name>.md`"):
        REGISTRY["antigravity"].read(HEADERS["antigravity"].encode(), "helper/agent")
    with pytest.raises(Unsupported, match="a remote agent"):
        REGISTRY["gemini"].read(b"---\nkind: remote\nname: r\ndescription: d\n---\n", "r")


def test_tools_that_know_an_agent_by_its_path_get_no_name_written():
    for name in ("opencode", "kiro"):
        text = REGISTRY[name].read(HEADERS[name].encode(), "team/helper")
        assert text.values["name"] == "team/helper" and text.changes == []
        assert [e.key for e in text.entries if e.key == "name"] == []
