"""Hostile input: configurations, files and timings chosen to break the tool.

Each test is one defect an adversarial run found. Bad input exits 2 with a
located ``path:line:col: error:`` and a hint, and writes nothing; races and
limits never end in a false clean, a lost edit or an internal error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import write_tree

TINY = {
    "_blocks/rules.md": "## Rules\n\n- be brief\n",
    "_manifests/a.toml": 'name = "a"\ndescription = "d"\nblocks = ["rules"]\n',
}


def tiny(tmp_path: Path, config: str = "", **files: str) -> Path:
    """The tiny catalog of the issue, with ``config`` as its assembler.toml."""
    root = tmp_path / "cat"
    write_tree(root, {**TINY, "assembler.toml": config})
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


LONG_AGO = 946_684_800  # 2000-01-01: inputs written by a test are not "just changed"


def age(root: Path) -> None:
    """Date every input back, so that the render cache may record them."""
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (LONG_AGO, LONG_AGO))


def listing(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (links not followed) with its bytes."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        found[rel] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return found


def assert_refused(cli, root: Path, where: str, message: str, *args: str) -> str:
    """check and build exit 2 at ``where`` with ``message`` and a hint; nothing is written
    anywhere near the catalog."""
    before = listing(root.parent)
    stderr = ""
    for command in ("check", "build"):
        result = cli(command, "--root", root, *args)
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        assert result.stderr.startswith(where), result.stderr
        first = result.stderr.splitlines()[0]
        assert message in first, result.stderr
        assert "\n  hint: " in result.stderr, result.stderr
        assert "nothing was written" in result.stderr
        stderr = result.stderr
    assert listing(root.parent) == before
    return stderr


# -- 1. every configured folder stays inside the catalog ------------------------------------
@pytest.mark.parametrize("config, where, message", [
    ('output = ""', "assembler.toml:1:10: error: ", "`output` is empty"),
    ('output = "../../x"', "assembler.toml:1:10: error: ", "`output` (`../../x`) leaves the catalog"),
    ('roles = "../../outside"', "assembler.toml:1:9: error: ", "`roles` (`../../outside`) leaves"),
    ('blocks = "/etc"', "assembler.toml:1:10: error: ", "`blocks` (`/etc`) is an absolute path"),
    ('manifests = "_manifests/../.."', "assembler.toml:1:13: error: ", "leaves the catalog"),
    ('templates = "../t"', "assembler.toml:1:13: error: ", "`templates` (`../t`) leaves"),
    ('[targets.codex]\nfolder = "../codex"', "assembler.toml:2:10: error: ",
     "`targets.codex.folder` (`../codex`) leaves the catalog"),
    ('[targets.claude-code]\nfolder = ""', "assembler.toml:2:10: error: ",
     "`targets.claude-code.folder` is empty"),
    ('output = "a\\\\b"', "assembler.toml:1:10: error: ", "not portable"),
])
def test_configured_folders_must_stay_inside_the_catalog(tmp_path, cli, config, where, message):
    outside = tmp_path / "outside"
    write_tree(outside, {"r.toml": 'blocks = ["rules"]\n'})
    root = tiny(tmp_path, config + "\n")
    assert_refused(cli, root, where, message)


def test_an_absolute_output_folder_is_refused(tmp_path, cli):
    root = tiny(tmp_path, f'output = "{tmp_path / "abs"}"\n')
    assert_refused(cli, root, "assembler.toml:1:10: error: ", "is an absolute path")


@pytest.mark.parametrize("key", ["manifests", "blocks", "output"])
def test_a_folder_linked_outside_the_catalog_is_refused(tmp_path, cli, key):
    root = tiny(tmp_path, f'{key} = "linked"\n')
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    if key != "output":
        (root / f"_{key}").rename(outside / f"_{key}")
        outside = outside / f"_{key}"
    os.symlink(outside, root / "linked")
    assert_refused(cli, root, f"assembler.toml:1:{len(key) + 4}: error: ",
                   f"`{key}` (`linked`) is a symbolic link to a folder outside the catalog")


def test_a_folder_linked_inside_the_catalog_is_fine(tmp_path, cli):
    root = tiny(tmp_path, 'blocks = "shared"\n')
    os.symlink(root / "_blocks", root / "shared")
    assert cli("build", "--root", root).exit_code == 0
    assert cli("check", "--root", root).exit_code == 0


@pytest.mark.parametrize("config", ['output = "."', 'output = "agents/.."',
                                    '[targets.codex]\nfolder = "./"'])
def test_the_output_folder_cannot_be_the_catalog_root(tmp_path, cli, config):
    root = tiny(tmp_path, config + "\n")
    assert_refused(cli, root, "assembler.toml:", "is the catalog root itself")


# -- 2. one spelling per folder: builds do not flip-flop -------------------------------------
@pytest.mark.parametrize("spelling", ["./.claude/agents", ".claude/agents/", ".claude//agents",
                                      ".claude/agents/.", "./.claude/./agents//"])
def test_folder_spellings_are_normalised(tmp_path, cli, spelling):
    root = tiny(tmp_path, f'output = "{spelling}"\n')
    first = cli("build", "--root", root)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "created .claude/agents/a.md\n1 written, 0 unchanged.\n"
    for _ in range(2):
        check = cli("check", "--root", root)
        assert (check.exit_code, check.stdout) == (0, "1 generated files up to date.\n")
        again = cli("build", "--root", root)
        assert (again.exit_code, again.stdout) == (0, "0 written, 1 unchanged.\n")
    assert sorted(p.name for p in (root / ".claude/agents").iterdir()) == ["a.md"]


def test_input_folder_spellings_are_normalised(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path, 'manifests = "./_manifests/"\nblocks = "_blocks//."\n')
    age(root)
    assert cli("build", "--root", root).exit_code == 0
    assert cli("check", "--root", root).exit_code == 0
    assert (root / ".assembler/render-cache.json").is_file()
    # the cache answers the next check: no render needed
    import assembler.outputs.render as render

    monkeypatch.setattr(render, "assemble", lambda *a, **k: pytest.fail("rendered"))
    assert cli("check", "--root", root).exit_code == 0


def test_two_spellings_of_one_folder_collide(tmp_path, cli):
    root = tiny(tmp_path, 'targets = {claude-code = {folder = "out"}, cursor = {folder = "./out/"}}\n')
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    assert "would write the same files (out/*.md)" in result.stderr
