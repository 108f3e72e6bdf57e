"""Fault injection: generated catalogs of every shape, good and bad, against the promises.

Hypothesis writes catalogs from random parts: TOML values of random types in
the config, manifests, roles and skill manifests (and broken TOML), block text
mixing Markdown with Jinja2 fragments (sandbox escapes, undefined names,
unclosed tags, frontmatter good and bad, bytes that are not UTF-8), a skill's
copied file (an executable script among them), and random names and folder
paths (``..``, absolute, empty, odd spellings). For every catalog:

- every command (build, check, lint, list, explain, uses, adopt, import) exits
  0, 1 or 2, never 3 (an internal error), and its JSON format prints a document;
- a build writes only inside the output folders and ``.assembler/``, and on
  exit 2 writes nothing at all; check, lint, list, explain and uses write
  nothing; import writes only into the catalog it is given, adopt nothing when
  it refuses;
- a check answered by the render cache says what an uncached one says, also
  after an input changed behind the cache's back (new content, old time);
- a build that succeeded is followed by a clean check, and a hand edit of a
  generated file survives the next build and an ``adopt`` of it.

``make test`` runs a few dozen catalogs, the same ones every run; ``make fuzz``
runs thousands, new ones each time (``ASSEMBLER_FAULTS=fuzz``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from assembler.cli.app import app

from .test_hostile import listing

settings.register_profile(
    "faults", max_examples=30, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large])
settings.register_profile("fuzz", parent=settings.get_profile("faults"), max_examples=1000,
                          derandomize=False)
PROFILE = settings.get_profile(os.environ.get("ASSEMBLER_FAULTS", "faults"))
LONG_AGO = 946_684_800  # 2000-01-01: old enough for the render cache to record the inputs
TARGETS = ("claude-code", "cursor", "codex", "copilot", "gemini", "qwen", "opencode",
           "factory", "kiro", "antigravity")
EDIT = "a hand edit that must survive\n"


# -- the parts of a catalog ------------------------------------------------------------------
def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\\/", "/")


def toml_key(key: str) -> str:
    ok = key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)
    return key if ok else toml_string(key)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(text, text)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)  # dates and times: TOML writes them bare


NAMES = st.sampled_from(["a", "b", "lead", "reviewer", "x-1", "A_1", "ünï", "a b", "con",
                         "-a", "a.b", "b" * 70, "1"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
SCALARS = st.one_of(TEXT, NAMES, st.integers(-2**70, 2**70), st.floats(), st.booleans(),
                    st.dates(), st.sampled_from(["Read", "Edit", "Bash", "mcp__s__t", "sonnet",
                                                 "inherit", "footer", "body", "\n", "\r\n"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(NAMES | TEXT, inner, max_size=3), max_leaves=5)
FOLDERS = (st.sampled_from(["agents", "out", "./agents/", "agents//x", "x/.", ".claude/agents",
                            "agents/../agents", "ünï"]),
           st.sampled_from(["", ".", "..", "../outside", "/tmp/abs", "_blocks", "_manifests",
                            ".assembler/x", "a\\b", "\n"]))
JINJA = (st.sampled_from([
    "{{ agent.name }}", "{{ agent.id | upper }}", "{{ vars.team | default('none') }}",
    "{% if agent.tools %}tools{% endif %}", "{% for t in agent.tools %}- {{ t }}\n{% endfor %}",
    "{{ role }}", "{{ 'ab' * 3 }}", "{% for i in range(3) %}{{ i }}{% endfor %}", "{# note #}",
    "{% raw %}{{ x }}{% endraw %}", "{{ range(10) | list }}", "{{ 2 ** 10 }}",
    "{{ '%s' % agent.name }}", "{{ agent.handoffs | join(', ') }}", "{% set x = 1 %}{{ x }}",
    "{% macro m() %}m{% endmacro %}{{ m() }}", "{{ agent.description | length }}",
]), st.sampled_from([
    "{{ vars.nope }}", "{{ nope }}", "{{", "{%", "{% if x %}", "{% endfor %}", "{#",
    "{% include 'x.md' %}", "{% extends 'base' %}", "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}", "{{ self }}", "{{ lipsum(1) }}", "{{ 1 / 0 }}",
    "{{ banner }}", "{{ vars | tojson }}", "{{ agent.name.__class__ }}", "{{ 'x' * 10**7 }}",
    "{% for i in range(10**6) %}{% endfor %}", "{{ (1,) * 10**8 }}",
]))
MARKDOWN = st.one_of(TEXT, JINJA[0], st.sampled_from([
    "## Rules", "# Title", "- be brief", "```", "<!-- assembler: disable=AA402 -->",
    "[link](missing.md)", "[anchor](#nowhere)", "TODO: fill", "lorem ipsum", "\x1b[2J",
    "token = ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "---", "\t", "\u202e",
]))
FRONTMATTER = (st.sampled_from(["", "", "---\nplacement: footer\n---\n", "---\n---\n",
                                "---\ndescription: d\n---\n",
                                "---\ndeprecated: true\nremoved_after: 2020-01-01\n---\n"]),
               st.sampled_from(["---\nplacement: nowhere\n---\n", "---\ndescription: [\n---\n",
                                "---\nplacement: body\nplacement: footer\n---\n", "---\nopen\n"]))
GARBAGE = st.sampled_from(["= 1", "[", "[[x]", 'a = "', "a = 1\na = 2", "x = [1, 'a'",
                           "\x00", "[vars]\n[vars]", "a.b = 1\na = 2", "🙂 = 1"])


class Faults:
    """Draws the parts of one catalog, each one faulty with the catalog's own probability:
    most catalogs have none or a few faults, so they get past loading to render and write."""

    def __init__(self, draw):
        self.draw = draw
        self.percent = draw(st.sampled_from([0, 0, 0, 2, 5, 30]), label="fault percent")

    def faulty(self) -> bool:
        return self.percent > 0 and self.draw(st.integers(0, 99)) < self.percent

    def pick(self, good: st.SearchStrategy, bad: st.SearchStrategy = VALUES):
        return self.draw(bad if self.faulty() else good)

    def toml(self, keys: dict[str, object], required: tuple[str, ...] = ()) -> bytes:
        """The ``required`` keys and some of the others, maybe an unknown key or a broken line.

        ``keys`` maps a key to a strategy for good values, or to a (good, bad) pair.
        """
        draw = self.draw
        chosen = [key for key in required if not self.faulty()]
        chosen += draw(st.lists(st.sampled_from(sorted(set(keys) - set(required))), unique=True,
                                max_size=3))
        lines = []
        for key in chosen:
            good, bad = keys[key] if isinstance(keys[key], tuple) else (keys[key], VALUES)
            lines.append(f"{toml_key(key)} = {toml_value(self.pick(good, bad))}")
        if self.faulty():
            lines.append(f"{toml_key(draw(NAMES | TEXT))} = {toml_value(draw(VALUES))}")
        if self.faulty():
            lines.insert(draw(st.integers(0, len(lines))), draw(GARBAGE))
        return ("\n".join(lines) + "\n").encode()


@st.composite
def catalogs(draw) -> dict[str, bytes]:
    """Relative path → bytes of one catalog."""
    faults = Faults(draw)
    pick = faults.pick
    blocks = [pick(st.just(name), st.sampled_from(["ünï", "A_B", "x y"])) for name in
              draw(st.lists(st.sampled_from(["rules", "style", "team/policy", "footer"]),
                            min_size=1, max_size=3, unique=True))]
    blocks = list(dict.fromkeys(blocks))
    manifests = [pick(st.just(name), st.sampled_from(["A_1", "x y", "b" * 70])) for name in
                 draw(st.lists(st.sampled_from(["a", "b", "team/lead"]), min_size=1, max_size=3,
                               unique=True))]
    manifests = list(dict.fromkeys(manifests))
    roles = draw(st.lists(st.sampled_from(["reader", "editor"]), max_size=2, unique=True))
    bad_names = st.sampled_from(["missing", "../rules", "/etc/passwd", ""])
    block_list = st.lists(st.sampled_from(blocks), max_size=3, unique=True)
    block_lists = (block_list, st.lists(bad_names, min_size=1, max_size=2) | VALUES)
    target_tables = st.dictionaries(st.sampled_from(TARGETS[:4]), st.fixed_dictionaries(
        {}, optional={"folder": FOLDERS[0], "enabled": st.booleans(),
                      "model": st.just("inherit")}), max_size=3)
    manifest_tables = st.dictionaries(st.sampled_from(TARGETS[:4]), st.fixed_dictionaries(
        {}, optional={"enabled": st.booleans(), "model": st.just("inherit")}), max_size=3)
    files: dict[str, bytes] = {}
    files["assembler.toml"] = faults.toml({
        "output": FOLDERS, "manifests": (st.sampled_from(["_manifests", "./_manifests/"]),
                                         FOLDERS[1]),
        "blocks": (st.sampled_from(["_blocks", "_blocks//."]), FOLDERS[1]),
        "roles": (st.just("_roles"), FOLDERS[1]), "templates": (st.just("_templates"), FOLDERS[1]),
        "skills": (st.just("_skills"), FOLDERS[1]),
        "targets": (st.lists(st.sampled_from(TARGETS[:4]), min_size=1, max_size=3, unique=True)
                    | target_tables, st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4)
                    | VALUES),
        "regenerate": (st.just("make agents"), st.sampled_from(["a\nb", ""]) | TEXT),
        "max_block_bytes": (st.integers(1000, 2_000_000), st.integers(-5, 999) | VALUES),
        "required_blocks": (st.just([]), block_list | block_lists[1]),
        "vars": st.dictionaries(st.sampled_from(["team", "x"]), VALUES, max_size=2),
        "lint": st.fixed_dictionaries({}, optional={"disable": st.lists(st.sampled_from(
            ["AA402", "AA9"]), max_size=2), "secret_entropy": st.floats(1, 6)}),
    })
    for name in manifests:
        stem = name.rsplit("/", 1)[-1]
        files[f"_manifests/{name}.toml"] = faults.toml({
            "name": (st.just(stem), NAMES), "description": TEXT.filter(str.strip),
            "blocks": block_lists,
            "tools": (st.lists(st.sampled_from(["Read", "Edit", "Bash", "Grep"]), max_size=3,
                               unique=True),
                      st.lists(st.sampled_from(["Nope", "mcp__s__t", ""]), max_size=2) | VALUES),
            "model": (st.sampled_from(["sonnet", "inherit"]), st.just("nope") | VALUES),
            **({"substrate_role": (st.sampled_from(roles), st.just("ghost") | VALUES)} if roles
               else {}),
            "role": TEXT, "domain_in": st.lists(TEXT, max_size=2),
            "vars": st.dictionaries(st.sampled_from(["team", "x"]), VALUES, max_size=2),
            "final_newlines": (st.integers(0, 3), st.integers(-2, 2000) | VALUES),
            "newline": (st.sampled_from(["lf", "crlf"]), st.sampled_from(["\n", "x"]) | VALUES),
            "footer": block_lists, "targets": (manifest_tables, target_tables | VALUES),
        }, required=("name", "description", "blocks"))
        if draw(st.integers(0, 3)) == 0:  # a handoff, to a known agent or not
            target = pick(st.sampled_from(manifests), st.just("ghost"))
            files[f"_manifests/{name}.toml"] += (
                f'\n[[handoff]]\ntarget = "{target}"\ntrigger = "t"\n').encode()
    for name in roles:
        files[f"_roles/{name}.toml"] = faults.toml({
            "blocks": block_lists, "description": TEXT,
            **({"extends": (st.just("reader"), st.sampled_from(["ghost", name]))}
               if name == "editor" and "reader" in roles else {}),  # never a cycle, unless faulty
            "preamble": TEXT, "relaxes": (st.just([]), st.lists(bad_names, max_size=2)),
        }, required=("blocks",))
    for name in blocks:
        lines = [pick(MARKDOWN, JINJA[1]) for _ in range(draw(st.integers(1, 8)))]
        data = (pick(*FRONTMATTER) + "\n".join(lines) + "\n").encode()
        if faults.faulty():
            ending = draw(st.sampled_from(["crlf", "bom", "latin-1"]))
            if ending == "crlf":
                data = data.replace(b"\n", b"\r\n")
            elif ending == "bom":
                data = b"\xef\xbb\xbf" + data
            else:
                data += b"caf\xe9\n"
        files[f"_blocks/{name}.md"] = data
    for name in draw(st.lists(st.sampled_from(["notes", "release-check"]), max_size=2,
                              unique=True)):
        folder = pick(st.just(name), st.sampled_from(["Bad_Name", "x y", "-a"]))
        files[f"_skills/{folder}/skill.toml"] = faults.toml({
            "name": (st.just(folder), NAMES),
            "description": (TEXT.filter(str.strip), st.sampled_from(["", " ", "d" * 1025]) | VALUES),
            "blocks": (st.lists(st.sampled_from(blocks), max_size=2, unique=True).map(
                lambda names: ["@intro", *names]),
                       st.lists(bad_names | st.sampled_from(["@nothing", "@when_to_use"]),
                                min_size=1, max_size=2) | VALUES),
            "when_to_use": TEXT.filter(str.strip), "license": TEXT.filter(str.strip),
            "compatibility": (TEXT.filter(str.strip), st.just("c" * 501) | VALUES),
            "allowed_tools": (st.lists(st.sampled_from(["Read", "Bash(git log *)", "mcp__s__t"]),
                                       max_size=2, unique=True),
                              st.lists(st.sampled_from(["Nope", "Read Write", "Bash("]),
                                       min_size=1, max_size=2) | VALUES),
            "metadata": (st.dictionaries(st.sampled_from(["owner", "v"]), TEXT, max_size=2),
                         st.dictionaries(TEXT, VALUES, min_size=1, max_size=2)),
            "targets": (st.sampled_from([{}, {"claude-code": {"argument-hint": "<x>"}},
                                         {"codex": {"enabled": False}}]),
                        st.dictionaries(st.sampled_from(["claude-code", "codex", "factory", "x"]),
                                        st.dictionaries(st.sampled_from(
                                            ["enabled", "effort", "argument-hint", "folder"]),
                                            VALUES, max_size=2), min_size=1, max_size=2)),
            "deprecated": st.booleans() | TEXT, "removed_after": st.dates(),
        }, required=("name", "description", "blocks"))
        if not faults.faulty():  # the text `"@intro"` places
            intro = "\n".join(draw(st.lists(MARKDOWN, min_size=1, max_size=3)))
            files[f"_skills/{folder}/skill.toml"] += f"\n[text]\nintro = {toml_value(intro)}\n".encode()
        copied = pick(st.sampled_from(["references/notes.md", "scripts/run.sh", "assets/a.txt",
                                       "notes.md"]), st.sampled_from(["SKILL.md", "skill.md"]))
        lines = [pick(MARKDOWN, JINJA[1]) for _ in range(draw(st.integers(0, 3)))]
        files[f"_skills/{folder}/{copied}"] = ("\n".join(lines) + "\n").encode()
    if draw(st.integers(0, 5)) == 0:  # a layout override
        lines = [pick(JINJA[0], JINJA[1]) for _ in range(draw(st.integers(0, 4)))]
        files[f"_templates/{draw(st.sampled_from(['agent', 'claude-code']))}.md.j2"] = (
            "---\n{{ frontmatter }}---\n\n{{ banner }}\n\n" + "\n".join(lines) + "\n").encode()
    return files


# -- running and watching ----------------------------------------------------------------------
RUNNER = CliRunner()


def run(*args: str | Path, cache: bool = True) -> tuple[int, str, str]:
    """The CLI in-process; an exception that escapes it fails the test."""
    env = None if cache else {"ASSEMBLER_NO_CACHE": "1"}
    result = RUNNER.invoke(app, [str(a) for a in args], env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stdout, result.stderr)
    return result.exit_code, result.stdout, result.stderr


@contextmanager
def catalog_folder(files: dict[str, bytes]) -> Iterator[Path]:
    """The catalog in a fresh folder (beside an empty one that must stay empty), inputs aged."""
    base = Path(tempfile.mkdtemp(prefix="assembler-faults-"))
    try:
        (base / "outside").mkdir()
        root = base / "cat"
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if rel.endswith(".sh"):  # a skill's script: its mode is copied too
                path.chmod(0o755)
        age(root)
        yield root
    finally:
        shutil.rmtree(base, ignore_errors=True)


def age(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            os.utime(path, (LONG_AGO, LONG_AGO))


def changes(before: dict[str, bytes | None], after: dict[str, bytes | None]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path, 0) != after.get(path, 0)}


def output_folders(root: Path) -> list[str]:
    """Where the catalog's targets write, as the loader resolves it."""
    from assembler.outputs.drift import scans
    from assembler.sources.catalog import load_catalog

    return [Path(os.path.normpath(folder)).as_posix() for folder, *_ in scans(load_catalog(root))]


def assert_writes_allowed(root: Path, changed: set[str]) -> None:
    """Only the output folders and ``.assembler/`` changed (and the folders above an
    output folder may have been created)."""
    allowed = [*output_folders(root), ".assembler"]
    for path in changed:
        assert path.startswith("cat/"), f"wrote outside the catalog: {path}"
        rel = path[len("cat/"):]
        inside = any(rel == folder or rel.startswith(folder + "/") for folder in allowed)
        above = (root / rel).is_dir() and any(folder.startswith(rel + "/") for folder in allowed)
        assert inside or above, f"wrote {rel}, outside the output folders {allowed}"


def assert_cache_agrees(root: Path) -> tuple[int, str]:
    """``check`` with and without the render cache, twice over: the same answer."""
    uncached = run("check", "--root", root, cache=False)[:2]
    for _ in range(2):
        assert run("check", "--root", root)[:2] == uncached
    return uncached


# -- the invariants ----------------------------------------------------------------------------
@PROFILE
@given(files=catalogs(), data=st.data())
def test_any_catalog_keeps_the_promises(files, data):
    with catalog_folder(files) as root:
        base = root.parent
        before = listing(base)
        code, _, stderr = run("build", "--root", root)
        event(f"build exits {code}")
        event(f"{sum(rel.endswith('skill.toml') for rel in files)} skills, "
              f"{sum('SKILL.md' in p.name for p in _outputs(root))} SKILL.md built")
        changed = changes(before, listing(base))
        if code == 2:
            assert not changed, f"exit 2 but wrote {sorted(changed)}"
        else:
            assert_writes_allowed(root, changed)
        for args in (("lint",), ("lint", "--format", "json"), ("list", "--format", "json"),
                     ("check", "--format", "json"), _explain(root, data), _uses(files, data)):
            other, stdout, _ = run(*args, "--root", root)
            if args[0] in ("explain", "uses"):
                event(f"{args[0]} exits {other}")
            if "json" in args:
                json.loads(stdout)  # the document, whatever the outcome
            if args[0] == "check":
                assert (other == 2) == (code == 2), (other, code, stdout)
        assert changes(before, listing(base)) == changed, "a read-only command wrote"
        age(root)
        checked = assert_cache_agrees(root)
        if code == 0:
            assert checked[0] == 0, checked[1]  # a build that succeeded leaves it clean
        if code == 2:
            return
        _import_the_outputs(root, data)
        _change_an_input_behind_the_cache(root, data)
        assert_cache_agrees(root)
        edited = _edit_an_output_and_rebuild(root, data)
        assert_cache_agrees(root)
        if edited is not None:
            _adopt(root, edited)
            assert_cache_agrees(root)


def _outputs(root: Path) -> list[Path]:
    """The generated files on disk (none when the catalog no longer loads)."""
    try:
        folders = output_folders(root)
    except Exception:  # the catalog does not load: nothing was generated
        return []
    return sorted(p for folder in folders for p in (root / folder).rglob("*")
                  if p.is_file() and not p.is_symlink())


def _explain(root: Path, data) -> tuple[str, ...]:
    """``explain`` of a line of a generated file (an agent's name when there is none)."""
    outputs = _outputs(root)
    if not outputs:
        return ("explain", "a", "--format", "json")
    path = data.draw(st.sampled_from(outputs), label="explained file")
    lines = path.read_bytes().count(b"\n")
    line = data.draw(st.integers(0, lines + 1), label="explained line")
    where = path.relative_to(root).as_posix() + (f":{line}" if line else "")
    return ("explain", where, "--format", "json")


def _uses(files: dict[str, bytes], data) -> tuple[str, ...]:
    names = sorted(rel[len("_blocks/"):-3] for rel in files if rel.startswith("_blocks/"))
    name = data.draw(st.sampled_from([*names, "reader", "ghost"]), label="uses")
    return ("uses", name, "--format", "json")


def _import_the_outputs(root: Path, data) -> None:
    """``import`` of the generated files into a new catalog beside this one: it writes
    there only, and its JSON report is a document."""
    folders = sorted({p.relative_to(root).parts[0] for p in _outputs(root)})
    if not folders:
        return
    source = root / data.draw(st.sampled_from(folders), label="imported folder")
    base = root.parent
    before = listing(base)
    code, stdout, _ = run("import", source, "--root", base / "imported", "--format", "json")
    event(f"import exits {code}")
    json.loads(stdout)
    written = changes(before, listing(base))
    assert all(path.split("/")[0] == "imported" for path in written), sorted(written)
    if code == 2:
        assert not written, f"import exit 2 but wrote {sorted(written)}"
    shutil.rmtree(base / "imported", ignore_errors=True)


def _change_an_input_behind_the_cache(root: Path, data) -> None:
    """New content with the old modification time, as ``mv``, ``cp -p`` or ``tar`` leave it."""
    inputs = sorted(p for p in root.rglob("*") if p.is_file() and ".assembler" not in p.parts
                    and p.suffix in (".md", ".toml", ".j2") and not _is_output(root, p))
    if not inputs:
        return
    path = data.draw(st.sampled_from(inputs), label="changed input")
    text = data.draw(st.sampled_from(["\n- one more rule\n", "\n{{ agent.name }}\n", "x",
                                      '\nextra = "key"\n']), label="appended")
    info = path.stat()
    path.write_bytes(path.read_bytes() + text.encode())
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _is_output(root: Path, path: Path) -> bool:
    try:
        return any(path.relative_to(root).as_posix().startswith(folder + "/")
                   for folder in output_folders(root))
    except Exception:  # the catalog no longer loads: treat every file as an input
        return False


def _edit_an_output_and_rebuild(root: Path, data) -> Path | None:
    """A hand edit of a generated file, then a build: the edit survives. The edited file."""
    outputs = _outputs(root)  # none when the changed input broke the catalog: nothing lost
    if not outputs:
        return None
    path = data.draw(st.sampled_from(outputs), label="edited output")
    edited = path.read_bytes() + EDIT.encode()
    path.write_bytes(edited)
    code, _, _ = run("build", "--root", root)
    assert _edit_survives(root, path, edited), \
        f"the hand edit of {path.relative_to(root)} was lost (exit {code})"
    return path


def _edit_survives(root: Path, path: Path, edited: bytes) -> bool:
    """The edited file is as edited, or carries the edit, or a recovered copy holds it."""
    if path.is_file() and EDIT.encode() in path.read_bytes():
        return True
    recovered = root / ".assembler/recovered"
    return recovered.is_dir() and any(EDIT.encode() in p.read_bytes()
                                      for p in recovered.rglob("*") if p.is_file())


def _adopt(root: Path, path: Path) -> None:
    """``adopt`` of the hand-edited file: the edit goes into a source (and so stays in the
    rebuilt file) or is refused, and a refusal changes nothing but ``.assembler/``."""
    base = root.parent
    edited = path.read_bytes() if path.is_file() else b""
    before = listing(base)
    code, _, _ = run("adopt", path.relative_to(root).as_posix(), "--root", root)
    event(f"adopt exits {code}")
    written = {p for p in changes(before, listing(base)) if not p.startswith("cat/.assembler/")}
    if code != 0:
        assert not written, f"adopt exit {code} but wrote {sorted(written)}"
    assert _edit_survives(root, path, edited), \
        f"adopt lost the hand edit of {path.relative_to(root)} (exit {code})"
