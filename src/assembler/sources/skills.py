"""Skill sources: ``_skills/<name>/skill.toml`` and the files beside it.

A skill is written like an agent: a TOML manifest (validated, every problem at
its line) whose ``blocks`` list shared blocks and the skill's own ``[text]``
pieces (``"@key"``) in order. Every other file of the skill's folder
(``references/``, ``scripts/``, ``assets/``, …) is copied as it is, with its
file mode, next to the generated ``SKILL.md``.

The Agent Skills standard fixes the rules checked here: a name of 1–64
lowercase letters, digits and single hyphens equal to its folder, a description
of 1–1,024 characters, a compatibility note of at most 500, and metadata that
maps strings to strings.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..diagnostics import Diagnostics, printable
from . import walk
from .blocks import BlockLibrary
from .fidelity import TEXT_PREFIX
from .folders import has_control
from .schema import MAX_NAME_LENGTH, SLUG, report_validation_errors, validate
from .toml import TomlDocument, load_toml

MANIFEST = "skill.toml"
OUTPUT = "SKILL.md"
MAX_DESCRIPTION = 1_024
MAX_COMPATIBILITY = 500
WHEN_TO_USE = "when_to_use"  # `"@when_to_use"` in `blocks` places that section


class SkillManifest(BaseModel):
    """``_skills/<name>/skill.toml``: everything one skill says."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str
    description: str
    when_to_use: str | None = None
    license: str | None = None
    compatibility: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    allowed_tools: list[str] = Field(default_factory=list)
    blocks: list[str] = Field(default_factory=list)
    text: dict[str, str] = Field(default_factory=dict)
    vars: dict[str, Any] = Field(default_factory=dict)
    deprecated: bool | str = False  # true, or what replaces the skill
    removed_after: date | None = None
    # `[targets.<name>]`: a target's own fields for this skill, and `enabled = false`.
    targets: dict[str, dict[str, Any]] = Field(default_factory=dict)


@dataclass(frozen=True)
class SkillFile:
    """A file copied as it is from the skill's source folder."""

    rel: str  # path inside the skill folder, e.g. "scripts/check.sh"
    path: Path  # the source file
    mode: int  # permission bits, kept in the copy


@dataclass(frozen=True)
class Skill:
    """One skill manifest, validated, with the files it brings along."""

    id: str  # the folder name under the skills folder (equal to ``name``)
    manifest: SkillManifest
    source: str  # the manifest file, relative to the root
    document: TomlDocument
    files: tuple[SkillFile, ...]
    role: None = None  # skills have no substrate role (the composition's block context reads it)

    @property
    def folder(self) -> str:
        """The source folder, relative to the root."""
        return self.source.rsplit("/", 1)[0]

    @property
    def all_blocks(self) -> tuple[str, ...]:
        return tuple(name for name in self.manifest.blocks if not name.startswith(TEXT_PREFIX))


def load_skills(folder: Path, root: Path, library: BlockLibrary,
                diagnostics: Diagnostics) -> tuple[Skill, ...]:
    """Every valid skill under ``folder`` (none when it does not exist), sorted by name;
    every problem of every other one is recorded."""
    if not folder.is_dir():
        return ()
    skills = []
    for entry in sorted(os.scandir(folder), key=lambda item: item.name):
        rel = f"{folder.relative_to(root).as_posix()}/{entry.name}"
        if not entry.is_dir(follow_symlinks=False):
            if entry.is_symlink() or entry.name.startswith("."):
                continue
            diagnostics.error(
                rel, 1, 1, f"`{rel}` is a file in the skills folder, which holds one folder "
                "per skill", f"move it into a skill's folder, e.g. `{rel.rsplit('/', 1)[0]}/"
                f"<name>/{entry.name}`")
            continue
        skill = _load_skill(Path(entry.path), rel, root, library, diagnostics)
        if skill is not None:
            skills.append(skill)
    return tuple(skills)


def _load_skill(folder: Path, rel: str, root: Path, library: BlockLibrary,
                diagnostics: Diagnostics) -> Skill | None:
    name = folder.name
    if has_control(name):
        diagnostics.error(printable(rel), 1, 1, "the skill folder's name holds a control character",
                          "rename the folder: its name is the skill's name")
        return None
    files = _supporting_files(folder, rel, root, diagnostics)
    manifest_path = folder / MANIFEST
    source = f"{rel}/{MANIFEST}"
    if not manifest_path.is_file():
        diagnostics.error(source, 1, 1, f"skill folder `{rel}/` has no {MANIFEST}",
                          f"write `{source}` with `name = \"{name}\"` and a `description` "
                          "(`assembler new skill NAME` writes one), or move the folder out of "
                          "the skills folder")
        return None
    document = load_toml(manifest_path, source, diagnostics)
    if document is None:
        return None
    manifest, errors = validate(SkillManifest, document.data)
    if errors:
        report_validation_errors(errors, document, diagnostics, model=SkillManifest)
        return None
    assert manifest is not None
    before = len(diagnostics)
    check_skill(manifest, name, document, library, diagnostics)
    if files is None or len(diagnostics) != before:
        return None
    return Skill(name, manifest, source, document, files)


def check_skill(manifest: SkillManifest, folder: str, document: TomlDocument,
                library: BlockLibrary, diagnostics: Diagnostics) -> None:
    """The standard's rules, and the body's references, at their lines."""
    path = document.path
    at = partial(document.locate, value=True)
    name = manifest.name
    if not name or len(name) > MAX_NAME_LENGTH or not SLUG.match(name):
        diagnostics.error(path, *at(("name",)), f"`name` {name!r} is not a valid skill name",
                          f"use 1 to {MAX_NAME_LENGTH} lowercase letters, digits and single "
                          "hyphens, not at the start or the end (e.g. `release-notes`)")
    elif name != folder:
        diagnostics.error(path, *at(("name",)),
                          f"`name` {name!r} does not match the skill's folder `{folder}`",
                          f"set `name = \"{folder}\"` or rename the folder to `{name}` (clients "
                          "and the standard require them to be equal)")
    description = manifest.description.strip()
    if not description:
        diagnostics.error(path, *at(("description",)), "`description` is empty",
                          "say what the skill does and when to use it, in one paragraph")
    elif len(description) > MAX_DESCRIPTION:
        diagnostics.error(path, *at(("description",)),
                          f"`description` has {len(description)} characters; the Agent Skills "
                          f"standard allows at most {MAX_DESCRIPTION}",
                          "shorten it, and move detail into the body or `when_to_use`")
    compatibility = manifest.compatibility
    if compatibility is not None and not 1 <= len(compatibility.strip()) <= MAX_COMPATIBILITY:
        diagnostics.error(path, *at(("compatibility",)),
                          f"`compatibility` has {len(compatibility.strip())} characters; it must "
                          f"have 1 to {MAX_COMPATIBILITY}",
                          "name the environment the skill needs in a sentence, or remove the key")
    for key in ("license", WHEN_TO_USE):
        value = getattr(manifest, key)
        if value is not None and not value.strip():
            diagnostics.error(path, *at((key,)), f"`{key}` is empty",
                              "write it, or remove the key")
    for index, entry in enumerate(manifest.blocks):
        if not entry.startswith(TEXT_PREFIX):
            library.check(entry, document, ("blocks", index), diagnostics)
            continue
        key = entry[len(TEXT_PREFIX):]
        if key == WHEN_TO_USE:
            if manifest.when_to_use is None:
                diagnostics.error(path, *document.locate(("blocks", index)),
                                  f"`{entry}` places `when_to_use`, which this skill does not set",
                                  f"add `{WHEN_TO_USE} = \"…\"`, or remove `{entry}`")
        elif key not in manifest.text:
            diagnostics.error(path, *document.locate(("blocks", index)),
                              f"`{entry}` names no entry of this skill's [text] table",
                              f"add `{key} = \"\"\"…\"\"\"` under [text], or remove `{entry}`")
    placed = {entry[len(TEXT_PREFIX):] for entry in manifest.blocks if entry.startswith(TEXT_PREFIX)}
    for key in manifest.text:
        if key == WHEN_TO_USE:
            diagnostics.error(path, *document.locate(("text", key)),
                              f"`text.{WHEN_TO_USE}` clashes with the `{WHEN_TO_USE}` field",
                              f"write the text in `{WHEN_TO_USE}`, or give this piece another key")
        elif key not in placed:
            diagnostics.error(path, *document.locate(("text", key)),
                              f"text `{key}` is not placed: `blocks` has no \"{TEXT_PREFIX}{key}\"",
                              f"add \"{TEXT_PREFIX}{key}\" to `blocks` where it belongs, or remove it")


def _supporting_files(folder: Path, rel: str, root: Path,
                      diagnostics: Diagnostics) -> tuple[SkillFile, ...] | None:
    """The files copied beside ``SKILL.md``; None (and errors) when one cannot be."""
    found: list[SkillFile] = []
    ok = True
    linked: list[str] = []
    unreadable: list[str] = []
    real_root = root.resolve()
    for parts, entry in walk.files(folder, linked_folders=linked, unreadable=unreadable):
        inner = "/".join(parts)
        shown = printable(f"{rel}/{inner}")
        if inner == MANIFEST:
            continue
        if any(has_control(part) for part in parts) or "-->" in inner:
            diagnostics.error(shown, 1, 1, "the file's name holds a line break, a control "
                              "character or `-->`", "rename it: it is copied under the same name, "
                              "and SKILL.md names it in a comment")
            ok = False
        elif parts[-1].lower() == OUTPUT.lower():
            exact = parts[-1] == OUTPUT
            diagnostics.error(
                shown, 1, 1,
                f"`{parts[-1]}` in a skill's source folder: {OUTPUT} is generated from "
                f"{MANIFEST}" + ("" if exact else f", and clients load only a file named exactly "
                                 f"`{OUTPUT}` (a `{parts[-1]}` is skipped silently)"),
                f"move its text into `{rel}/{MANIFEST}` (`[text]` and `blocks`), then remove it")
            ok = False
        elif entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(real_root):
            diagnostics.error(shown, 1, 1, f"`{shown}` is a symbolic link to a file outside the "
                              "catalog", "copy the file into the skill's folder, or remove the link")
            ok = False
        else:
            try:
                mode = stat.S_IMODE(os.stat(entry.path).st_mode)
            except OSError as exc:
                diagnostics.error(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")
                ok = False
                continue
            found.append(SkillFile(inner, Path(entry.path), mode))
    for directory in linked + unreadable:
        shown = printable(Path(directory).relative_to(root).as_posix())
        what = "is a symbolic link to a folder" if directory in linked else "cannot be read"
        diagnostics.error(shown, 1, 1, f"`{shown}/` {what}; a skill's files are copied from "
                          "real folders only", "copy the files into the skill's folder instead")
        ok = False
    return tuple(found) if ok else None
