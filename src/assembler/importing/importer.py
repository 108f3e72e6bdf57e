"""``assembler import``: adopt a folder of hand-written agent files, losslessly.

Each file is read the way its tool reads it (:mod:`assembler.targets.reading`):
a file the tool would not load as an agent is *skipped*, one the catalog cannot
hold is *refused*, each with its line and reason, and the import goes on with
the others (``strict`` makes any of them stop the whole import). The import
plans a manifest per file (see :mod:`.plan`), extracts the sections several
files share into blocks, and proves the result: the planned catalog is written
to a scratch folder, loaded and rendered with the real loader and renderer, and
each output is compared byte for byte with its original (apart from the banner
line and the blank line after it), or with the original as repaired, when the
file needed a change its tool reads the same (``repaired``). A file that does
not come back exactly is planned again in a simpler mode, down to a verbatim
body, and refused when even that fails. Only then is anything written: every
file staged in a folder inside the catalog, then moved into place; nothing is
ever written over an existing manifest, block or config, and on any error the
files moved so far are removed again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .agentfile import AgentFile, read_agent_file, slug_name
from .leftovers import leftover_stages, remove_stages, stage_prefix
from ..sources.config import CONFIG_FILE, PYPROJECT_FILE, Config, Settings, find_root, load_settings
from ..diagnostics import CatalogError, Diagnostic, Diagnostics
from .plan import (
    LayoutText, Plan, Unplannable, body_sections, frontmatter_fields, layout_lines, manifest_data,
    markdown_file, plan_file,
)
from ..targets.reading import NotAnAgent, Unsupported
from ..targets.registry import REGISTRY, enabled
from .sections import NearDuplicate, Section, heading_slug, near_duplicates, shared_texts
from .skillfile import SkillFile
from .texts import first_difference, toml_text, without_banner
from .skillimport import KEY as SKILL_KEY, SkillPart, find_skills, read_skills

MODES = ("layout", "sections", "verbatim")
MAX_ROUNDS = 12
_JINJA = ("{{", "{%", "{#")
STATUSES = ("identical", "repaired", "verbatim", "refused", "skipped")


@dataclass
class ImportedFile:
    """One adopted agent file and how it was expressed."""

    source: str
    agent_id: str
    manifest: str  # relative to the catalog root
    mode: str  # layout, sections or verbatim
    size: int  # bytes of the original
    output_size: int = 0  # bytes of the rendered file
    reason: str | None = None  # why a simpler mode had to be used
    banner: str | None = None  # a DO-NOT-EDIT comment that was removed
    target: str = "claude-code"
    output: str = ""  # the rendered file, relative to the root
    changes: list[str] = field(default_factory=list)  # what differs from the original, and why
    markdown: str | None = None  # the Markdown file beside the manifest, if any
    kind: str = "agent"  # or "skill"
    copied: list[str] = field(default_factory=list)  # a skill's files copied beside SKILL.md

    @property
    def status(self) -> str:
        """identical, repaired (``changes`` say what and why) or verbatim."""
        if self.changes:
            return "repaired"
        return "verbatim" if self.mode == "verbatim" else "identical"


@dataclass(frozen=True)
class Problem:
    """A file that was not imported: refused (the catalog cannot hold it) or skipped
    (its tool would not load it as an agent either)."""

    source: str
    line: int
    reason: str
    hint: str | None = None
    status: str = "refused"


@dataclass
class ImportedBlock:
    name: str
    path: str
    users: int
    reused: bool = False  # an identical block already existed
    skills: int = 0  # of the users, how many are skills


@dataclass
class ImportResult:
    """Everything the report shows; ``written`` is empty after a dry run or a refusal."""

    root: Path
    files: list[ImportedFile] = field(default_factory=list)
    blocks: list[ImportedBlock] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # files that exist already: nothing written
    written: list[str] = field(default_factory=list)
    # Staging folders of killed imports: removed (after a dry run: there, for the next import)
    leftovers: list[str] = field(default_factory=list)
    config: str | None = None  # the config file the import adds, if any
    catalog_bytes: int = 0  # manifests, Markdown texts, blocks and config, as planned
    dry_run: bool = False
    strict: bool = False
    found: int = 0  # files examined

    @property
    def refused(self) -> list[Problem]:
        return [p for p in self.problems if p.status == "refused"]

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.status == "skipped"]

    @property
    def proven(self) -> int:
        """Outputs equal to their originals byte for byte (apart from the banner)."""
        return sum(f.status != "repaired" for f in self.files)

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.files)
        counts.update(p.status for p in self.problems)
        return {status: counts[status] for status in STATUSES}

    @property
    def complete(self) -> bool:
        """Every file found was imported."""
        return not self.problems

    @property
    def blocked(self) -> bool:
        """Nothing was (or would be) written: existing files, or ``strict`` with a problem."""
        return bool(self.conflicts) or (self.strict and not self.complete) or not self.files

    @property
    def source_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def output_bytes(self) -> int:
        return sum(f.output_size for f in self.files)


def run_import(sources: list[Path], root: Path, min_shared: int = 2, dry_run: bool = False,
               output: str | None = None, strict: bool = False,
               source_format: str | None = None) -> ImportResult:
    """Plan, prove and (unless ``dry_run``, ``strict`` with a problem, or existing
    files) write. Raises :class:`CatalogError` for bad usage only."""
    diagnostics = Diagnostics()
    if min_shared < 2:
        diagnostics.error("", 1, 1, f"--min-shared must be at least 2, not {min_shared}",
                          "a section in a single file is that file's own text")
    if source_format is not None and (source_format not in REGISTRY
                                      or not REGISTRY[source_format].imports):
        readable = ", ".join(n for n, t in REGISTRY.items() if t.imports)
        diagnostics.error("", 1, 1, f"--from {source_format}: not a format import reads",
                          f"one of: {readable}")
    if diagnostics:
        raise CatalogError(diagnostics)
    root = root.resolve()
    result = ImportResult(root, dry_run=dry_run, strict=strict)
    result.leftovers = leftover_stages(root)
    if not dry_run:
        result.leftovers = remove_stages(root, result.leftovers)
    skill_candidates, skill_folders = find_skills(sources)
    candidates = list(_candidates(sources, source_format, diagnostics, skill_folders))
    settings = _existing_settings(root, diagnostics)
    if diagnostics:
        raise CatalogError(diagnostics)
    files = _read_sources(candidates, result, settings)
    skills, examined = read_skills(skill_candidates, lambda *args: result.problems.append(
        Problem(*args)))
    result.found = len(candidates) + examined
    for skill in skills:
        result.warnings.extend(Diagnostic(skill.source, c.line, 1, f"{c.what}: {c.why}", None,
                                          "warning") for c in skill.warnings)
    if not files and not skills:
        return result
    config = settings.config if settings else _new_config(files, output, skills)
    with Stage.inside(root, temporary=dry_run) as stage:
        planner = _Planner(files, root, settings, config, min_shared, result, stage, skills)
        planned = planner.run()
        _finish(result, planner, planned)
        if dry_run or result.blocked:
            return result
        result.written = stage.publish(root, [p for p in planned if p not in planner.reused])
    return result


def _finish(result: ImportResult, planner: "_Planner", planned: dict[str, bytes]) -> None:
    result.files = planner.imported()
    result.blocks = planner.blocks
    result.config = planner.config_path
    result.catalog_bytes = sum(len(data) for path, data in planned.items()
                               if path not in planner.reused)
    result.near_duplicates = near_duplicates(
        {**{f.source: planner.sections(i) for i, f in planner.files.items()},
         **dict(planner.skills.all_sections())})
    result.problems.sort(key=lambda p: p.source)
    result.conflicts = sorted(path for path in planned
                              if path not in planner.reused and (result.root / path).exists())


# -- reading -----------------------------------------------------------------------------------
def _candidates(sources: list[Path], source_format: str | None, diagnostics: Diagnostics,
                skill_folders: set[Path] = frozenset()  # type: ignore[assignment]
                ) -> Iterator[tuple[Path, str, str, str | None]]:
    """(path, name shown in messages, path under SRC without suffix, target) for every file
    under the sources in a format the import reads, outside skill folders; the target is
    None for a file that no importable format claims."""
    readers = [t for t in REGISTRY.values() if t.imports]
    suffixes = sorted({t.suffix for t in readers})
    for source in sources:
        if source.is_file() and source.parent in skill_folders:
            continue  # a SKILL.md, or a skill's file: the skill brings it
        if source.is_file():
            target = _target_of(source, readers, source_format)
            yield source, str(source), _without_suffix(source.name, target, readers), target
        elif source.is_dir():
            found = sorted({path for suffix in suffixes for path in source.rglob("*" + suffix)})
            for path in found:
                rel = path.relative_to(source)
                if skill_folders and any(folder in skill_folders for folder in path.parents):
                    continue
                if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                    target = _target_of(path, readers, source_format)
                    if target is None:  # a suffix only a tool folder makes an agent file
                        continue
                    name = _without_suffix(rel.name, target, readers)
                    yield path, str(path), (rel.parent / name).as_posix() if rel.parent.parts \
                        else name, target
        else:
            diagnostics.error(str(source), 1, 1, "no such file or folder", "check the path")


def _target_of(path: Path, readers: list[Any], source_format: str | None) -> str | None:
    """The format of a file: ``--from``, else the tool folder it sits in (``.github/agents``,
    ``.codex/agents``, …), else its suffix (``.agent.md`` Copilot, ``.md`` Claude Code)."""
    if source_format is not None:
        return source_format
    where = "/" + path.resolve().as_posix()
    for target in sorted(readers, key=lambda t: -len(t.default_folder)):
        if target.default_folder.startswith(".") and f"/{target.default_folder}/" in where \
                and path.name.endswith(target.suffix):
            return target.name
    by_suffix = [t for t in readers if path.name.endswith(t.suffix)
                 and (t.suffix != ".md" or t.name == "claude-code") and t.suffix != ".toml"]
    if not by_suffix:
        return None
    return max(by_suffix, key=lambda t: len(t.suffix)).name


def _tool_path(path: Path, target: str, rel: str) -> str:
    """The file's path under its tool's folder, without the suffix, as the tool sees it
    (``rel``, its path under SRC, when it is in no such folder)."""
    reader = REGISTRY[target]
    where, marker = path.resolve().as_posix(), f"/{reader.default_folder}/"
    at = where.rfind(marker)
    if at == -1:
        return rel
    return _without_suffix(where[at + len(marker):], target, [reader])


def _without_suffix(name: str, target: str | None, readers: list[Any]) -> str:
    suffix = next((t.suffix for t in readers if t.name == target), Path(name).suffix)
    return name[:-len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name


def _read_sources(candidates: list[tuple[Path, str, str, str | None]], result: ImportResult,
                  settings: Settings | None) -> list[AgentFile]:
    rendered = {t.name for t in enabled(settings)} if settings else None
    ids = _manifest_ids([rel for _, _, rel, _ in candidates])
    found: dict[str, str] = {}
    files = []
    for (path, shown, rel, target), agent_id in zip(candidates, ids):
        def problem(reason: str, line: int = 1, hint: str | None = None,
                    status: str = "refused") -> None:
            result.problems.append(Problem(shown, line, reason, hint, status))

        if target is None:
            problem("not in a folder of a tool import reads (a TOML file outside "
                    "`.codex/agents`?)", 1, "name its format with --from", "skipped")
            continue
        if rendered is not None and target not in rendered:
            problem(f"a {REGISTRY[target].tool} file, and the catalog does not render to "
                    f"{target}", 1, f"add \"{target}\" to `targets` in the catalog's config")
            continue
        try:
            file = read_agent_file(path, shown, agent_id, target,
                                   rel=_tool_path(path, target, rel),
                                   template=settings.config.banner if settings else None)
            frontmatter_fields(file)
        except NotAnAgent as exc:
            problem(str(exc), exc.line, exc.hint, "skipped")
            continue
        except Unsupported as exc:
            problem(str(exc), exc.line, exc.hint)
            continue
        except Unplannable as exc:
            problem(str(exc), 1, "write it as a YAML string")
            continue
        except OSError as exc:
            problem(f"cannot read file: {exc.strerror or exc}")
            continue
        if agent_id in found:
            problem(f"`{agent_id}` is imported twice (also from {found[agent_id]})", 1,
                    "import the two folders into separate catalogs")
            continue
        found[agent_id] = shown
        result.warnings.extend(file.warnings)
        files.append(file)
    return files


def _manifest_ids(rels: list[str]) -> list[str]:
    """A manifest id per file: its path, with the file name made a slug where it is not
    one. Names already slugs keep them; the others get ``-2``, ``-3`` … on a clash."""
    def split(rel: str) -> tuple[str, str]:
        folder, _, stem = rel.rpartition("/")
        return folder, stem

    taken = {rel for rel in rels if slug_name(split(rel)[1]) == split(rel)[1]}
    out = []
    for rel in rels:
        folder, stem = split(rel)
        name = slug_name(stem)
        if name == stem:
            out.append(rel)
            continue
        base, n = name, 2
        candidate = f"{folder}/{name}" if folder else name
        while candidate in taken:
            name, n = f"{base}-{n}", n + 1
            candidate = f"{folder}/{name}" if folder else name
        taken.add(candidate)
        out.append(candidate)
    return out


def _existing_settings(root: Path, diagnostics: Diagnostics) -> Settings | None:
    """The catalog's own config when ``root`` already is a catalog."""
    if find_root(root) != root:
        return None
    return load_settings(root, root, diagnostics)


def _new_config(files: list[AgentFile], output: str | None,
                skills: list[SkillFile] = ()) -> Config:  # type: ignore[assignment]
    """The config of a new catalog: the targets the files were written for (for skills of
    the shared `.agents/skills` folder, Codex's, when no other target reads it)."""
    wanted = {f.target for f in files}
    for skill in skills:
        if not any(REGISTRY[t].skills == skill.format for t in wanted):
            wanted.add("claude-code" if skill.format == "claude-code" else "codex")
    names = sorted(wanted, key=lambda n: list(REGISTRY).index(n))
    if names == ["claude-code"]:
        return Config(**({"output": output} if output else {}))
    tables: dict[str, dict[str, Any]] = {name: {} for name in names}
    folder_of = "claude-code" if "claude-code" in names else names[0]
    if output and folder_of != "claude-code":
        tables[folder_of]["folder"] = output
    extra = {"output": output} if output and folder_of == "claude-code" else {}
    if all(not table for table in tables.values()):
        return Config(targets=names, **extra)
    return Config(targets=tables, **extra)


# -- planning and proving ------------------------------------------------------------------------
class _Planner:
    """Plans every file, proves the plans by rendering, and downgrades what fails."""

    def __init__(self, files: list[AgentFile], root: Path, settings: Settings | None,
                 config: Config, min_shared: int, result: ImportResult, stage: "Stage",
                 skills: list[SkillFile] = ()):  # type: ignore[assignment]
        from ..targets.options import configured

        self.stage = stage
        self.files = {f.agent_id: f for f in files}
        self.root, self.settings, self.config, self.min_shared = root, settings, config, min_shared
        self.result = result
        self.modes = {agent_id: "layout" for agent_id in self.files}
        self.reasons: dict[str, str] = {}
        self.excluded: set[str] = set()  # block texts that failed to render
        self.blocks: list[ImportedBlock] = []
        self.reused: set[str] = set()
        self.config_path = None if settings else CONFIG_FILE
        self.sizes: dict[str, int] = {}
        self.outputs: dict[str, str] = {}
        self.markdown: dict[str, str] = {}
        self.block_paths: dict[str, str] = {}
        self._sections: dict[str, list[Section]] = {}
        self.targets = tuple(configured(config))
        fixed = config.layout
        self.layout = LayoutText(tuple(fixed.report_fields), tuple(fixed.report_closing_fields),
                                 tuple(fixed.references))
        self.infer = settings is None
        self.skills = SkillPart(list(skills), self.folder("skills"), self.targets,
                                self._refuse_skill)

    def _refuse_skill(self, skill: SkillFile, why: str, hint: str | None = None) -> None:
        self.result.problems.append(Problem(skill.source, 1, why, hint))

    def folder(self, name: str) -> str:
        return getattr(self.config, name)

    def sections(self, agent_id: str) -> list[Section]:
        if agent_id not in self._sections:
            self._sections[agent_id] = body_sections(self.files[agent_id])[1]
        return self._sections[agent_id]

    def run(self) -> dict[str, bytes]:
        rounds = 0
        while self.files or self.skills.skills:
            plans = self._plan_all()
            planned = self._files(plans)
            mismatched = self._prove_staged(planned, plans)
            if not mismatched:
                return planned
            rounds += 1
            if self.infer and self.layout != LayoutText():
                self.layout, self.infer = LayoutText(), False  # the inferred config did not fit
                continue
            for agent_id, why in mismatched.items():
                if agent_id.startswith(SKILL_KEY):
                    self.skills.downgrade(agent_id, why, self._refuse_skill)
                elif rounds < MAX_ROUNDS:
                    self._downgrade(agent_id, why)
                else:  # pragma: no cover - each round downgrades every mismatch
                    self._refuse(agent_id, f"cannot be reproduced: {why}")
        return {}

    def imported(self) -> list[ImportedFile]:
        part = self.skills
        return [
            ImportedFile(f.source, agent_id, self._manifest_path(agent_id), self.modes[agent_id],
                         f.size, self.sizes.get(agent_id, 0), self.reasons.get(agent_id), f.banner,
                         f.target, self.outputs.get(agent_id, ""), [str(c) for c in f.changes],
                         self.markdown.get(agent_id))
            for agent_id, f in sorted(self.files.items())
        ] + [
            ImportedFile(s.source, i, part.manifest_path(i), part.modes[i], s.size,
                         part.sizes.get(i, 0), part.reasons.get(i), None, s.target,
                         part.outputs.get(i, ""), [str(c) for c in s.changes], None, "skill",
                         [c.rel for c in s.files])
            for i, s in sorted(part.skills.items())
        ]

    def _downgrade(self, agent_id: str, why: str) -> None:
        mode = self.modes[agent_id]
        if mode == "verbatim":
            self._refuse(agent_id, f"cannot be reproduced, even verbatim: {why}")
            return
        self.modes[agent_id] = MODES[MODES.index(mode) + 1]
        self.reasons[agent_id] = why

    def _refuse(self, agent_id: str, why: str) -> None:
        file = self.files.pop(agent_id)
        self.modes.pop(agent_id, None)
        self.result.problems.append(Problem(file.source, 1, why))

    # -- plans ---------------------------------------------------------------------------------
    def _plan_all(self) -> dict[str, Plan]:
        if self.infer and self.layout == LayoutText():
            self.layout = self._infer_layout()
        return self._plan_with(self.layout)

    def _plan_with(self, layout: LayoutText) -> dict[str, Plan]:
        bodies = {i: self.sections(i) for i in self.files if self.modes[i] != "verbatim"}
        bodies.update(self.skills.sections())
        shared = {text for text in shared_texts(bodies, self.min_shared) - self.excluded
                  if not ("endraw" in text and any(m in text for m in _JINJA))}
        while True:
            plans: dict[str, Any] = {i: self._plan_one(i, shared, layout) for i in self.files}
            plans.update(self.skills.plan(shared))
            usage = Counter(t for plan in plans.values() for t in set(plan.block_texts()))
            unused = {text for text in shared if usage[text] < self.min_shared}
            if not unused:
                _merge_adjacent(plans, self.excluded)
                return plans
            shared -= unused

    def _plan_one(self, agent_id: str, shared: set[str], layout: LayoutText) -> Plan:
        file = self.files[agent_id]
        mode = self.modes[agent_id]
        for candidate in MODES[MODES.index(mode):]:
            try:
                plan = plan_file(file, candidate, shared, layout)
            except Unplannable as exc:
                if candidate == "sections":
                    self.reasons[agent_id] = str(exc)
                continue
            self.modes[agent_id] = candidate
            return plan
        raise AssertionError("verbatim plans never fail")

    def _infer_layout(self) -> LayoutText:
        """Report fields and references that every file repeats belong in the config.

        The config adds them to every agent, so this is only done when all files
        have these sections; if a file then fails its proof, the import does
        without (each file keeps its own lines).
        """
        if len(self.files) < self.min_shared:
            return LayoutText()
        found = [layout_lines(f) for f in self.files.values()]
        if not found:
            return LayoutText()
        reports = [report for report, _ in found]
        refs = [references for _, references in found]
        head = close = ()
        if all(reports):
            head = tuple(_common_prefix(reports))
            rest = [r[len(head):] for r in reports]
            close = tuple(reversed(_common_prefix([list(reversed(r)) for r in rest])))
        return LayoutText(head, close, tuple(_common_prefix(refs)) if all(refs) else ())

    # -- files ---------------------------------------------------------------------------------
    def _manifest_path(self, agent_id: str) -> str:
        return f"{self.folder('manifests')}/{agent_id}.toml"

    def _files(self, plans: dict[str, Plan]) -> dict[str, bytes]:
        """Every file the import writes, by path relative to the root."""
        names = self._name_blocks(plans)
        out: dict[str, bytes] = {}
        self.block_paths = {f"{self.folder('blocks')}/{name}.md": text for text, name in names.items()}
        for path, text in self.block_paths.items():
            out[path] = block_file(text).encode()
        self.markdown = {}
        out.update(self.skills.files(plans, names))
        for agent_id, plan in sorted(plans.items()):
            if agent_id.startswith(SKILL_KEY):
                continue
            file = plan.file
            others = tuple(t for t in self.targets if t != file.target) if len(self.targets) > 1 else ()
            data = manifest_data(plan, names, others)
            shared = sum(len(text.encode()) for text in plan.block_texts())
            stem = agent_id.rsplit("/", 1)[-1]
            markdown = markdown_file(data, stem, shared)
            if markdown is not None:
                path = f"{self.folder('manifests')}/{agent_id}.md"
                out[path] = markdown.encode()
                self.markdown[agent_id] = path
            out[self._manifest_path(agent_id)] = toml_text(data).encode()
        if self.config_path:
            out[self.config_path] = self._config_text().encode()
        usage = Counter(t for plan in plans.values() for t in set(plan.block_texts()))
        self.reused = {path for path, data in out.items() if path.startswith(
            f"{self.folder('blocks')}/") and _same_file(self.root / path, data)}
        by_skills = Counter(t for key, plan in plans.items() if key.startswith(SKILL_KEY)
                            for t in set(plan.block_texts()))
        self.blocks = [ImportedBlock(name, f"{self.folder('blocks')}/{name}.md", usage[text],
                                     f"{self.folder('blocks')}/{name}.md" in self.reused,
                                     by_skills[text])
                       for text, name in names.items()]
        return out

    def _name_blocks(self, plans: dict[str, Plan]) -> dict[str, str]:
        names: dict[str, str] = {}
        taken: set[str] = set()
        for _, plan in sorted(plans.items()):
            for text in plan.block_texts():
                if text not in names:
                    base = heading_slug(Section(text, text.split("\n", 1)[0], 0).title)
                    name, n = base, 2
                    while name in taken:
                        name, n = f"{base}-{n}", n + 1
                    names[text] = name
                    taken.add(name)
        return names

    def _config_text(self) -> str:
        import tomli_w

        data: dict[str, Any] = {}
        if self.config.targets is None or "claude-code" in self.targets:
            data["output"] = self.config.output
        regenerates = {f.own_banner.regenerate for f in (*self.files.values(),
                                                         *self.skills.skills.values())
                       if f.own_banner and f.own_banner.regenerate}
        data["regenerate"] = regenerates.pop() if len(regenerates) == 1 else self.config.regenerate
        if self.config.targets is not None:
            data["targets"] = self.config.targets
        layout = {key: list(value) for key, value in (
            ("report_fields", self.layout.report_fields),
            ("report_closing_fields", self.layout.report_closing_fields),
            ("references", self.layout.references)) if value}
        if layout:
            data["layout"] = layout
        return ("# Catalog configuration for agent-assembler (written by `assembler import`).\n"
                + tomli_w.dumps(data, multiline_strings=True))

    # -- proof ---------------------------------------------------------------------------------
    def _prove_staged(self, planned: dict[str, bytes], plans: dict[str, Plan]) -> dict[str, str]:
        if not self.stage.files and self.settings is not None:
            self._copy_catalog(self.stage.folder)
        self.stage.sync(planned, self.skills.file_modes)
        mismatched, problems = self.prove(self.stage.folder)
        for agent_id, why in self._blame(problems, plans).items():
            mismatched.setdefault(agent_id, why)
        return mismatched

    def _blame(self, problems: list[Diagnostic], plans: dict[str, Plan]) -> dict[str, str]:
        """Attribute load and render errors to imported files; others are fatal.

        A block that fails is not extracted again: its users keep the text as their own.
        """
        by_path = {self._manifest_path(i): i for i in self.files}
        by_path.update({path: i for i, path in self.markdown.items()})
        blamed: dict[str, str] = {}
        fatal = []
        for problem in problems:
            if problem.path in by_path:
                blamed.setdefault(by_path[problem.path], problem.message)
            elif self.skills.owner(problem.path):
                blamed.setdefault(self.skills.owner(problem.path), problem.message)
            elif problem.path in self.block_paths:
                text = self.block_paths[problem.path]
                self.excluded.add(text)
                for agent_id, plan in plans.items():
                    if text in plan.block_texts():
                        blamed.setdefault(agent_id, problem.message)
            else:
                fatal.append(problem)
        if fatal:
            raise CatalogError(fatal)
        return blamed

    def _copy_catalog(self, stage: Path) -> None:
        if self.settings is None:
            return
        for name in (CONFIG_FILE, PYPROJECT_FILE):
            if (self.root / name).is_file():
                shutil.copy2(self.root / name, stage / name)
        for folder in ("manifests", "blocks", "roles", "templates", "capabilities", "skills"):
            if getattr(self.config, folder) is None:
                continue  # `capabilities` is only there when the config names the folder
            source = self.settings.folder(folder)
            if source.is_dir():
                shutil.copytree(source, stage / self.folder(folder), symlinks=True)

    def prove(self, root: Path) -> tuple[dict[str, str], list[Diagnostic]]:
        """Render the imported agents under ``root`` and compare them with their originals."""
        from ..compose.render import Renderer
        from ..outputs.render import check_targets, render_agents
        from ..sources.catalog import load_partial

        catalog, diagnostics = load_partial(root, root)
        problems = list(diagnostics)
        mismatched: dict[str, str] = {}
        if catalog is None:
            return mismatched, problems
        problems += list(check_targets(catalog))
        renderer = Renderer(catalog)
        rendered = {(r.agent.id, r.target): r for r in render_agents(
            renderer, [agent for agent in catalog.agents if agent.id in self.files])}
        mismatched.update(self.skills.prove(catalog, renderer))
        problems += list(renderer.failures())
        for agent_id, file in self.files.items():
            item = rendered.get((agent_id, file.target))
            if item is None:
                continue
            data = item.data
            self.sizes[agent_id], self.outputs[agent_id] = len(data), item.path
            line = first_difference(without_banner(data, REGISTRY[file.target].comment,
                                                   catalog.settings.config.banner),
                                    file.expected())
            if line:
                mismatched[agent_id] = f"its {self.modes[agent_id]} rendering differs at line {line}"
        return mismatched, problems


# -- writing -------------------------------------------------------------------------------------
class Stage:
    """The planned catalog on disk, where it is proven, and from where it is published.

    For a real import the folder is inside the catalog root (the same file system,
    so publishing links each file into place); for a dry run it is a temporary
    folder elsewhere. Each round writes only the files whose bytes changed. The
    folder is removed when the import ends, whatever happens; its name records the
    process, so the next import removes it when the process is killed (:mod:`.leftovers`).
    """

    def __init__(self, folder: Path, made_root: Path | None = None):
        self.folder = folder
        self.files: dict[str, bytes] = {}
        self.made_root = made_root  # the catalog root, when the stage had to create it

    @classmethod
    def inside(cls, root: Path, temporary: bool = False) -> "Stage":
        if temporary:
            return cls(Path(tempfile.mkdtemp(prefix="assembler-import-")))
        made = None if root.exists() else root
        root.mkdir(parents=True, exist_ok=True)
        return cls(Path(tempfile.mkdtemp(prefix=stage_prefix(), dir=root)), made)

    def __enter__(self) -> "Stage":
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.made_root is not None:
            try:
                self.made_root.rmdir()  # only when nothing was published into it
            except OSError:
                pass

    def sync(self, files: dict[str, bytes], modes: dict[str, int] | None = None) -> None:
        """Write the files whose bytes changed; ``modes`` are permission bits to set (a
        skill's copied files keep theirs)."""
        modes = modes or {}
        for rel in set(self.files) - set(files):
            (self.folder / rel).unlink(missing_ok=True)
            del self.files[rel]
        made: set[Path] = set()
        for rel, data in files.items():
            if self.files.get(rel) != data:
                path = self.folder / rel
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent)
                with open(path, "wb") as handle:
                    handle.write(data)
                self.files[rel] = data
            if rel in modes:
                os.chmod(self.folder / rel, modes[rel])

    def publish(self, root: Path, paths: list[str]) -> list[str]:
        """Put the staged ``paths`` into ``root``, all or none: each is linked into place
        without replacing anything; on any error the files placed so far and the folders
        made for them are removed, and the error is raised."""
        _refuse_links_outside(root, paths)
        moved: list[Path] = []
        made: list[Path] = []
        try:
            for rel in sorted(paths):
                target = root / rel
                for parent in reversed(target.relative_to(root).parents):
                    folder = root / parent
                    if parent.parts and not folder.exists():
                        folder.mkdir()
                        made.append(folder)
                _place(self.folder / rel, target)
                moved.append(target)
        except BaseException:
            for path in reversed(moved):
                path.unlink(missing_ok=True)
            for folder in reversed(made):
                try:
                    folder.rmdir()
                except OSError:
                    pass
            raise
        self.made_root = None
        return sorted(paths)


def _refuse_links_outside(root: Path, paths: list[str]) -> None:
    """Raise :class:`CatalogError` when a folder on the way to one of ``paths`` is a
    symbolic link leading outside the catalog: nothing is written through it."""
    from ..sources.folders import linked_folder

    real = root.resolve()
    diagnostics = Diagnostics()
    linked = {linked_folder(root, rel) for rel in paths} - {None}
    for folder in sorted(f for f in linked if not (root / f).resolve().is_relative_to(real)):
        diagnostics.error(folder, 1, 1, f"`{folder}` is a symbolic link to a folder outside the "
                          "catalog: import writes nothing through it",
                          "remove the link, or import into another --root")
    if diagnostics:
        raise CatalogError(diagnostics)


def _place(staged: Path, target: Path) -> None:
    """Link a staged file into place; fails if the target exists (nothing is replaced)."""
    try:
        os.link(staged, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise
        with open(target, "xb") as handle:  # a file system without hard links
            handle.write(staged.read_bytes())
        shutil.copymode(staged, target)


# -- helpers -------------------------------------------------------------------------------------
def _common_prefix(lists: list[list[str]]) -> list[str]:
    prefix: list[str] = []
    for column in zip(*lists):
        if any(item != column[0] for item in column):
            break
        prefix.append(column[0])
    return prefix


def _merge_adjacent(plans: dict[str, Plan], excluded: set[str]) -> None:
    """Join blocks that always appear together, in the same order, into one block."""
    while True:
        following: dict[str, set[str | None]] = {}
        preceding: dict[str, set[str | None]] = {}
        for plan in plans.values():
            for run in (plan.items, plan.footer):
                for index, (kind, text) in enumerate(run):
                    if kind != "block":
                        continue
                    after = run[index + 1] if index + 1 < len(run) else None
                    before = run[index - 1] if index else None
                    following.setdefault(text, set()).add(
                        after[1] if after and after[0] == "block" else None)
                    preceding.setdefault(text, set()).add(
                        before[1] if before and before[0] == "block" else None)
        pair = next(((a, b) for a, after in following.items() for b in after
                     if b is not None and len(after) == 1 and preceding[b] == {a} and a != b
                     and f"{a}\n\n{b}" not in excluded), None)
        if pair is None:
            return
        merged = f"{pair[0]}\n\n{pair[1]}"
        for plan in plans.values():
            plan.items = _join(plan.items, pair, merged)
            plan.footer = _join(plan.footer, pair, merged)


def _join(run: list[tuple[str, str]], pair: tuple[str, str], merged: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in run:
        if item == ("block", pair[1]) and out and out[-1] == ("block", pair[0]):
            out[-1] = ("block", merged)
        else:
            out.append(item)
    return out


def block_file(text: str) -> str:
    """A block file for a shared section; Jinja2-looking text is kept literal."""
    if any(marker in text for marker in _JINJA):
        text = "{% raw %}\n" + text + "\n{% endraw %}"
    return text + "\n"


def _same_file(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False
