"""From skill sources to the files of every skills folder an enabled target reads.

Each skill is composed once; each skills folder (one per format, however many
enabled targets read it) gets its ``SKILL.md``, stamped with the banner, and a
copy of every other file of the skill's source folder, byte for byte and with
its file mode. A skill's ``[targets.<name>] enabled = false`` leaves out the
folder only when no other enabled target reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compose.render import Renderer
from ..compose.skill import compose_skill
from ..diagnostics import Diagnostics, did_you_mean
from ..sources.catalog import Catalog
from ..sources.schema import report_validation_errors, validate
from ..sources.skills import Skill
from ..targets import registry
from ..targets.base import Target
from ..targets.skill_format import SkillFormat, check_tools
from .banner import LayoutError, stamp
from .copies import copies_comment
from .files import Rendered


@dataclass(frozen=True)
class SkillOutput:
    """Where one skills folder holds one skill: its ``SKILL.md`` path."""

    skill: Skill
    format: SkillFormat
    readers: tuple[Target, ...]  # the enabled targets that read this folder for the skill
    path: str  # the SKILL.md, relative to the root

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0]


def skill_outputs(catalog: Catalog, skill: Skill) -> list[SkillOutput]:
    """Every skills folder ``skill`` is written to."""
    found = []
    for fmt, readers in registry.skill_readers(catalog.settings):
        kept = tuple(target for target in readers
                     if skill.manifest.targets.get(target.name, {}).get("enabled", True) is not False)
        if kept:
            found.append(SkillOutput(skill, fmt, kept, fmt.path(skill.id)))
    return found


def all_skill_outputs(catalog: Catalog) -> list[SkillOutput]:
    return [output for skill in catalog.skills for output in skill_outputs(catalog, skill)]


def skill_files(catalog: Catalog) -> set[str]:
    """Every path the skills are written to: their SKILL.md files and the copies."""
    paths = set()
    for output in all_skill_outputs(catalog):
        paths.add(output.path)
        paths.update(f"{output.folder}/{item.rel}" for item in output.skill.files)
    return paths


def check_skill_targets(catalog: Catalog) -> Diagnostics:
    """The skills' `[targets.<name>]` tables and tool names, at their lines."""
    diagnostics = Diagnostics()
    for skill in catalog.skills:
        check_tools(skill, diagnostics)
        document = skill.document
        for name, table in skill.manifest.targets.items():
            target = registry.REGISTRY.get(name)
            at = document.locate(("targets", name))
            if target is None:
                diagnostics.error(skill.source, *at, f"unknown target `{name}`",
                                  did_you_mean(name, registry.REGISTRY, "targets"))
            elif target.skills is None:
                readers = sorted(n for n, t in registry.REGISTRY.items() if t.skills)
                diagnostics.error(skill.source, *at, f"target {name} reads no skills",
                                  "remove the table; skills are read by " + ", ".join(readers))
            else:
                model = registry.SKILL_FORMATS[target.skills].options
                _, errors = validate(model, table)
                if errors:
                    report_validation_errors(errors, document, diagnostics, model=model,
                                             prefix=("targets", name))
                else:
                    _check_pins(skill, name, table.get("pinned", {}), diagnostics)
    return diagnostics


# Manifest fields a pinned frontmatter entry may repeat: both must say the same.
_PINNABLE = {"description": "description", "when_to_use": "when_to_use", "license": "license",
             "compatibility": "compatibility", "metadata": "metadata"}


def _check_pins(skill: Skill, target: str, pinned: dict[str, str],
                diagnostics: Diagnostics) -> None:
    """A pinned entry of a key the manifest also sets must read as the manifest's value,
    so that lint and the listing limits measure what the tool reads."""
    from ..sources.fidelity import frontmatter_entry
    from ..sources.yaml import load_yaml

    for key, field_name in _PINNABLE.items():
        if key not in pinned or getattr(skill.manifest, field_name) in (None, {}):
            continue
        want = getattr(skill.manifest, field_name)
        try:
            found = (load_yaml(frontmatter_entry(key, pinned[key]), core=True) or {}).get(key)
        except Exception:  # noqa: BLE001 - any YAML error: the pin cannot be read
            found = None
        if isinstance(want, str) and isinstance(found, str):
            same = want.strip() == found.strip()
        else:
            same = want == found
        if not same:
            diagnostics.error(skill.source, *skill.document.locate(
                ("targets", target, "pinned", key), value=True),
                f"pinned `{key}` does not say what the manifest's `{field_name}` says",
                f"make the two equal, or remove `{key}` from `[targets.{target}.pinned]`")


def render_skill(renderer: Renderer, skill: Skill) -> list[Rendered] | None:
    """Every file of one skill, or None when a template failed (recorded by the renderer)."""
    catalog = renderer.catalog
    outputs = skill_outputs(catalog, skill)
    if not outputs:
        return []
    composition = compose_skill(skill, catalog, renderer.render_block)
    if composition is None:
        return None
    files: list[Rendered] = []
    regenerate = catalog.settings.config.regenerate
    copied: dict[str, bytes] = {}
    for item in skill.files:
        try:
            copied[item.rel] = item.path.read_bytes()
        except OSError as exc:
            renderer.diagnostics.error(f"{skill.folder}/{item.rel}", 1, 1,
                                       f"cannot read file: {exc.strerror or exc}")
            return None
    copies = copies_comment(copied) if copied else ""
    for output in outputs:
        fmt = output.format
        tables = {target.name: skill.manifest.targets[target.name]
                  for target in output.readers if target.name in skill.manifest.targets}
        text = fmt.emit(composition, renderer, tables, copies)
        if text is None:
            return None
        try:
            text = stamp(text, skill.source, regenerate, fmt.comment)
        except LayoutError as exc:
            renderer.diagnostics.error(renderer.layout_source(fmt.layout, fmt.name).path, 1, 1,
                                       str(exc), "put `{{ banner }}` alone on a line after the "
                                       "frontmatter")
            return None
        files.append(Rendered(skill, output.path, text.encode("utf-8"), fmt.name))  # type: ignore[arg-type]
        files += [Rendered(skill, f"{output.folder}/{item.rel}", copied[item.rel],  # type: ignore[arg-type]
                           fmt.name, mode=item.mode) for item in skill.files]
    return files


def render_skills(renderer: Renderer, skills: list[Skill] | tuple[Skill, ...]) -> list[Rendered]:
    """The files of ``skills``, in order; a skill that fails is left out (and recorded)."""
    return [item for skill in skills for item in render_skill(renderer, skill) or ()]


def is_skill_file(item: Rendered) -> bool:
    return isinstance(item.agent, Skill)


def lookup_skill(catalog: Catalog, key: str) -> SkillOutput | None:
    """The SKILL.md ``key`` names: its path, the skill's name or its manifest path."""
    for output in all_skill_outputs(catalog):
        if key in (output.path, output.folder):
            return output
    for skill in catalog.skills:
        if key in (skill.id, skill.source, skill.folder):
            found = skill_outputs(catalog, skill)
            return found[0] if found else None
    return None
