"""The compatibility keys of the config are checked at their own line, with a fix."""

from __future__ import annotations

import pytest

from assembler.outputs.banner import read_banner, stamp, strip_banner
from assembler.sources.pathatoms import rewrite
from assembler.targets.base import PLACEHOLDER
from tests.conftest import write_tree


@pytest.mark.parametrize("line, message", [
    ('banner = "made from {sorce}"', "assembler.toml:1:10: error: `banner` uses an unknown "
     "placeholder {sorce}"),
    ('banner = "made by hand"', "assembler.toml:1:10: error: `banner` names neither {source} "
     "nor {name}"),
    ('banner = "from {source} }"', "assembler.toml:1:10: error: `banner` is not a valid template"),
    ('role_format = "capabilities"', "assembler.toml:1:15: error: `role_format = \"capabilities\"` "
     "needs a capabilities folder"),
    ('capabilities = "../caps"', "assembler.toml:1:16: error: `capabilities` (`../caps`) leaves "
     "the catalog"),
    ('[extra_keys]\nmanifest = ["tools"]', "assembler.toml:13:13: error: `tools` is already a "
     "manifest field, not an extra key"),
    ('path_atoms = ["a/b"]', "assembler.toml:1:15: error: path atom 'a/b' is not a plain name"),
    ('block_syntax = "raw"', "assembler.toml:1:16: error: `block_syntax` has an unsupported value"),
])
def test_a_bad_compatibility_key_is_a_located_error(mini, cli, line, message):
    config = mini / "assembler.toml"  # a table goes last, so that it takes no other key
    text = config.read_text()
    config.write_text(text + line + "\n" if line.startswith("[") else line + "\n" + text)
    result = cli("check", "--root", mini)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_handoff_to_an_undeclared_outside_agent_is_still_an_error(mini, cli):
    manifest = mini / "_manifests" / "alpha.toml"
    manifest.write_text(manifest.read_text().replace('target = "beta"', 'target = "helper"'))
    assert "handoff to `helper`, which has no manifest" in cli("check", "--root", mini).stderr
    config = mini / "assembler.toml"
    config.write_text('external_agents = ["helper"]\n' + config.read_text())
    assert cli("build", "--root", mini).exit_code == 0


def test_a_templated_banner_reads_back_with_or_without_a_hash():
    text = f"---\nname: x\n---\n\n{PLACEHOLDER}\n\n# ROLE\n"
    hashed = "{name} from {source}, run {regenerate}. {hash}"
    data = stamp(text, "_manifests/x.toml", "make", template=hashed, name="x").encode()
    info = read_banner(data, template=hashed)
    assert info is not None and (info.source, info.intact, info.line) == ("_manifests/x.toml", True, 5)
    assert read_banner(data.replace(b"# ROLE", b"# ROLES"), template=hashed).intact is False
    assert read_banner(data) is None  # not the tool's own words
    plain = "from {source} - DO NOT EDIT"
    data = stamp(text, "_manifests/x.toml", "make", template=plain).encode()
    assert b"<!-- from _manifests/x.toml - DO NOT EDIT -->\n" in data
    assert read_banner(data, template=plain).intact is None
    assert strip_banner(data, template=plain, blank=True) == b"---\nname: x\n---\n\n# ROLE\n"


def test_path_atoms_are_rewritten_only_for_the_listed_names():
    assert rewrite("path:rules/a.md", ["rules"]) == "{path::rules}/a.md"
    assert rewrite("path:rules", ["rules"]) == "{path::rules}"
    assert rewrite("path:other/a.md", ["rules"]) is None
    assert rewrite("docs/path:rules/a.md", ["rules"]) is None


def test_verbatim_blocks_are_used_as_written(tmp_path, cli):
    root = write_tree(tmp_path / "c", {
        "assembler.toml": 'block_syntax = "verbatim"\n',
        "_blocks/ci.md": "\n---\ntitle: x\n---\nUse ${{ secrets.KEY }} and {% raw %}.  \n\n",
        "_manifests/a.toml": 'name = "a"\ndescription = "d"\nblocks = ["ci"]\n',
    })
    assert cli("build", "--root", root).exit_code == 0
    out = (root / "agents" / "a.md").read_text()
    assert out.endswith("\n\n---\ntitle: x\n---\nUse ${{ secrets.KEY }} and {% raw %}.\n")
