"""The cache-only answer for check and build prints exactly what the full command prints."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assembler.cli.fastpath import parse

from .test_cache import age_inputs

FULL = "import sys; from assembler.cli.entry import run_full; sys.argv[0] = 'assembler'; run_full()"


def at_exit(expression: str) -> str:
    """Code that runs the entry point and, as it exits, writes ``expression`` to stderr."""
    return ("import atexit, sys; sys.argv[0] = 'assembler'; "
            f"atexit.register(lambda: sys.stderr.write({expression})); "
            "from assembler.cli.entry import main; main()")


SHORT = at_exit("'framework loaded\\n' if 'typer' in sys.modules else ''")


def run(code: str, args: list[str], cwd, **env: str):
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60, env={**os.environ, **env})


@pytest.fixture
def warm(mini, cli):
    age_inputs(mini)
    assert cli("build", "--root", mini).exit_code == 0
    return mini


ANSWERED = [
    ["check"], ["check", "-q"], ["check", "--diff"], ["check", "--format=github"],
    ["check", "--format", "json", "--diff"], ["build", "--force"], ["build", "--fail-on-change"],
]


@pytest.mark.parametrize("case", range(len(ANSWERED)))
def test_answers_match_the_full_command(warm, case):
    """Each option set once, from the root or with --root, with colour forced on or off."""
    args = ANSWERED[case]
    where, extra = [(warm, []), (warm.parent, ["--root", str(warm)]),
                    (warm.parent, [f"--root={warm}"])][case % 3]
    env = {"NO_COLOR": "1", "FORCE_COLOR": ""} if case % 2 else {"NO_COLOR": "", "FORCE_COLOR": "1"}
    full = run(FULL, args + extra, where, **env)
    short = run(SHORT, args + extra, where, **env)  # would add "framework loaded" if it fell back
    assert full.returncode == 0
    assert (short.returncode, short.stdout, short.stderr) == (full.returncode, full.stdout, full.stderr)


@pytest.mark.parametrize("args", [["check"], ["check", "--diff"], ["check", "--format", "json"],
                                  ["check", "--format", "github"], ["check", "-q"]])
def test_drift_and_bad_input_print_what_the_full_command_prints(warm, args):
    (warm / "agents" / "beta.md").write_text("hand written\n")
    full, short = run(FULL, args, warm), run(SHORT, args, warm)
    assert short.returncode == full.returncode == 1
    assert (short.stdout, short.stderr) == (full.stdout, full.stderr)
    manifest = warm / "_manifests" / "alpha.toml"
    manifest.write_text(manifest.read_text().replace("blocks =", "blokcs ="))
    full, short = run(FULL, args, warm), run(SHORT, args, warm)
    assert short.returncode == full.returncode == 2
    assert (short.stdout, short.stderr) == (full.stdout, full.stderr)


def test_a_check_never_loads_the_framework(warm):
    assert run(SHORT, ["check"], warm).stderr == ""
    assert run(SHORT, ["check"], warm, ASSEMBLER_NO_CACHE="1").stderr == ""
    (warm / "agents" / "beta.md").write_text("hand written\n")
    assert "framework loaded" not in run(SHORT, ["check"], warm).stderr
    assert run(SHORT, ["build"], warm).stderr.endswith("framework loaded\n")


@pytest.mark.parametrize("args", [
    [], ["list"], ["lint"], ["check", "--help"], ["build", "alpha"], ["check", "--format", "xml"],
    ["check", "--root"], ["check", "--root", "--diff"], ["check", "--root="], ["check", "-x"],
    ["check", "--force"], ["build", "--diff"], ["build", "--format", "json"], ["--version", "check"],
    ["build", "--sourcemap"], ["build", "--changed-since", "HEAD"], ["adopt", "agents/a.md"],
])
def test_everything_else_goes_to_the_full_command(args):
    assert parse(args) is None


def test_options_are_read_like_the_full_command_reads_them():
    assert parse(["check", "--root", "a", "--root=b", "--quiet", "--format", "json"]) == (
        "check", {"root": "b", "format": "json", "diff": False, "quiet": True})
    assert parse(["check", "--format", "text", "--format=github"])[1]["format"] == "github"
    assert parse(["build", "--force", "--root", "x"]) == (
        "build", {"root": "x", "format": "text", "diff": False, "quiet": False})


def test_a_cached_check_loads_neither_jinja2_nor_pydantic(warm):
    code = at_exit("' '.join(m for m in ('jinja2', 'pydantic') if m in sys.modules)")
    run(code, ["check"], warm)  # the first run may record the cache
    assert run(code, ["check"], warm).stderr == ""


def test_a_check_imports_only_the_formats_its_catalog_renders_to(mini):
    """The registry imports a target's module the first time the target is asked for."""
    code = at_exit("' '.join(sorted(m for m in sys.modules if m.startswith('assembler.targets.')))")
    loaded = run(code, ["check"], mini).stderr.split()
    assert "assembler.targets.claude_code" in loaded
    assert not {"assembler.targets.codex", "assembler.targets.gemini"} & set(loaded)


@pytest.mark.parametrize("header, loaded", [
    ("description: Rules for every agent.", ""), ('description: "Rules, quoted."', "yaml")])
def test_a_check_imports_pyyaml_only_for_a_header_plain_lines_cannot_say(mini, header, loaded):
    block = mini / "_blocks" / "baseline.md"
    block.write_text(f"---\n{header}\n---\n" + block.read_text())
    code = at_exit("'yaml' if 'yaml' in sys.modules else ''")
    result = run(code, ["check"], mini)  # not built: every file is rendered, and missing
    assert (result.returncode, result.stderr) == (1, loaded)


@pytest.mark.parametrize("args, code", [(["check"], 1), (["build"], 0), (["lint", "--nonesuch"], 2)])
def test_a_run_ends_without_tearing_down_the_interpreter(mini, args, code):
    """Its exit code and atexit functions are kept (its output: see the tests above, which
    run through the same exit); the objects are never freed."""
    probe = ("import atexit, sys\n"
             "class Freed:\n"
             "    def __del__(self): sys.stderr.write('torn down\\n')\n"
             "sys.modules['__main__'].kept = Freed()\n"
             "atexit.register(lambda: sys.stderr.write('exit functions ran\\n'))\n"
             "sys.argv[0] = 'assembler'\n"
             "from assembler.cli.entry import main; main()")
    result = run(probe, args, mini)
    assert result.returncode == code
    assert result.stderr.endswith("exit functions ran\n") and "torn down" not in result.stderr


@pytest.mark.parametrize("code, status, stderr", [(None, 0, ""), (3, 3, ""), ("no way", 1, "no way\n")])
def test_leaving_early_exits_as_sys_exit_would(code, status, stderr, tmp_path):
    result = run(f"from assembler.cli.entry import leave; leave({code!r})", [], tmp_path)
    assert (result.returncode, result.stderr) == (status, stderr)


def test_every_registered_target_is_made_from_the_module_its_line_names():
    from assembler.targets.registry import REGISTRY

    assert list(REGISTRY) == [target.name for target in REGISTRY.values()]
    assert "gemini" in REGISTRY and "nonesuch" not in REGISTRY and REGISTRY.get("nonesuch") is None


@pytest.mark.parametrize("code", [SHORT, FULL])
def test_both_paths_run_without_the_cyclic_collector(mini, code):
    """A run's graph of manifests and files lives until exit: scanning it only costs time."""
    probe = ("import atexit, gc, sys; atexit.register(lambda: sys.stderr.write("
             "f'collector {gc.isenabled()}'));" + code.removeprefix("import sys;"))
    result = run(probe, ["check"], mini)  # not built: every file is rendered, and missing
    assert result.returncode == 1 and result.stderr.endswith("collector False")
