"""The skills of an import: finding skill folders, planning, writing and proving them.

The import's planner (:mod:`.importer`) holds one :class:`SkillPart`: skills
share blocks with the agents (the same sections, counted together), are staged
with them (``<skills>/<id>/skill.toml`` and every copied file, with its mode)
and are proven in the same render: each ``SKILL.md`` must equal its original
(as repaired) once its banner line, its copies line and the blank line after
them are removed, and each copy must equal its original byte for byte, with the
same file mode. A skill that does not come back is planned again as one own
text, and refused when even that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from ..outputs.copies import COPIES_OPEN
from ..sources.skills import MANIFEST
from ..targets.registry import REGISTRY, SKILL_FORMATS, banner_words
from .skillfile import SkillFile, is_skill_file, read_skill_folder
from .skillplan import SKILL_MODES, SkillPlan, plan_skill, skill_manifest, skill_sections

if TYPE_CHECKING:
    from ..compose.render import Renderer
    from ..sources.catalog import Catalog

KEY = "skill:"  # prefix of a skill's key among the agents' plans


@dataclass(frozen=True)
class SkillCandidate:
    skill_md: Path
    shown: str
    nested: frozenset[Path]  # skill folders inside this one


def find_skills(sources: list[Path]) -> tuple[list[SkillCandidate], set[Path]]:
    """Every skill folder under ``sources`` (a folder holding ``SKILL.md`` or ``skill.md``;
    hidden folders below a source are not searched, as for agents), and the folders
    whose files are not agent files."""
    found: dict[Path, Path] = {}
    for source in sources:
        if source.is_file() and is_skill_file(source):
            found.setdefault(source.parent, source)
        elif source.is_dir():
            for path in sorted(source.rglob("*")):
                rel = path.relative_to(source)
                if is_skill_file(path) and path.is_file() and not any(
                        part.startswith(".") for part in rel.parts[:-1]):
                    exact = path.parent / "SKILL.md"
                    current = found.get(path.parent)
                    if current is None or (path.name == "SKILL.md" and current != exact):
                        found[path.parent] = path
    folders = set(found)
    candidates = []
    for folder, skill_md in sorted(found.items()):
        nested = frozenset(f for f in folders if f != folder and folder in f.parents)
        candidates.append(SkillCandidate(skill_md, str(skill_md), nested))
    return candidates, folders


def read_skills(candidates: list[SkillCandidate], problem: Any) -> tuple[list[SkillFile], int]:
    """The readable skills, and how many files were examined; ``problem(shown, line,
    reason, hint, status)`` records each file not imported."""
    from ..targets.reading import NotAnAgent, Unsupported

    skills: list[SkillFile] = []
    seen: dict[str, str] = {}
    examined = 0
    for candidate in candidates:
        examined += 1
        try:
            skill = read_skill_folder(candidate.skill_md, candidate.shown, set(candidate.nested))
        except NotAnAgent as exc:
            problem(candidate.shown, exc.line, str(exc), exc.hint, "skipped")
            continue
        except Unsupported as exc:
            problem(candidate.shown, exc.line, str(exc), exc.hint, "refused")
            continue
        except OSError as exc:
            problem(candidate.shown, 1, f"cannot read file: {exc.strerror or exc}", None,
                    "refused")
            continue
        if skill.skill_id in seen:
            problem(candidate.shown, 1, f"skill `{skill.skill_id}` is imported twice (also from "
                    f"{seen[skill.skill_id]}): a skills folder holds one skill per name",
                    "rename one of the folders, or import them into separate catalogs",
                    "refused")
            continue
        seen[skill.skill_id] = candidate.shown
        for left in skill.left:
            examined += 1
            problem(left.path, 1, left.reason, left.hint, "skipped")
        skills.append(skill)
    return skills, examined


def without_copies(data: bytes) -> bytes:
    """A SKILL.md (its banner already removed) without the copies line and the blank line
    after it."""
    marker = ("\n" + COPIES_OPEN).encode()
    start = data.find(marker)
    if start == -1:
        return data
    end = data.find(b"\n", start + 1)
    end = len(data) if end == -1 else end + 1
    if data[end:end + 1] == b"\n":
        end += 1
    return data[:start + 1] + data[end:]


class SkillPart:
    """The skills' share of one import's plan, files and proof."""

    def __init__(self, skills: list[SkillFile], skills_folder: str, targets: tuple[str, ...],
                 refuse: Any):
        self.folder = skills_folder
        self.targets = targets
        self.skills: dict[str, SkillFile] = {}
        self.modes: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.outputs: dict[str, str] = {}
        self.file_modes: dict[str, int] = {}
        readers = {key: [t for t in targets if REGISTRY[t].skills == key]
                   for key in ("claude-code", "agents")}
        self.readers = readers
        for skill in skills:
            if not readers[skill.format]:
                other = "agents" if skill.format == "claude-code" else "claude-code"
                if not readers[other]:
                    refuse(skill, "the catalog renders no skills folder",
                           "add `claude-code` (`.claude/skills`) or a target reading "
                           "`.agents/skills` to `targets` in the catalog's config")
                    continue
                skill.format = other
            self.skills[skill.skill_id] = skill
            self.modes[skill.skill_id] = "sections"

    def manifest_path(self, skill_id: str) -> str:
        return f"{self.folder}/{skill_id}/{MANIFEST}"

    def sections(self) -> dict[str, list]:
        return {KEY + i: skill_sections(s) for i, s in self.skills.items()
                if self.modes[i] != "verbatim"}

    def all_sections(self) -> Iterator[tuple[str, list]]:
        for skill in self.skills.values():
            yield skill.source, skill_sections(skill)

    def plan(self, shared: set[str]) -> dict[str, SkillPlan]:
        return {KEY + i: plan_skill(s, self.modes[i], shared) for i, s in self.skills.items()}

    def files(self, plans: dict[str, Any], names: dict[str, str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        from .texts import toml_text

        self.file_modes = {}
        for key, plan in sorted(plans.items()):
            if not key.startswith(KEY):
                continue
            skill = plan.file
            fmt = skill.format
            disabled = tuple(self.readers["agents" if fmt == "claude-code" else "claude-code"])
            data = skill_manifest(plan, names, self.readers[fmt][0], disabled)
            out[self.manifest_path(skill.skill_id)] = toml_text(data).encode()
            for copied in skill.files:
                path = f"{self.folder}/{skill.skill_id}/{copied.rel}"
                out[path] = copied.data
                self.file_modes[path] = copied.mode
        return out

    def owner(self, path: str) -> str | None:
        """The key of the skill a source path belongs to."""
        prefix = self.folder + "/"
        if not path.startswith(prefix):
            return None
        skill_id = path[len(prefix):].split("/", 1)[0]
        return KEY + skill_id if skill_id in self.skills else None

    def prove(self, catalog: "Catalog", renderer: "Renderer") -> dict[str, str]:
        """Render the imported skills and compare them with their originals."""
        from ..outputs.skills import render_skills
        from .texts import first_difference, without_banner

        template = catalog.settings.config.banner

        mismatched: dict[str, str] = {}
        skills = [s for s in catalog.skills if s.id in self.skills]
        rendered: dict[str, dict[str, Any]] = {}
        for item in render_skills(renderer, skills):
            rendered.setdefault(item.agent.id, {})[item.path] = item
        for skill_id, file in self.skills.items():
            items = rendered.get(skill_id)
            if not items:
                continue
            fmt = SKILL_FORMATS[file.format]
            folder = f"{fmt.folder()}/{skill_id}"
            main = items.get(f"{folder}/SKILL.md")
            if main is None:
                mismatched[KEY + skill_id] = "its SKILL.md was not rendered"
                continue
            self.sizes[skill_id] = len(main.data) + sum(len(c.data) for c in file.files)
            self.outputs[skill_id] = main.path
            words = banner_words(main.target, template)
            line = first_difference(without_copies(without_banner(main.data, fmt.comment, words)),
                                    file.expected())
            if line:
                mismatched[KEY + skill_id] = (f"its {self.modes[skill_id]} rendering differs at "
                                              f"line {line}")
                continue
            for copied in file.files:
                item = items.get(f"{folder}/{copied.rel}")
                if item is None or item.data != copied.data or item.mode != copied.mode:
                    mismatched[KEY + skill_id] = f"its copy of {copied.rel} differs"
                    break
        return mismatched

    def downgrade(self, key: str, why: str, refuse: Any) -> None:
        skill_id = key[len(KEY):]
        mode = self.modes[skill_id]
        if mode == "verbatim":
            refuse(self.skills.pop(skill_id), f"cannot be reproduced, even verbatim: {why}")
            self.modes.pop(skill_id)
            return
        self.modes[skill_id] = SKILL_MODES[SKILL_MODES.index(mode) + 1]
        self.reasons[skill_id] = why
