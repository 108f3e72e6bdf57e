"""Fidelity settings in hand-written manifests: validated, rendered, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.outputs.write import build_catalog
from assembler.sources.catalog import load_catalog
from assembler.outputs.drift import compare
from assembler.diagnostics import CatalogError
from assembler.outputs.render import assemble


def catalog(tmp_path: Path, manifest: str, blocks: dict[str, str] | None = None) -> Path:
    (tmp_path / "_manifests").mkdir()
    (tmp_path / "_manifests/agent.toml").write_text(manifest)
    for name, text in (blocks or {}).items():
        (tmp_path / "_blocks").mkdir(exist_ok=True)
        (tmp_path / f"_blocks/{name}.md").write_text(text)
    return tmp_path


def errors(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(root, root)
    return [f"{d.line}:{d.column} {d.message}" for d in caught.value.diagnostics]


def rendered(root: Path) -> bytes:
    _, [item] = assemble(root, root)
    return item.data


HEAD = 'name = "agent"\ndescription = "Does things."\n'


def test_pinned_value_must_agree_with_the_field(tmp_path):
    root = catalog(tmp_path, HEAD + 'model = "opus"\n\n[frontmatter]\nmodel = "sonnet"\n')
    assert errors(root) == ["6:9 `frontmatter.model` says 'sonnet', but `model` is 'opus'"]


def test_pinned_frontmatter_keeps_order_and_text(tmp_path):
    root = catalog(tmp_path, HEAD + 'tools = ["Read"]\nblocks = ["@intro"]\n\n[frontmatter]\n'
                   'color = "blue"\ntools = "[Read]"\n\n[text]\nintro = "Hi."\n')
    text = rendered(root).decode()
    assert text.startswith("---\nname: agent\ndescription: Does things.\ncolor: blue\n"
                           "tools: [Read]\n---\n\n<!-- GENERATED")
    assert text.endswith("-->\n\nHi.\n")


def test_text_must_be_placed_and_placements_must_exist(tmp_path):
    root = catalog(tmp_path, HEAD + 'blocks = ["@missing"]\n\n[text]\nloose = "x"\n')
    assert errors(root) == [
        "3:11 `@missing` names no entry of this manifest's [text] table",
        "6:1 text `loose` is not placed: `blocks` and `footer` have no \"@loose\"",
    ]


def test_body_excludes_layout_fields(tmp_path):
    root = catalog(tmp_path, HEAD + 'role = "r"\nbody = "b"\n')
    assert errors(root) == ["3:1 `role` cannot be combined with `body`"]


def test_own_text_keeps_blank_lines_and_footer_comes_last(tmp_path):
    root = catalog(tmp_path, HEAD + 'role = "R"\nblocks = ["@a", "shared"]\nfooter = ["@z"]\n'
                   'forbidden_domain = ["x"]\n\n[text]\na = "A\\n"\nz = "Z"\n',
                   {"shared": "## Shared\n"})
    body = rendered(root).decode().split("-->\n", 1)[1]
    assert body == "\n# ROLE\n\nR\n\nA\n\n\n## Shared\n\n# FORBIDDEN\n\n- x\n\nZ\n"


def test_crlf_and_final_newlines_survive_check_and_build(tmp_path):
    root = catalog(tmp_path, HEAD + 'newline = "crlf"\nfinal_newlines = 0\nbody = "\\nLast line"\n')
    data = rendered(root)
    assert data.endswith(b"-->\r\n\r\nLast line") and b"\n" not in data.replace(b"\r\n", b"")
    loaded = load_catalog(root, root)
    assert build_catalog(loaded).created == ["agents/agent.md"]
    _, items = assemble(root, root)
    assert [state.kind for state in compare(loaded, items)] == ["clean"]
    (root / "agents/agent.md").write_bytes(data.replace(b"Last line", b"Last line!"))
    assert [state.kind for state in compare(loaded, items)] == ["edited"]


def test_verbatim_body_without_leading_blank_line(tmp_path):
    root = catalog(tmp_path, HEAD + 'body = "Text\\n"\n')
    assert rendered(root).decode().split("---\n", 2)[2].startswith("<!-- GENERATED")


# -- adopted files: another file name, own text in Markdown, fields read from the pins ----------
def test_filename_names_the_output_file(tmp_path):
    root = catalog(tmp_path, HEAD + 'filename = "Agent.v2"\n\n[frontmatter]\nname = "Agent.v2"\n')
    _, [item] = assemble(root, root)
    assert item.path == "agents/Agent.v2.md"
    assert item.data.decode().startswith("---\ndescription: Does things.\nname: Agent.v2\n---\n")
    build_catalog(load_catalog(root, root))
    assert (root / "agents/Agent.v2.md").is_file()
    assert all(state.kind == "clean" for state in compare(load_catalog(root, root), [item]))


def test_filename_must_name_a_file_and_no_two_agents_share_one(tmp_path):
    root = catalog(tmp_path, HEAD + 'filename = "../up"\n')
    assert errors(root) == ["3:12 `filename` '../up' cannot name a file"]
    (root / "_manifests/agent.toml").write_text(HEAD + 'filename = "other"\n')
    (root / "_manifests/other.toml").write_text('name = "other"\ndescription = "x"\n')
    assert errors(root) == ["3:12 `agent` and `other` render to the same file `other`"]


def test_body_and_texts_from_markdown_files_beside_the_manifest(tmp_path):
    root = catalog(tmp_path, HEAD + 'body_file = "agent.md"\n')
    (root / "_manifests/agent.md").write_text("\nAll of it, {{ verbatim }}.\n")
    assert rendered(root).decode().endswith("-->\n\nAll of it, {{ verbatim }}.\n")
    (root / "_manifests/agent.toml").write_text(
        HEAD + 'blocks = ["@intro", "shared", "@outro"]\ntext_file = "agent.md"\n')
    (root / "_manifests/agent.md").write_text("<!-- @intro -->\nHello.\n\n<!-- @outro -->\n"
                                              "## Outro\n\nBye.\n")
    (root / "_blocks").mkdir()
    (root / "_blocks/shared.md").write_text("## Shared\n\nText.\n")
    assert rendered(root).decode().endswith("-->\n\nHello.\n\n\n## Shared\n\nText.\n\n"
                                            "## Outro\n\nBye.\n")


def test_markdown_files_that_do_not_load_are_located_errors(tmp_path):
    root = catalog(tmp_path, HEAD + 'body_file = "gone.md"\n')
    (root / "_manifests/b.toml").write_text('name = "b"\ndescription = "x"\nblocks = ["@one"]\n'
                                            'text_file = "b.md"\n')
    (root / "_manifests/b.md").write_text("stray line\n<!-- @one -->\nText.\n")
    (root / "_manifests/c.toml").write_text('name = "c"\ndescription = "x"\nblocks = ["@one"]\n'
                                            'text_file = "c.md"\n[text]\none = "twice"\n')
    (root / "_manifests/c.md").write_text("<!-- @one -->\nText.\n<!-- @one -->\nAgain.\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(root, root)
    found = {(d.path, d.line, d.message) for d in caught.value.diagnostics}
    assert found == {
        ("_manifests/agent.toml", 3, "`body_file` names `gone.md`, which is not a file beside "
                                     "the manifest"),
        ("_manifests/b.md", 1, "text before the first `<!-- @key -->` line"),
        ("_manifests/c.toml", 5, "`text` is given twice: here and in `c.md` (`text_file`)"),
    }


def test_fields_left_out_are_read_from_the_pinned_frontmatter(tmp_path):
    root = catalog(tmp_path, 'name = "agent"\n\n[frontmatter]\ndescription = "|\\n  Two\\n  lines."\n'
                   'tools = "Read, Grep"\nmodel = "opus"\n')
    agent = load_catalog(root, root).agents[0]
    assert (agent.manifest.description, agent.manifest.tools, agent.manifest.model) == \
        ("Two\nlines.\n", ["Read", "Grep"], "opus")
    assert rendered(root).decode().startswith(
        "---\nname: agent\ndescription: |\n  Two\n  lines.\ntools: Read, Grep\nmodel: opus\n---\n")


def test_a_markdown_file_linked_from_outside_the_catalog_is_refused(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("Secret text.\n")
    (tmp_path / "catalog").mkdir()
    root = catalog(tmp_path / "catalog", HEAD + 'body_file = "agent.md"\n')
    (root / "_manifests/agent.md").symlink_to(outside)
    assert errors(root) == ["3:13 `body_file` names `agent.md`, a symbolic link to a file "
                            "outside the catalog"]
