"""`assembler schema`: the JSON Schemas editors use agree with the loader.

Every example file in the repository validates against the emitted schema, and
a misspelt key fails both the schema and the tool's own validation.
"""

from __future__ import annotations

import datetime
import json
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from assembler.targets.input_schemas import KINDS

from .conftest import MINI, REPO, write_tree

CATALOGS = [REPO, REPO / "conformance" / "catalogs" / "every-field",
            REPO / "tests" / "fixtures" / "seed_shape"]


def _json(value):
    """TOML data as an editor's TOML-to-JSON conversion gives it (dates as strings)."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validators(tmp_path_factory):
    """One validator per kind, from the printed JSON (what an editor reads)."""
    from typer.testing import CliRunner

    from assembler.cli.app import app

    out = {}
    for kind in KINDS:
        printed = CliRunner().invoke(app, ["schema", kind])
        assert printed.exit_code == 0, printed.output
        schema = json.loads(printed.stdout)
        Draft202012Validator.check_schema(schema)
        out[kind] = Draft202012Validator(schema)
    return out


def _examples() -> list[tuple[str, Path]]:
    files = []
    for root in CATALOGS:
        files.append(("config", root / "assembler.toml"))
        files += [("manifest", path) for path in sorted((root / "_manifests").rglob("*.toml"))]
        files += [("role", path) for path in sorted((root / "_roles").rglob("*.toml"))]
        files += [("skill", path) for path in sorted((root / "_skills").glob("*/skill.toml"))]
    return files


EXAMPLES = _examples()


def test_the_examples_cover_every_kind_and_the_target_tables():
    assert {kind for kind, _ in EXAMPLES} == set(KINDS)
    every_field = tomllib.loads((CATALOGS[1] / "assembler.toml").read_text())
    assert len(every_field["targets"]) >= 5  # per-target tables are exercised
    assert len([path for kind, path in EXAMPLES if kind == "skill"]) >= 5
    assert any("targets" in tomllib.loads(path.read_text()) for kind, path in EXAMPLES
               if kind == "skill")  # and a skill's


@pytest.mark.parametrize("kind, path", EXAMPLES, ids=[str(p.relative_to(REPO)) for _, p in EXAMPLES])
def test_every_example_file_validates(validators, kind, path):
    data = _json(tomllib.loads(path.read_text(encoding="utf-8")))
    errors = [e.message for e in validators[kind].iter_errors(data)]
    assert errors == []


TYPOS = [
    ("manifest", "_manifests/alpha.toml", 'blokcs = ["baseline"]\n', "unknown key `blokcs`"),
    ("manifest", "_manifests/beta.toml", '\n[targets.claude-code]\nmaxTurn = 3\n',
     "unknown key `targets.claude-code.maxTurn`"),
    ("manifest", "_manifests/beta.toml", '\n[targets.claude-code]\ncolor = "teal"\n',
     "`targets.claude-code.color` has an unsupported value 'teal'"),
    ("config", "assembler.toml", 'outptu = "agents"\n', "unknown key `outptu`"),
    ("role", "_roles/editor.toml", 'extend = "reader"\n', "unknown key `extend`"),
    ("skill", "_skills/notes/skill.toml", 'when_to_us = "later"\n', "unknown key `when_to_us`"),
    ("skill", "_skills/notes/skill.toml", '\n[targets.claude-code]\nargument_hint = "<x>"\n',
     "unknown key `targets.claude-code.argument_hint`"),
    ("skill", "_skills/notes/skill.toml", '\n[targets.claude-code]\neffort = "extreme"\n',
     "`targets.claude-code.effort` has an unsupported value 'extreme'"),
    ("skill", "_skills/notes/skill.toml", '\n[targets.factory]\nenabled = false\n',
     "target factory reads no skills"),
    ("skill", "_skills/notes/skill.toml", 'compatibility = "' + "x" * 501 + '"\n',
     "`compatibility` has 501 characters"),
]
SKILL = {"_skills/notes/skill.toml": '''
    name = "notes"
    description = "Takes notes."
    blocks = ["baseline"]
    '''}


@pytest.mark.parametrize("kind, rel, line, message", TYPOS, ids=[t[3] for t in TYPOS])
def test_a_planted_typo_fails_the_schema_and_the_loader(validators, cli, tmp_path, kind, rel, line,
                                                        message):
    root = write_tree(tmp_path / "catalog", {**MINI, **SKILL})
    path = root / rel
    text = path.read_text()
    # a top-level key goes before the first table, a table at the end
    text = text + line if line.startswith("\n") else line + text
    path.write_text(text)
    data = _json(tomllib.loads(text))
    assert list(validators[kind].iter_errors(data)) != []
    result = cli("check", "--root", root)
    assert result.exit_code == 2
    assert message in result.stdout + result.stderr


def test_per_target_tables_know_each_target(validators):
    schema = validators["manifest"].schema
    tables = schema["properties"]["targets"]["properties"]
    assert "sandbox_mode" in tables["codex"]["properties"]
    assert "folder" not in tables["codex"]["properties"]  # a catalog setting, not a manifest one
    config_tables = validators["config"].schema["properties"]["targets"]["anyOf"][1]["properties"]
    assert "folder" in config_tables["codex"]["properties"]
    assert not validators["config"].is_valid({"targets": ["claude-code", "codx"]})
    assert validators["config"].is_valid({"targets": {"codex": {"folder": "x"}}})


def test_an_unknown_kind_is_a_usage_error(cli):
    result = cli("schema", "manfest")
    assert result.exit_code == 2
    assert "did you mean `manifest`?" in result.stdout + result.stderr


def test_a_skill_description_is_measured_trimmed_as_the_loader_measures_it(validators):
    def ok(description: str) -> bool:
        return validators["skill"].is_valid({"name": "notes", "description": description})

    assert ok("x") and ok("x" * 1024) and ok("\n" + "x" * 1024 + "\n  ")
    assert not ok("") and not ok(" \n ") and not ok("x" * 1025)
    assert not validators["skill"].is_valid({"name": "Notes", "description": "d"})
