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
