"""The cross-file checks of ``sources.catalog``, read from ``load_partial``'s diagnostics.

Handoff targets (by name across subfolders, by path, to a manifest that failed to
load), ``name`` against the file stem, ``required_fields`` and ``required_blocks``
(directly, in ``footer``, through a role and its parents, dropped by ``relaxes``).
Each test names the exact diagnostics: file, line, column, message and hint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assembler.sources.catalog import load_partial

from .conftest import MINI, write_tree


def manifest(name: str, *handoffs: str, blocks=("baseline", "footer"), extra: str = "") -> str:
    """A valid manifest; handoff targets follow as ``[[handoff]]`` tables."""
    text = (f'name = "{name}"\ndescription = "The {name} agent."\n'
            f"blocks = {json.dumps(list(blocks))}\n{extra}")
    for target in handoffs:
        text += f'\n[[handoff]]\ntarget = "{target}"\ntrigger = "when needed"\n'
    return text


def catalog(tmp_path: Path, files: dict[str, str], drop: tuple[str, ...] = ()) -> Path:
    """The small catalog with ``files`` added or replaced and ``drop`` removed."""
    base = {rel: text for rel, text in MINI.items() if rel not in drop}
    root = write_tree(tmp_path / "catalog", base)
    for rel, text in files.items():  # written as is: line numbers below count on it
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problems(root: Path) -> list[tuple]:
    _, diagnostics = load_partial(root, root)
    return [(d.path, d.line, d.column, d.message, d.hint) for d in diagnostics]


def loaded(root: Path) -> list[str]:
    found, _ = load_partial(root, root)
    return [agent.id for agent in found.agents]


def target_line(text: str, target: str) -> int:
    return text.split("\n").index(f'target = "{target}"') + 1


# -- handoffs --------------------------------------------------------------------------------
def test_a_name_shared_by_two_subfolders_is_ambiguous(tmp_path):
    gamma = manifest("gamma", "helper")
    root = catalog(tmp_path, {"_manifests/gamma.toml": gamma,
                              "_manifests/ml/helper.toml": manifest("helper"),
                              "_manifests/ops/helper.toml": manifest("helper")})
    assert problems(root) == [(
        "_manifests/gamma.toml", target_line(gamma, "helper"), 10,
        "handoff target `helper` is ambiguous: `ml/helper`, `ops/helper`",
        "write the target as its path under the manifests folder: `ml/helper` or `ops/helper`",
    )]
    # the handoff is reported, the agents still load (and can be rendered and checked)
    assert sorted(loaded(root)) == ["alpha", "beta", "gamma", "ml/helper", "ops/helper"]


def test_a_path_target_picks_one_of_the_same_named_agents(tmp_path):
    root = catalog(tmp_path, {"_manifests/gamma.toml": manifest("gamma", "ml/helper", "ops/helper"),
                              "_manifests/ml/helper.toml": manifest("helper"),
                              "_manifests/ops/helper.toml": manifest("helper")})
    assert problems(root) == []


def test_a_bare_name_finds_the_one_agent_in_a_subfolder(tmp_path):
    root = catalog(tmp_path, {"_manifests/gamma.toml": manifest("gamma", "helper"),
                              "_manifests/ml/helper.toml": manifest("helper")})
    assert problems(root) == []


def test_a_path_target_without_a_manifest_suggests_the_nearest_path(tmp_path):
    gamma = manifest("gamma", "ml/helpr", "ml")
    root = catalog(tmp_path, {"_manifests/gamma.toml": gamma,
                              "_manifests/ml/helper.toml": manifest("helper")})
    assert problems(root) == [
        ("_manifests/gamma.toml", target_line(gamma, "ml/helpr"), 10,
         "handoff to `ml/helpr`, which has no manifest", "did you mean `ml/helper`?"),
        # a folder is no agent; a bare name is looked up among the names
        ("_manifests/gamma.toml", target_line(gamma, "ml"), 10,
         "handoff to `ml`, which has no manifest", "known agents: `alpha`, `beta`, `gamma`, `helper`"),
    ]


def test_a_path_target_is_not_matched_by_its_last_part(tmp_path):
    """`ops/helper` names that file, not any agent called `helper`."""
    gamma = manifest("gamma", "ops/helper")
    root = catalog(tmp_path, {"_manifests/gamma.toml": gamma,
                              "_manifests/ml/helper.toml": manifest("helper")})
    assert problems(root) == [
        ("_manifests/gamma.toml", target_line(gamma, "ops/helper"), 10,
         "handoff to `ops/helper`, which has no manifest", "did you mean `ml/helper`?"),
    ]


def test_a_handoff_to_a_manifest_that_failed_to_load_is_not_reported_again(tmp_path):
    broken = manifest("delta").replace("description", "descripton")
    root = catalog(tmp_path, {"_manifests/gamma.toml": manifest("gamma", "delta"),
                              "_manifests/delta.toml": broken})
    assert problems(root) == [
        ("_manifests/delta.toml", 1, 1, "missing required key `description`", "add `description = …`"),
        ("_manifests/delta.toml", 2, 1, "unknown key `descripton`", "did you mean `description`?"),
    ]
    assert "delta" not in loaded(root) and "gamma" in loaded(root)


def test_a_schema_error_does_not_hide_the_other_errors_of_its_manifest(tmp_path):
    """One run reports every problem: the handoff is checked although `model` is wrong."""
    bad = manifest("gamma", "nobody", extra='model = 3\n')
    root = catalog(tmp_path, {"_manifests/gamma.toml": bad})
    assert problems(root) == [
        ("_manifests/gamma.toml", 4, 9, "`model` must be a string, not an integer",
         'quote the value: key = "text"'),
        ("_manifests/gamma.toml", 7, 10, "handoff to `nobody`, which has no manifest",
         "known agents: `alpha`, `beta`, `gamma`"),
    ]
    assert "gamma" not in loaded(root)


# -- name against file stem ----------------------------------------------------------------------
def test_name_is_compared_with_the_file_stem_not_the_id(tmp_path):
    root = catalog(tmp_path, {"_manifests/ml/trainer.toml": manifest("trainer")})
    assert problems(root) == []
    assert "ml/trainer" in loaded(root)


def test_a_name_that_repeats_the_folder_is_a_mismatch(tmp_path):
    root = catalog(tmp_path, {"_manifests/ml/trainer.toml": manifest("ml-trainer")})
    assert problems(root) == [(
        "_manifests/ml/trainer.toml", 1, 8,
        "`name` 'ml-trainer' does not match the file name `trainer.toml`",
        "set `name = \"trainer\"` or rename the file to `ml-trainer.toml`",
    )]
    assert "ml/trainer" not in loaded(root)


def test_a_name_that_is_no_slug_gets_the_slug_message_only(tmp_path):
    root = catalog(tmp_path, {"_manifests/trainer.toml": manifest("Trainer")})
    [(path, line, column, message, hint)] = problems(root)
    assert (path, line, column, message) == ("_manifests/trainer.toml", 1, 8,
                                             "`name` 'Trainer' is not a slug")
    assert hint.startswith("use lowercase letters, digits and single hyphens")


# -- required fields -------------------------------------------------------------------------
def with_config(extra: str) -> dict[str, str]:
    config = MINI["assembler.toml"].replace('regenerate = "make agents"',
                                            f'regenerate = "make agents"\n{extra}')
    return {"assembler.toml": config}


def test_required_fields_missing_or_empty_are_each_located(tmp_path):
    gamma = manifest("gamma", extra='domain_in = []\ntools = ["Read"]\n')
    files = with_config('required_fields = ["domain_in", "model", "tools"]')
    files["_manifests/gamma.toml"] = gamma
    root = catalog(tmp_path, files, drop=("_manifests/alpha.toml", "_manifests/beta.toml"))
    hint = "add `{}` to this manifest, or remove it from `required_fields`"
    assert problems(root) == [
        ("_manifests/gamma.toml", 4, 1,
         "`domain_in` is required by the catalog config but is empty or missing",
         hint.format("domain_in")),
        ("_manifests/gamma.toml", 1, 1,
         "`model` is required by the catalog config but is empty or missing", hint.format("model")),
    ]
    assert loaded(root) == []


def test_required_field_unknown_to_the_schema_is_a_config_error(tmp_path):
    root = catalog(tmp_path, with_config('required_fields = ["colour"]'))
    [(path, line, column, message, hint)] = problems(root)
    assert (path, line, column, message) == (
        "assembler.toml", 4, 20, "`required_fields[0]` has an unsupported value 'colour'")
    assert hint.startswith("use one of: 'role', 'domain_in'")


# -- required blocks -----------------------------------------------------------------------------
ROLE_WITH_FOOTER = 'blocks = ["policy/no-git", "footer"]\n'


def test_a_required_block_may_come_from_the_role(tmp_path):
    gamma = manifest("gamma", blocks=["baseline"], extra='substrate_role = "closer"\n')
    root = catalog(tmp_path, {"_roles/closer.toml": ROLE_WITH_FOOTER, "_manifests/gamma.toml": gamma})
    assert problems(root) == []


def test_a_required_block_may_come_from_the_roles_parent(tmp_path):
    gamma = manifest("gamma", blocks=["baseline"], extra='substrate_role = "child"\n')
    root = catalog(tmp_path, {"_roles/closer.toml": ROLE_WITH_FOOTER,
                              "_roles/child.toml": 'extends = "closer"\nblocks = []\n',
                              "_manifests/gamma.toml": gamma})
    assert problems(root) == []


def test_a_required_block_the_role_relaxes_is_missing(tmp_path):
    gamma = manifest("gamma", blocks=["baseline"], extra='substrate_role = "child"\n')
    root = catalog(tmp_path, {
        "_roles/closer.toml": ROLE_WITH_FOOTER,
        "_roles/child.toml": 'extends = "closer"\nrelaxes = ["footer"]\nblocks = []\n',
        "_manifests/gamma.toml": gamma})
    assert problems(root) == [(
        "_manifests/gamma.toml", 3, 1, "required block `footer` is not included",
        'add "footer" to `blocks` (the catalog config requires it in every agent)',
    )]


def test_a_required_block_in_footer_counts(tmp_path):
    gamma = manifest("gamma", blocks=["baseline"], extra='footer = ["footer"]\n')
    root = catalog(tmp_path, {"_manifests/gamma.toml": gamma})
    assert problems(root) == []


def test_a_manifest_without_blocks_is_told_at_line_one(tmp_path):
    text = 'name = "gamma"\ndescription = "The gamma agent."\n'
    root = catalog(tmp_path, {"_manifests/gamma.toml": text})
    hint = 'add "{}" to `blocks` (the catalog config requires it in every agent)'
    assert problems(root) == [
        ("_manifests/gamma.toml", 1, 1, "required block `baseline` is not included",
         hint.format("baseline")),
        ("_manifests/gamma.toml", 1, 1, "required block `footer` is not included",
         hint.format("footer")),
    ]


def test_an_unknown_block_is_reported_without_required_block_noise(tmp_path):
    gamma = manifest("gamma", blocks=["basline"])
    root = catalog(tmp_path, {"_manifests/gamma.toml": gamma})
    assert [p[3] for p in problems(root)] == ["unknown block `basline` (no _blocks/basline.md)"]


def test_a_required_block_that_does_not_exist_is_one_config_error(tmp_path):
    config = MINI["assembler.toml"].replace('["baseline", "footer"]', '["baseline", "footer", "gone"]')
    root = catalog(tmp_path, {"assembler.toml": config})
    assert [(p[0], p[3]) for p in problems(root)] == [
        ("assembler.toml", "unknown block `gone` (no _blocks/gone.md)")]
    assert sorted(loaded(root)) == ["alpha", "beta"]


@pytest.mark.parametrize("role", ["reader", "editor"])
def test_a_role_without_a_required_block_does_not_supply_it(tmp_path, role):
    """A role adds its blocks only: `baseline` still has to be named by the manifest."""
    gamma = manifest("gamma", blocks=["footer"], extra=f'substrate_role = "{role}"\n')
    root = catalog(tmp_path, {"_manifests/gamma.toml": gamma})
    assert [p[3] for p in problems(root)] == ["required block `baseline` is not included"]
