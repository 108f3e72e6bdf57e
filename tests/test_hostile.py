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


def test_outputs_are_not_written_through_a_link_that_leaves_the_catalog(tmp_path, cli):
    root = tiny(tmp_path, **TEAM)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "agents").mkdir()
    os.symlink(outside, root / "agents/team")
    assert_refused(cli, root, "agents/team:1:1: error: ",
                   "`agents/team` leads outside the catalog (a symbolic link)")
    assert list(outside.iterdir()) == []


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

    monkeypatch.setattr(render, "prepare", lambda *a, **k: pytest.fail("rendered"))
    assert cli("check", "--root", root).exit_code == 0


def test_two_spellings_of_one_folder_collide(tmp_path, cli):
    root = tiny(tmp_path, 'targets = {claude-code = {folder = "out"}, cursor = {folder = "./out/"}}\n')
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    assert "would write the same files (out/*.md)" in result.stderr


# -- 3. the render cache vouches only for content it hashed before and after ----------------
def _replace_during_render(monkeypatch, change):
    """Run ``change()`` while the catalog renders, after the sources were read."""
    import assembler.outputs.render as render

    real = render.render_each

    def render_each(renderer, agents, finish):
        rendered = real(renderer, agents, finish)
        change()
        return rendered

    monkeypatch.setattr(render, "render_each", render_each)


def _moved_in_with_an_older_time(root: Path, rel: str, text: str) -> None:
    """What mv, cp -p, rsync -a or tar do: new content, an older modification time."""
    staged = root.parent / "staged"
    staged.write_text(text)
    os.utime(staged, (LONG_AGO - 3600, LONG_AGO - 3600))
    os.replace(staged, root / rel)


def _rewritten_in_place_keeping_stat(root: Path, rel: str, text: str) -> None:
    """Same inode, same size, same modification time, other bytes."""
    path = root / rel
    info = path.stat()
    assert len(text.encode()) == info.st_size
    with open(path, "r+b") as handle:
        handle.write(text.encode())
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_source_replaced_during_the_first_render_is_not_recorded(tmp_path, cli, monkeypatch,
                                                                   command):
    root = tiny(tmp_path)
    age(root)
    if command == "check":
        assert cli("build", "--root", root).exit_code == 0
        (root / ".assembler/render-cache.json").unlink()
        _moved_in_with_an_older_time(root, "_manifests/a.toml", TINY["_manifests/a.toml"])
    _replace_during_render(monkeypatch, lambda: _moved_in_with_an_older_time(
        root, "_blocks/rules.md", "## Rules\n\n- be very brief\n"))
    cli(command, "--root", root)
    monkeypatch.undo()
    truth = cli("check", "--root", root)
    monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")
    assert cli("check", "--root", root).exit_code == 1
    assert (truth.exit_code, truth.stdout.splitlines()[0]) == (
        1, "agents/a.md: stale: sources changed since it was generated (from _manifests/a.toml)")


def test_a_source_rewritten_with_its_old_stat_before_the_render_reads_it(tmp_path, cli,
                                                                         monkeypatch):
    import assembler.outputs.render as render

    root = tiny(tmp_path)
    age(root)
    assert cli("build", "--root", root).exit_code == 0
    (root / "_blocks/rules.md").write_text("## Rules\n\n- be terse\n")  # a cache miss
    age(root)
    real = render.prepare

    def prepare(*args, **kwargs):  # after the cache hashed the inputs, before the loader reads
        _rewritten_in_place_keeping_stat(root, "_blocks/rules.md", "## Rules\n\n- be curt!\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "prepare", prepare)
    assert cli("build", "--root", root).exit_code == 0
    monkeypatch.undo()
    _rewritten_in_place_keeping_stat(root, "_blocks/rules.md", "## Rules\n\n- be terse\n")
    assert cli("check", "--root", root).exit_code == 1


def test_an_unchanged_catalog_is_still_recorded(tmp_path, cli):
    root = tiny(tmp_path)
    age(root)
    assert cli("build", "--root", root).exit_code == 0
    assert (root / ".assembler/render-cache.json").is_file()


# -- 4. an edit made while a build writes is never overwritten -------------------------------
def _edit_after_the_render_read(monkeypatch, change):
    """Run ``change()`` after the build compared the outputs, before it writes any (in
    ``write_outputs``, and where files are compared as they are rendered)."""
    import assembler.outputs.stream as stream
    import assembler.outputs.write as write

    real, real_commit = write.compare, stream._commit

    def compare(*args, **kwargs):
        states = real(*args, **kwargs)
        change()
        return states

    def commit(*args, **kwargs):
        change()
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(write, "compare", compare)
    monkeypatch.setattr(stream, "_commit", commit)


def test_an_edit_made_while_the_build_writes_is_kept(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    (root / "_blocks/rules.md").write_text("## Rules\n\n- be very brief\n")
    output = root / "agents/a.md"
    edited = output.read_text() + "my late edit\n"
    _edit_after_the_render_read(monkeypatch, lambda: output.write_text(edited))
    result = cli("build", "--root", root)
    assert result.exit_code == 1, result.stdout
    assert output.read_text() == edited
    assert "refused agents/a.md: edited by hand" in result.stderr
    assert "-my late edit" in result.stderr
    assert result.stdout.endswith("0 written, 0 unchanged, 1 refused.\n")
    assert not [p for p in output.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_created_while_the_build_writes_is_kept(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path)
    output = root / "agents/a.md"
    _edit_after_the_render_read(monkeypatch, lambda: write_tree(root, {"agents/a.md": "mine\n"}))
    result = cli("build", "--root", root)
    assert result.exit_code == 1
    assert output.read_text() == "mine\n"


def test_an_orphan_edited_while_the_build_runs_is_kept(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    (root / "_manifests/a.toml").rename(root / "_manifests/b.toml")
    (root / "_manifests/b.toml").write_text('name = "b"\ndescription = "d"\nblocks = ["rules"]\n')
    output = root / "agents/a.md"
    edited = output.read_text() + "keep me\n"
    _edit_after_the_render_read(monkeypatch, lambda: output.write_text(edited))
    result = cli("build", "--root", root)
    assert result.exit_code == 1
    assert output.read_text() == edited
    assert (root / "agents/b.md").is_file()


# -- 5. an unreadable folder is an error, and nothing is deleted as orphaned ----------------
TEAM = {"_manifests/team/lead.toml": 'name = "lead"\ndescription = "d"\nblocks = ["rules"]\n'}


def _unreadable(monkeypatch, folder: Path) -> None:
    """``folder`` cannot be listed, as after ``chmod 000`` for an unprivileged user."""
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_manifests_folder_is_an_error(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path, **TEAM)
    assert cli("build", "--root", root).exit_code == 0
    before = listing(root / "agents")
    _unreadable(monkeypatch, root / "_manifests/team")
    stderr = assert_refused(cli, root, "_manifests/team:1:1: error: ",
                            "cannot read folder `_manifests/team/`: Permission denied")
    assert "chmod" in stderr
    assert listing(root / "agents") == before


@pytest.mark.parametrize("folder", ["_blocks", "_roles"])
def test_an_unreadable_blocks_or_roles_folder_is_an_error(tmp_path, cli, monkeypatch, folder):
    root = tiny(tmp_path, **{f"{folder}/x/y.md": "text\n"})
    _unreadable(monkeypatch, root / folder / "x")
    assert_refused(cli, root, f"{folder}/x:1:1: error: ", f"cannot read folder `{folder}/x/`")


def test_an_unreadable_folder_stops_the_render_cache_too(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path, **TEAM)
    age(root)
    assert cli("build", "--root", root).exit_code == 0
    _unreadable(monkeypatch, root / "_manifests/team")
    assert cli("check", "--root", root).exit_code == 2


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
                    reason="needs root to run the tool as an unprivileged user")
def test_an_unreadable_folder_as_a_real_unprivileged_user(tmp_path):
    import shutil
    import subprocess
    import sys
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="assembler-hostile-"))
    try:
        root = tiny(base, **TEAM)
        for path in [base, *base.rglob("*")]:
            os.chown(path, 65534, 65534)
        os.chmod(base, 0o755)

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                 sys.executable, "-m", "assembler", *args, "--root", str(root)],
                capture_output=True, text=True, timeout=120,
                env={"PATH": os.environ.get("PATH", ""), "HOME": str(base), "NO_COLOR": "1"})

        assert run("build").returncode == 0
        os.chmod(root / "_manifests/team", 0)
        result = run("build")
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.startswith("_manifests/team:1:1: error: cannot read folder")
        assert (root / "agents/team/lead.md").is_file()
    finally:
        os.chmod(base / "cat/_manifests/team", 0o755)
        shutil.rmtree(base)


# -- 6. what a block may render is bounded -----------------------------------------------------
LIMIT_HINT = "max_block_bytes"


@pytest.mark.parametrize("template", [
    '{{ "x" * 10**9 }}',
    '{{ 10**9 * "x" }}',
    '{{ (["x"] * 10**9) | join }}',
    '{{ "%01000000000d" % 1 }}',
    '{{ "x" | center(10**9) }}',
    '{{ "x".ljust(10**9) }}',
    '{{ "{:>1000000000}".format("x") }}',
    '{{ ("x" * 1000) | replace("x", "y" * 100000) }}',
    '{{ range(100000) | join("y" * 100000) }}',
    '{{ 2 ** (10 ** 10) > 0 }}',
    '{% set a = "x" * 900000 %}{% set b = a ~ a ~ a %}{{ b | length }}',
    '{{ lipsum(10**6) }}',
    '{% for i in range(100000) %}{{ "x" * 100 }}{% endfor %}',
    '{% for i in range(1000) %}{% for j in range(1000) %}xy{% endfor %}{% endfor %}',
])
def test_a_block_cannot_render_unbounded_text(tmp_path, cli, template):
    root = tiny(tmp_path, **{"_blocks/rules.md": "## Rules\n\n" + template + "\n"})
    stderr = assert_refused(cli, root, "_blocks/rules.md:3:1: error: ", "")
    assert LIMIT_HINT in stderr and "1000000" in stderr, stderr


def test_the_block_limit_is_configurable(tmp_path, cli):
    root = tiny(tmp_path, "max_block_bytes = 2_000_000\n",
                **{"_blocks/rules.md": '## Rules\n\n{{ "x" * 1_500_000 }}\n'})
    assert cli("build", "--root", root).exit_code == 0
    assert (root / "agents/a.md").stat().st_size > 1_500_000


def test_a_static_block_over_the_limit_is_refused(tmp_path, cli):
    root = tiny(tmp_path, "max_block_bytes = 100\n",
                **{"_blocks/rules.md": "## Rules\n\n" + "word " * 40 + "\n"})
    assert_refused(cli, root, "_blocks/rules.md:1:1: error: ",
                   "block `rules` is longer than `max_block_bytes` (100 bytes)")


def test_a_small_block_renders_as_before(tmp_path, cli):
    root = tiny(tmp_path, **{"_blocks/rules.md": '## Rules\n\n{{ "ab" * 3 }} {{ [1, 2] * 2 }}'
                                                 ' {{ "%5s|" % "x" }} {{ 2 ** 10 }}'
                                                 ' {{ "a" ~ 1 ~ agent.name }}\n'})
    assert cli("build", "--root", root).exit_code == 0
    assert "ababab [1, 2, 1, 2]     x| 1024 a1a\n" in (root / "agents/a.md").read_text()


@pytest.mark.parametrize("value", ["0", "-5", '"big"'])
def test_the_block_limit_must_be_a_positive_integer(tmp_path, cli, value):
    root = tiny(tmp_path, f"max_block_bytes = {value}\n")
    assert_refused(cli, root, "assembler.toml:1:19: error: ", "max_block_bytes")


def test_a_layout_cannot_repeat_text_without_bound(tmp_path, cli):
    root = tiny(tmp_path, **{"_templates/claude-code.md.j2":
                             '---\n{{ frontmatter }}---\n\n{{ banner }}\n\n{{ "x" * 10**9 }}\n'})
    assert_refused(cli, root, "_templates/claude-code.md.j2:6:1: error: ", "max_block_bytes")


@pytest.mark.parametrize("value", ["1000000000000000", "100000000000000000000000", "1001"])
def test_final_newlines_is_capped(tmp_path, cli, value):
    root = tiny(tmp_path, **{"_manifests/a.toml": TINY["_manifests/a.toml"]
                             + f"final_newlines = {value}\n"})
    assert_refused(cli, root, "_manifests/a.toml:4:18: error: ", "`final_newlines`")


# -- 7. templates the compiler cannot take are input errors, at their file -------------------
def _nested(depth: int) -> str:
    return "{% if true %}\n" * depth + "deep\n" + "{% endif %}\n" * depth


@pytest.mark.parametrize("text, line", [
    (_nested(120), None),
    ("{{ " + "(" * 400 + "1" + ")" * 400 + " }}\n", 1),
    ("{{ " + "[" * 400 + "1" + "]" * 400 + " }}\n", 1),
])
def test_a_template_nested_too_deeply_is_an_input_error(tmp_path, cli, text, line):
    root = tiny(tmp_path, **{"_blocks/rules.md": text})
    stderr = assert_refused(cli, root, "_blocks/rules.md:", "nested too deeply")
    where = int(stderr.split(":", 2)[1])
    assert where == line if line is not None else 50 <= where <= 120, stderr


def test_a_layout_nested_too_deeply_is_an_input_error(tmp_path, cli):
    root = tiny(tmp_path, **{"_templates/claude-code.md.j2":
                             "---\n{{ frontmatter }}---\n\n{{ banner }}\n\n" + _nested(120)})
    assert_refused(cli, root, "_templates/claude-code.md.j2:", "nested too deeply")


def test_a_layout_override_that_is_not_utf8_is_an_input_error(tmp_path, cli):
    root = tiny(tmp_path)
    (root / "_templates").mkdir()
    (root / "_templates/claude-code.md.j2").write_bytes(
        b"---\n{{ frontmatter }}---\n\n{{ banner }}\n\ncaf\xe9\n")
    assert_refused(cli, root, "_templates/claude-code.md.j2:6:4: error: ",
                   "file is not valid UTF-8")


def test_a_layout_override_linked_outside_the_catalog_is_refused(tmp_path, cli):
    root = tiny(tmp_path)
    outside = tmp_path / "layout.md.j2"
    outside.write_text("---\n{{ frontmatter }}---\n\n{{ banner }}\n\nfrom outside\n")
    (root / "_templates").mkdir()
    os.symlink(outside, root / "_templates/claude-code.md.j2")
    assert_refused(cli, root, "_templates/claude-code.md.j2:1:1: error: ",
                   "is a symbolic link to a file outside the catalog")


def test_a_layout_override_linked_inside_the_catalog_is_used(tmp_path, cli):
    root = tiny(tmp_path, **{"layouts/mine.md.j2":
                             "---\n{{ frontmatter }}---\n\n{{ banner }}\n\nmine\n"})
    (root / "_templates").mkdir()
    os.symlink(root / "layouts/mine.md.j2", root / "_templates/claude-code.md.j2")
    assert cli("build", "--root", root).exit_code == 0
    assert (root / "agents/a.md").read_text().endswith("\nmine\n")


# -- 8. lint work grows with the findings, not with their square ------------------------------
def _lorem_catalog(tmp_path: Path, blocks: dict[str, int]) -> Path:
    """Three agents sharing blocks of ``lines`` lines, each line one AA402 finding."""
    files = {f"_blocks/{name}.md": f"## {name}\n\n" + "".join(
        f"lorem ipsum dolor sit amet, line {n}\n" for n in range(lines))
        for name, lines in blocks.items()}
    listed = ", ".join(f'"{name}"' for name in blocks)
    for agent in "abc":
        files[f"_manifests/{agent}.toml"] = (f'name = "{agent}"\ndescription = "d"\n'
                                              f"blocks = [{listed}]\n")
    root = tmp_path / "cat"
    write_tree(root, {**files, "assembler.toml": ""})
    return root


def _lint_findings(root: Path) -> list:
    from datetime import date

    from assembler.lint.engine import lint

    return lint(root, today=date(2026, 1, 1)).findings


@pytest.mark.parametrize("lines", [200, 2000])
def test_a_block_is_mapped_to_its_lines_once_per_output_whatever_its_findings(
        tmp_path, monkeypatch, lines):
    from assembler.lint.linematch import BlockLines

    calls = []
    real = BlockLines.offsets
    monkeypatch.setattr(BlockLines, "offsets",
                        lambda self, *args: calls.append(args) or real(self, *args))
    findings = _lint_findings(_lorem_catalog(tmp_path, {"big": lines}))
    assert [(f.code, f.path, f.line) for f in findings] == [
        ("AA402", "_blocks/big.md", 3 + n) for n in range(lines)]
    assert all(f.outputs == ("agents/a.md", "agents/b.md", "agents/c.md") for f in findings)
    assert len(calls) == 3  # one per output, not one per finding (which made lint quadratic)


def test_finding_the_block_of_a_line_does_not_scan_every_block(tmp_path, monkeypatch):
    import assembler.lint.context as context

    reads = [0]

    class Counted(context.Placed):
        def __getattribute__(self, name):
            if name == "first":
                reads[0] += 1
            return super().__getattribute__(name)

    monkeypatch.setattr(context, "Placed", Counted)
    blocks = 300
    findings = _lint_findings(_lorem_catalog(tmp_path, {f"b{n:03}": 1 for n in range(blocks)}))
    assert [(f.path, f.line) for f in findings] == [
        (f"_blocks/b{n:03}.md", 3) for n in range(blocks)]
    # 900 findings to move back, in 3 outputs of 300 blocks: scanning the blocks for each
    # reads `first` over 100,000 times; a search reads it a few times per finding and block
    assert reads[0] <= 10 * 3 * blocks, reads[0]


# -- 9. machine formats print their document whatever ends the run ---------------------------
# Every command with --format, the formats it takes, and the arguments it needs.
FORMATTED = [("check", ("json", "github"), ()), ("lint", ("json", "github"), ()),
             ("lint", ("json",), ("--score",)), ("list", ("json",), ()),
             ("explain", ("json",), ("a",)), ("uses", ("json",), ("rules",))]
EACH_FORMAT = [(command, fmt, args) for command, formats, args in FORMATTED for fmt in formats]


def _looping(tmp_path: Path) -> Path:
    root = tiny(tmp_path)
    os.symlink("loop.md", root / "_blocks/loop.md")
    return root


def assert_document(result, fmt: str, where: str, message: str) -> None:
    """stdout holds the whole document of ``fmt``, naming one error at ``where``."""
    import json

    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["ok"] is False, document
        [error] = document["errors"]
        assert (error["path"], error["line"], error["column"]) == (where, 1, 1), error
        assert message in error["message"] and error["hint"], error
    else:
        [line] = result.stdout.splitlines()
        assert line.startswith(f"::error file={where},line=1,col=1,"), line
        assert message in line, line


@pytest.mark.parametrize("command, fmt, args", EACH_FORMAT)
def test_an_operating_system_error_is_a_located_document(tmp_path, cli, command, fmt, args):
    root = _looping(tmp_path)
    result = cli(command, *args, "--format", fmt, "--root", root)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert_document(result, fmt, "_blocks/loop.md", "Too many levels of symbolic links")


INTERNALS = {"check": ("assembler.outputs.stream", "check_outputs"),
             "lint": ("assembler.lint.engine", "lint_catalog"),
             "list": ("assembler.outputs.render", "outputs"),
             "explain": ("assembler.provenance.explain", "trace_catalog"),
             "uses": ("assembler.provenance.impact", "uses"),
             "import": ("assembler.importing.importer", "run_import")}


@pytest.mark.parametrize("command, fmt, args",
                         EACH_FORMAT + [("import", "json", ("_blocks", "--dry-run"))])
def test_an_internal_error_is_a_document_too(tmp_path, cli, monkeypatch, command, fmt, args):
    import importlib

    module, name = INTERNALS[command]

    def broken(*_args, **_kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(importlib.import_module(module), name, broken)
    root = tiny(tmp_path)
    result = cli(command, *args, "--format", fmt, "--root", root)
    assert result.exit_code == 3, result.stdout + result.stderr
    assert_document(result, fmt, "", "internal error: RuntimeError: something broke")
    assert "ASSEMBLER_DEBUG=1" in result.stdout


@pytest.mark.parametrize("command, args, broken", [
    ("list", (), True), ("explain", ("a",), True), ("uses", ("rules",), True),
    ("explain", ("nobody",), False), ("uses", ("nothing",), False), ("explain", ("a:99",), False),
])
def test_json_listings_print_input_errors_as_a_document(tmp_path, cli, command, args, broken):
    import json

    root = tiny(tmp_path, **({"_manifests/b.toml": 'name = "B!"\n'} if broken else {}))
    result = cli(command, *args, "--format", "json", "--root", root)
    assert result.exit_code == 2, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["errors"], document


def test_a_bad_option_value_is_a_document_too(tmp_path, cli):
    import json

    result = cli("lint", "--format", "json", "--today", "2026-13-01", "--root", tiny(tmp_path))
    assert result.exit_code == 2
    assert "is not a date" in json.loads(result.stdout)["errors"][0]["message"]
    assert "is not a date" in result.stderr


def _run_module(*args: str | Path) -> "subprocess.CompletedProcess[str]":
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "assembler", *map(str, args)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", ["check", "lint"])
def test_the_installed_command_prints_the_document_on_an_os_error(tmp_path, command):
    root = _looping(tmp_path)  # check answers before the CLI framework loads: both paths
    for fmt in ("json", "github"):
        result = _run_module(command, "--format", fmt, "--root", root)
        assert result.returncode == 2, result.stdout + result.stderr
        assert_document(result, fmt, "_blocks/loop.md", "Too many levels of symbolic links")
    text = _run_module(command, "--root", root)
    assert (text.returncode, text.stdout) == (2, "")
    assert text.stderr.startswith("_blocks/loop.md:1:1: error: cannot use `_blocks/loop.md`: "
                                  "Too many levels of symbolic links\n  hint: "), text.stderr


# -- 11. what the banner must hold on one line ------------------------------------------------
@pytest.mark.parametrize("value", ['"make\\nagents"', '"make\\ragents"', '"""make\nagents"""',
                                   '"make\\u2028agents"', '"make\\u001b[31m"'])
def test_regenerate_must_fit_on_the_banner_line(tmp_path, cli, value):
    root = tiny(tmp_path, f"regenerate = {value}\n")
    assert_refused(cli, root, "assembler.toml:1:14: error: ",
                   "`regenerate` holds a line break or a control character")


@pytest.mark.parametrize("folder", ["te\nam", "te\ram", "te\x1bam"])
def test_a_manifest_folder_name_with_a_line_break_is_refused(tmp_path, cli, folder):
    root = tiny(tmp_path, **{f"_manifests/{folder}/lead.toml": TEAM["_manifests/team/lead.toml"]})
    stderr = assert_refused(cli, root, "_manifests/", "holds a line break or a control character")
    first = stderr.splitlines()[0]
    assert first.startswith("_manifests/te\\") and "\x1b" not in stderr, stderr


def test_a_manifest_file_name_with_a_line_break_is_refused(tmp_path, cli):
    root = tiny(tmp_path, **{"_manifests/le\nad.toml": 'name = "lead"\ndescription = "d"\n'})
    assert_refused(cli, root, "_manifests/le\\nad.toml:1:1: error: ", "holds a line break")


# -- 12. no message echoes a credential -------------------------------------------------------
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
ANT_KEY = "sk-ant-api03-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"
SECRET_PARTS = (TOKEN[4:], TOKEN[4:].lower(), ANT_KEY[13:], ANT_KEY[13:].lower())


def assert_masked(*texts: str) -> None:
    for text in texts:
        assert not any(part in text for part in SECRET_PARTS), text


@pytest.mark.parametrize("text, code", [
    (f"- <insert token {TOKEN} here>\n", "AA402"),
    (f"- see [the key](docs/{ANT_KEY}.md)\n", "AA201"),
    (f"- see [the key](#{TOKEN})\n", "AA203"),
    (f"- see [the key](a.md#{TOKEN})\n", "AA203"),
    (f"- `docs/{ANT_KEY}/file.md`\n", "AA202"),
    (f"## Contents\n\n- {TOKEN}\n\n## Other\n\ntext\n", "AA203"),
    (f"## Step {TOKEN}\n\ntext\n\n## Step {TOKEN}\n\ntext\n", "AA103"),
    (f"#### Deep {ANT_KEY}\n\ntext\n", "AA105"),
    (f"<!-- assembler: ignore[{TOKEN}] -->\n", "AA001"),
    (f"- reviewed {TOKEN}-2025\n", None),
])
def test_lint_messages_never_quote_a_credential(tmp_path, cli, text, code):
    root = tiny(tmp_path, **{"_blocks/rules.md": "## Rules\n\n" + text})
    for fmt in ("text", "json", "github"):
        result = cli("lint", "--format", fmt, "--select", "AA0,AA1,AA2,AA3,AA4,AA5,AA7,AA8",
                     "--root", root)
        assert result.exit_code in (0, 1), result.stdout + result.stderr
        assert_masked(result.stdout, result.stderr)
        if code is not None:
            assert code in result.stdout, result.stdout
            assert "[masked " in result.stdout, result.stdout


def test_lint_findings_of_the_secret_rules_name_the_kind_only(tmp_path, cli):
    root = tiny(tmp_path, **{"_blocks/rules.md": f"## Rules\n\n- use {TOKEN} and {ANT_KEY}\n"})
    result = cli("lint", "--format", "json", "--root", root)
    assert result.exit_code == 1
    assert_masked(result.stdout)
    assert {f["code"] for f in __import__("json").loads(result.stdout)} == {"AA601"}


@pytest.mark.parametrize("manifest", [
    f'name = "a"\ndescription = "d"\nblocks = ["rules", "{TOKEN}"]\n',
    f'name = "{TOKEN}"\ndescription = "d"\n',
    f'name = "a"\ndescription = "d"\n"{ANT_KEY}" = 1\n',
    f'name = "a"\ndescription = "d"\nsubstrate_role = "{ANT_KEY}"\n',
    f'name = "a"\ndescription = "d"\n[[handoff]]\ntarget = "{TOKEN}"\ntrigger = "t"\n',
    f'name = "a"\ndescription = "d"\nblocks = ["rules", "api_key={TOKEN[4:]}"]\n',
])
def test_input_errors_never_quote_a_credential(tmp_path, cli, manifest):
    root = tiny(tmp_path, **{"_manifests/a.toml": manifest})
    for fmt in ("text", "json", "github"):
        result = cli("check", "--format", fmt, "--root", root)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert_masked(result.stdout, result.stderr)
        assert "[masked " in result.stdout + result.stderr


def test_masking_is_part_of_making_a_message():
    from assembler.diagnostics import Diagnostic
    from assembler.lint.rules import Finding

    finding = Finding("AA402", "x.md", 1, 1, f"placeholder `{TOKEN}`", f"hint {ANT_KEY}",
                      snippet=TOKEN)
    moved = finding.moved(message=f"again {TOKEN}", path="y.md")
    diagnostic = Diagnostic("x.toml", 1, 1, f"unknown block `{TOKEN}`", f"try {ANT_KEY}")
    for made in (finding, moved, diagnostic):
        assert_masked(made.message, made.hint or "")
    assert finding.message == "placeholder `[masked GitHub token]`"
    assert finding.hint == "hint [masked Anthropic API key]"
    assert finding.snippet == TOKEN  # matched text is kept, for moving and merging; never shown
    assert Diagnostic("x", 1, 1, "`api_key = Qx7vB2nM9pL4kR8s` is set").message == \
        "`api_key = [masked value]` is set"
    assert Diagnostic("x", 1, 1, "plain `api_key = not-a-secret-at-all`").message == \
        "plain `api_key = not-a-secret-at-all`"


# -- 13. smaller defects ---------------------------------------------------------------------
def test_a_state_folder_that_is_a_link_is_not_followed(tmp_path, cli):
    root = tiny(tmp_path)
    age(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / ".assembler")
    assert cli("build", "--root", root).exit_code == 0
    assert cli("check", "--root", root).exit_code == 0
    assert list(elsewhere.iterdir()) == []  # no render cache written through the link
    before = listing(root)
    result = cli("build", "--sourcemap", "--root", root)
    assert result.exit_code == 2
    assert result.stderr.startswith(".assembler:1:1: error: `.assembler` is a symbolic link")
    assert "\n  hint: " in result.stderr
    assert list(elsewhere.iterdir()) == [] and listing(root) == before


def test_recovered_copies_are_not_written_through_a_link(tmp_path, cli):
    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    output = root / "agents/a.md"
    output.write_text(output.read_text().replace("- be brief", "- be very brief"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".assembler").mkdir(exist_ok=True)
    os.symlink(elsewhere, root / ".assembler/recovered")
    result = cli("adopt", "agents/a.md", "--root", root)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith(".assembler/recovered:1:1: error: ")
    assert list(elsewhere.iterdir()) == []
    assert "- be brief" in (root / "_blocks/rules.md").read_text()


def _left_by_a_killed_build(root: Path) -> Path:
    output = root / "agents/a.md"
    temp = output.parent / ".a.md.k3j_x9q2.tmp"
    temp.write_bytes(output.read_bytes()[:40])
    return temp


def test_a_temporary_file_left_by_a_killed_build_is_reported_and_removed(tmp_path, cli):
    root = tiny(tmp_path)
    age(root)
    assert cli("build", "--root", root).exit_code == 0
    temp = _left_by_a_killed_build(root)
    check = cli("check", "--root", root)
    assert check.exit_code == 1
    assert check.stdout.startswith("agents/.a.md.k3j_x9q2.tmp: orphaned: ")
    build = cli("build", "--root", root)
    assert (build.exit_code, build.stdout) == (
        0, "removed agents/.a.md.k3j_x9q2.tmp\n0 written, 1 removed, 1 unchanged.\n")
    assert not temp.exists()
    assert cli("check", "--root", root).exit_code == 0


def test_other_files_that_look_temporary_are_left_alone(tmp_path, cli):
    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    for name in (".notes.tmp", ".a.md.tmp", "a.md.k3j_x9q2.tmp", ".a.md.TOOLONG99.tmp"):
        (root / "agents" / name).write_text("mine\n")
    assert cli("check", "--root", root).exit_code == 0
    assert cli("build", "--root", root).stdout == "0 written, 1 unchanged.\n"


def test_an_unclosed_block_frontmatter_is_an_error(tmp_path, cli):
    root = tiny(tmp_path, **{"_blocks/rules.md": "---\ndescription: rules\n\n## Rules\n"})
    assert_refused(cli, root, "_blocks/rules.md:1:1: error: ", "frontmatter is not closed")


def test_a_duplicate_key_in_block_frontmatter_is_an_error(tmp_path, cli):
    root = tiny(tmp_path, **{"_blocks/rules.md":
                             "---\nplacement: body\nplacement: footer\n---\n## Rules\n"})
    assert_refused(cli, root, "_blocks/rules.md:3:1: error: ", "duplicate key `placement`")


def test_an_empty_block_frontmatter_is_fine(tmp_path, cli):
    root = tiny(tmp_path, **{"_blocks/rules.md": "---\n---\n## Rules\n"})
    assert cli("build", "--root", root).exit_code == 0


@pytest.mark.parametrize("text, found", [
    ('[project]\nname = "x"\n# see [tool.assembler] in the docs\n', False),
    ('[project]\ndescription = "uses [tool.assembler]"\n', False),
    ('[tool]\nassembler = { output = "agents" }\n', True),
    ('[tool.assembler]\noutput = "agents"\n', True),
    ('[ tool . assembler ]\noutput = "agents"\n', True),
    ('[tool.assembler]\noutput = \n', True),  # the loader reports the syntax error
])
def test_the_root_is_found_by_a_real_tool_assembler_table(tmp_path, text, found):
    from assembler.sources.roots import find_root

    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "sub").mkdir()
    assert find_root(tmp_path / "sub") == (tmp_path if found else None)


def test_a_broken_role_adds_no_required_block_errors(tmp_path, cli):
    root = tiny(tmp_path, 'required_blocks = ["rules"]\n', **{
        "_roles/r.toml": 'blocks = ["rules"]\nbloks = []\n',
        "_manifests/a.toml": 'name = "a"\ndescription = "d"\nsubstrate_role = "r"\n'})
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    assert "required block" not in result.stderr, result.stderr
    assert result.stderr.startswith("_roles/r.toml:2:1: error: unknown key `bloks`")


def test_a_schema_error_does_not_hide_the_other_errors_of_a_manifest(tmp_path, cli):
    root = tiny(tmp_path, **{"_manifests/a.toml":
                             'name = "A_1"\ndescription = "d"\ntools = "Read"\n'
                             'blocks = ["rulez"]\nsubstrate_role = "nope"\n'
                             '[[handoff]]\ntarget = "ghost"\ntrigger = "t"\n'})
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[1] for line in lines] == [
        "`name` 'A_1' is not a slug",
        "`tools` must be an array, not a string",
        "unknown block `rulez` (no _blocks/rulez.md)",
        "unknown role `nope` (no _roles/nope.toml)",
        "handoff to `ghost`, which has no manifest",
    ], result.stderr


def test_a_layout_with_two_banners_is_an_error(tmp_path, cli):
    root = tiny(tmp_path, **{"_templates/claude-code.md.j2":
                             "---\n{{ frontmatter }}---\n\n{{ banner }}\n\n{{ banner }}\n"})
    assert_refused(cli, root, "_templates/claude-code.md.j2:1:1: error: ",
                   "renders `{{ banner }}` more than once")


def test_control_characters_in_messages_are_escaped(tmp_path, cli):
    root = tiny(tmp_path, **{"_manifests/a.toml":
                             'name = "a"\ndescription = "d"\n"bl\\u001b[2Jocks" = ["rules"]\n'
                             'blocks = ["ru\\u001b]0;pwned\\u0007les"]\n'})
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "unknown key `bl\\x1b[2Jocks`" in result.stderr
    assert "unknown block `ru\\x1b]0;pwned\\x07les`" in result.stderr or \
        "block name `ru\\x1b]0;pwned\\x07les`" in result.stderr


def test_a_config_file_that_is_a_folder_is_an_error(tmp_path, cli, monkeypatch):
    root = tiny(tmp_path)
    (root / "assembler.toml").unlink()
    (root / "assembler.toml").mkdir()
    assert_refused(cli, root, "assembler.toml:1:1: error: ", "`assembler.toml` is not a file")
    monkeypatch.chdir(root / "_manifests")
    result = cli("check")
    assert result.exit_code == 2 and result.stderr.startswith("assembler.toml:1:1: error: ")


def test_the_build_summary_counts_removals_apart(tmp_path, cli):
    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    (root / "_manifests/a.toml").rename(root / "_manifests/b.toml")
    (root / "_manifests/b.toml").write_text('name = "b"\ndescription = "d"\nblocks = ["rules"]\n')
    result = cli("build", "--root", root)
    assert result.stdout == ("created agents/b.md\nremoved agents/a.md\n"
                             "1 written, 1 removed, 0 unchanged.\n")


def test_control_characters_in_reported_paths_are_escaped(tmp_path, cli):
    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    (root / "agents/\x1b[2J.md").write_bytes((root / "agents/a.md").read_bytes())
    check = cli("check", "--root", root)
    assert check.exit_code == 1 and "\x1b" not in check.stdout
    assert check.stdout.startswith("agents/\\x1b[2J.md: orphaned: ")
    build = cli("build", "--root", root)
    assert build.stdout.startswith("removed agents/\\x1b[2J.md\n")


def test_lint_text_escapes_control_characters(tmp_path, cli):
    root = tiny(tmp_path, **{"_blocks/rules.md": "## Rules\n\n## Step \x1b[2J one\n\n"
                                                 "text\n\n## Step \x1b[2J one\n\ntext\n"})
    result = cli("lint", "--root", root)
    assert "\x1b" not in result.stdout
    assert "heading `## Step \\x1b[2J one` repeats" in result.stdout, result.stdout


# -- what the README's Guarantees promise beyond the defects above ----------------------------
@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ agent.__class__.__init__.__globals__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ vars.__class__.__base__.__subclasses__() }}",
    "{% include '/etc/passwd' %}",
    "{% extends '/etc/passwd' %}",
    "{% from '/etc/passwd' import x %}",
    "{% include 'rules.md' %}",
    "{{ config }}",
])
def test_the_sandbox_refuses_every_escape(tmp_path, cli, template):
    root = tiny(tmp_path, **{"_blocks/rules.md": "## Rules\n\n" + template + "\n"})
    before = listing(tmp_path)
    for command in ("check", "build", "lint"):
        result = cli(command, "--root", root)
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        assert result.stderr.startswith("_blocks/rules.md:3:1: error: "), result.stderr
        assert "\n  hint: " in result.stderr, result.stderr  # and says what to write instead
        assert "root:" not in result.stdout + result.stderr  # nothing of /etc/passwd shown
    assert listing(tmp_path) == before


@pytest.mark.parametrize("template, message, hint", [
    ("{{ ''.__class__ }}", "not allowed in the sandbox: access to attribute '__class__' of "
     "'str' object is unsafe (rendering a)", "use the values in scope (`agent.name`"),
    ("{{ agent.name | attr('__class__') }}", "not allowed in the sandbox: access to attribute "
     "'__class__'", "the sandbox refuses Python internals"),
    ("{% include 'rules.md' %}", "cannot load template `rules.md` (rendering a)",
     "list the other block in the manifest's (or a role's) `blocks`"),
    ("{% import 'macros' as m %}", "cannot load template `macros`", "`{% macro %}`"),
    ("{% for i in range(10**6) %}{% endfor %}", "Range too big",
     "a `range` may hold at most 100,000 numbers"),
])
def test_a_sandbox_error_says_what_is_not_allowed_and_what_to_write(tmp_path, cli, template,
                                                                     message, hint):
    root = tiny(tmp_path, **{"_blocks/rules.md": "## Rules\n\n- be brief\n" + template + "\n"})
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    error, hint_line = result.stderr.splitlines()[:2]
    assert error.startswith("_blocks/rules.md:4:1: error: ") and message in error, error
    assert hint_line.startswith("  hint: ") and hint in hint_line, hint_line


def _full_disk(monkeypatch, after: int = 0) -> None:
    """Writes of generated files fail with ENOSPC once ``after`` of them were written,
    having written half their bytes (as a disk filling up leaves them)."""
    import errno

    import assembler.outputs.write as write

    real = write.os.fdopen
    count = [0]

    class Filling:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            count[0] += 1
            if count[0] <= after:
                return self.handle.write(data)
            self.handle.write(data[:len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device", self.handle.name)

    monkeypatch.setattr(write.os, "fdopen", lambda fd, mode="r", *a, **k: Filling(real(fd, mode)))


@pytest.mark.parametrize("after", [0, 1])
def test_a_full_disk_leaves_every_file_whole(tmp_path, cli, monkeypatch, after):
    root = tiny(tmp_path, **{"_manifests/b.toml": 'name = "b"\ndescription = "d"\n'
                                                  'blocks = ["rules"]\n'})
    assert cli("build", "--root", root).exit_code == 0
    before = listing(root / "agents")
    (root / "_blocks/rules.md").write_text("## Rules\n\n- be very brief\n")
    _full_disk(monkeypatch, after)
    result = cli("build", "--root", root)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "No space left on device" in result.stderr and "\n  hint: " in result.stderr
    now = listing(root / "agents")
    assert sorted(now) == sorted(before)  # no temporary file left behind
    for path, data in now.items():  # each file is the old one or the new one, never half
        assert data == before[path] or b"- be very brief\n" in data, path
    monkeypatch.undo()
    assert cli("build", "--root", root).exit_code == 0
    assert cli("check", "--root", root).exit_code == 0


def test_a_full_disk_while_the_cache_is_recorded_costs_only_the_cache(tmp_path, cli,
                                                                       monkeypatch):
    root = tiny(tmp_path)
    age(root)
    assert cli("build", "--root", root).exit_code == 0
    (root / ".assembler/render-cache.json").unlink()
    _full_disk(monkeypatch)  # this check renders and would record the cache
    assert cli("check", "--root", root).exit_code == 0
    assert not [name for name in listing(root / ".assembler") if name.endswith(".tmp")]
    assert not (root / ".assembler/render-cache.json").exists()
    (root / "_blocks/rules.md").write_text("## Rules\n\n- be very brief\n")
    age(root)
    assert cli("check", "--root", root).exit_code == 1
    monkeypatch.undo()
    assert cli("check", "--root", root).exit_code == 1


def test_a_temporary_file_removed_by_another_build_is_written_again(tmp_path, cli, monkeypatch):
    """A build running beside this one takes this one's temporary file for a killed build's
    and removes it, before this one renames it into place."""
    import assembler.outputs.write as write

    root = tiny(tmp_path)
    real = write.os.chmod
    removed = []

    def chmod(path, mode, *args, **kwargs):
        real(path, mode, *args, **kwargs)
        if not removed and str(path).endswith(".tmp"):
            removed.append(path)
            os.unlink(path)

    monkeypatch.setattr(write.os, "chmod", chmod)
    result = cli("build", "--root", root)
    assert (result.exit_code, result.stdout) == (0, "created agents/a.md\n1 written, 0 unchanged.\n")
    assert removed and sorted(p.name for p in (root / "agents").iterdir()) == ["a.md"]
    monkeypatch.undo()
    assert cli("check", "--root", root).exit_code == 0


def test_an_orphan_removed_by_another_build_meanwhile_is_no_error(tmp_path, cli, monkeypatch):
    from pathlib import PosixPath

    root = tiny(tmp_path)
    assert cli("build", "--root", root).exit_code == 0
    temp = _left_by_a_killed_build(root)
    real = PosixPath.unlink

    def unlink(self, missing_ok=False):
        if self == temp:  # the other build got there first
            real(self)
        return real(self, missing_ok)

    monkeypatch.setattr(PosixPath, "unlink", unlink)
    result = cli("build", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not temp.exists()


def test_lipsum_gives_the_same_text_every_render(tmp_path, cli, monkeypatch):
    """A block using `lipsum` must render the same bytes each time, or every check would
    call the outputs stale (and a cached check would disagree with an uncached one)."""
    root = tiny(tmp_path, **{"_blocks/rules.md": "## Rules\n\n{{ lipsum(2) }}\n"})
    assert cli("build", "--root", root).exit_code == 0
    monkeypatch.setenv("ASSEMBLER_NO_CACHE", "1")
    assert cli("check", "--root", root).exit_code == 0
