"""``assembler import``: adopt a folder of hand-written agent files, losslessly.

The import plans a manifest per file (see :mod:`import_plan`), extracts the
sections several files share into blocks, and proves the result: the planned
catalog is written to a scratch folder, loaded and rendered with the real
loader and renderer, and each output is compared byte for byte with its
original (apart from the banner line and the blank line after it). A file that
does not come back exactly is planned again in a simpler mode, down to a
verbatim body. Only then is anything written to the catalog, and never over an
existing manifest or block; after writing, the same proof runs on the catalog.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .agentfile import AgentFile, NotAnAgent, Unreadable, read_agent_file
from ..outputs.banner import strip_banner
from ..outputs.write import write_atomic
from ..sources.config import CONFIG_FILE, PYPROJECT_FILE, Config, Settings, find_root, load_settings
from ..diagnostics import CatalogError, Diagnostic, Diagnostics
from .plan import (
    LayoutText, Plan, Unplannable, body_sections, frontmatter_fields, layout_lines, manifest_data, plan_file,
)
from ..sources.schema import MAX_NAME_LENGTH, SLUG
from .sections import NearDuplicate, Section, heading_slug, near_duplicates, shared_texts

MODES = ("layout", "sections", "verbatim")
MAX_ROUNDS = 8
_JINJA = ("{{", "{%", "{#")


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


@dataclass
class ImportedBlock:
    name: str
    path: str
    users: int
    reused: bool = False  # an identical block already existed


@dataclass
class ImportResult:
    """Everything the report shows; ``written`` is empty after a dry run or a refusal."""

    root: Path
    files: list[ImportedFile] = field(default_factory=list)
    blocks: list[ImportedBlock] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    config: str | None = None  # the config file the import adds, if any
    catalog_bytes: int = 0  # manifests, blocks and config, as planned
    proven: int = 0  # outputs that reproduce their originals
    dry_run: bool = False

    @property
    def source_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def output_bytes(self) -> int:
        return sum(f.output_size for f in self.files)


def run_import(sources: list[Path], root: Path, min_shared: int = 2, dry_run: bool = False,
               output: str | None = None) -> ImportResult:
    """Plan, prove and (unless ``dry_run`` or refused) write; raises CatalogError."""
    diagnostics = Diagnostics()
    if min_shared < 2:
        diagnostics.error("", 1, 1, f"--min-shared must be at least 2, not {min_shared}",
                          "a section in a single file is that file's own text")
        raise CatalogError(diagnostics)
    root = root.resolve()
    result = ImportResult(root, dry_run=dry_run)
    files = _read_sources(sources, result, diagnostics)
    settings = _existing_settings(root, diagnostics)
    if diagnostics:
        raise CatalogError(diagnostics)
    if not files:
        diagnostics.error("", 1, 1, "no agent files found in "
                          + ", ".join(str(s) for s in sources),
                          "agent files are Markdown files with YAML frontmatter")
        raise CatalogError(diagnostics)
    config = settings.config if settings else Config(**({"output": output} if output else {}))
    planner = _Planner(files, root, settings, config, min_shared)
    planned = planner.run()
    result.files = planner.imported(planned)
    result.blocks = planner.blocks
    result.config = planner.config_path
    result.catalog_bytes = sum(len(data) for path, data in planned.items()
                               if path not in planner.reused)
    result.proven = len(files)
    result.near_duplicates = near_duplicates(
        {f.source: body_sections(f)[1] for f in files})
    new = {path: data for path, data in planned.items() if path not in planner.reused}
    result.refused = sorted(path for path in new if (root / path).exists())
    if dry_run or result.refused:
        return result
    for path, data in sorted(new.items()):
        write_atomic(root / path, data)
        result.written.append(path)
    mismatched, problems = planner.prove(root)
    if problems or mismatched:
        messages = [d.format() for d in problems] + [f"{i}: {why}" for i, why in mismatched.items()]
        raise RuntimeError("the written catalog does not reproduce its sources: "
                           + "; ".join(messages))
    return result


# -- reading -----------------------------------------------------------------------------------
def _read_sources(sources: list[Path], result: ImportResult, diagnostics: Diagnostics) -> list[AgentFile]:
    found: dict[str, str] = {}
    files = []
    for path, shown, agent_id in _candidates(sources, diagnostics):
        try:
            file = read_agent_file(path, shown, agent_id)
            frontmatter_fields(file)
        except NotAnAgent as exc:
            result.skipped.append((shown, str(exc)))
            continue
        except Unreadable as exc:
            diagnostics.error(shown, exc.line, 1, str(exc), exc.hint)
            continue
        except Unplannable as exc:
            diagnostics.error(shown, 1, 1, str(exc), "write it as a YAML string")
            continue
        except OSError as exc:
            diagnostics.error(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")
            continue
        stem = agent_id.rsplit("/", 1)[-1]
        if not SLUG.match(stem) or len(stem) > MAX_NAME_LENGTH:
            diagnostics.error(shown, 1, 1, f"file name `{stem}.md` cannot name an agent",
                              "rename it: lowercase letters, digits and single hyphens, "
                              f"at most {MAX_NAME_LENGTH} characters")
            continue
        if agent_id in found:
            diagnostics.error(shown, 1, 1, f"`{agent_id}` is imported twice (also from "
                              f"{found[agent_id]})", "import the two folders into separate catalogs")
            continue
        found[agent_id] = shown
        result.warnings.extend(file.warnings)
        files.append(file)
    return files


def _candidates(sources: list[Path], diagnostics: Diagnostics):
    """(path, name shown in messages, agent id) for every file under the sources in a
    format the import reads (see :data:`assembler.targets.registry.REGISTRY`)."""
    from ..targets.registry import REGISTRY

    suffixes = sorted({target.suffix for target in REGISTRY.values() if target.imports})
    for source in sources:
        if source.is_file():
            yield source, str(source), source.stem
        elif source.is_dir():
            found = sorted({path for suffix in suffixes for path in source.rglob("*" + suffix)})
            for path in found:
                rel = path.relative_to(source)
                if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield path, str(path), rel.with_suffix("").as_posix()
        else:
            diagnostics.error(str(source), 1, 1, "no such file or folder", "check the path")


def _existing_settings(root: Path, diagnostics: Diagnostics) -> Settings | None:
    """The catalog's own config when ``root`` already is a catalog."""
    if find_root(root) != root:
        return None
    return load_settings(root, root, diagnostics)


# -- planning and proving ------------------------------------------------------------------------
class _Planner:
    """Plans every file, proves the plans by rendering, and downgrades what fails."""

    def __init__(self, files: list[AgentFile], root: Path, settings: Settings | None,
                 config: Config, min_shared: int):
        self.files = {f.agent_id: f for f in files}
        self.root, self.settings, self.config, self.min_shared = root, settings, config, min_shared
        self.modes = {agent_id: "layout" for agent_id in self.files}
        self.reasons: dict[str, str] = {}
        self.excluded: set[str] = set()  # block texts that failed to render
        self.blocks: list[ImportedBlock] = []
        self.reused: set[str] = set()
        self.config_path = None if settings else CONFIG_FILE
        self.sizes: dict[str, int] = {}
        self.block_paths: dict[str, str] = {}
        fixed = config.layout
        self.layout = LayoutText(tuple(fixed.report_fields), tuple(fixed.report_closing_fields),
                                 tuple(fixed.references))
        self.infer = settings is None

    def folder(self, name: str) -> str:
        return getattr(self.config, name)

    def run(self) -> dict[str, bytes]:
        for _ in range(MAX_ROUNDS):
            plans = self._plan_all()
            planned = self._files(plans)
            mismatched = self._prove_staged(planned, plans)
            if not mismatched:
                return planned
            if self.infer and self.layout != LayoutText():
                self.layout, self.infer = LayoutText(), False  # the inferred config did not fit
                continue
            for agent_id, why in mismatched.items():
                self._downgrade(agent_id, why)
        raise RuntimeError("import planning did not settle")  # each round downgrades something

    def imported(self, planned: dict[str, bytes]) -> list[ImportedFile]:
        return [
            ImportedFile(f.source, agent_id, self._manifest_path(agent_id), self.modes[agent_id],
                         f.size, self.sizes.get(agent_id, 0), self.reasons.get(agent_id), f.banner)
            for agent_id, f in sorted(self.files.items())
        ]

    def _downgrade(self, agent_id: str, why: str) -> None:
        mode = self.modes[agent_id]
        if mode == "verbatim":
            raise CatalogError([Diagnostic(self.files[agent_id].source, 1, 1,
                                           f"cannot be reproduced, even verbatim: {why}")])
        self.modes[agent_id] = MODES[MODES.index(mode) + 1]
        self.reasons[agent_id] = why

    # -- plans ---------------------------------------------------------------------------------
    def _plan_all(self) -> dict[str, Plan]:
        if self.infer and self.layout == LayoutText():
            self.layout = self._infer_layout()
        return self._plan_with(self.layout)

    def _plan_with(self, layout: LayoutText) -> dict[str, Plan]:
        bodies = {i: body_sections(f)[1] for i, f in self.files.items()
                  if self.modes[i] != "verbatim"}
        shared = {text for text in shared_texts(bodies, self.min_shared) - self.excluded
                  if not ("endraw" in text and any(m in text for m in _JINJA))}
        while True:
            plans = {i: self._plan_one(i, shared, layout) for i in self.files}
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
        for agent_id, plan in sorted(plans.items()):
            out[self._manifest_path(agent_id)] = toml_text(manifest_data(plan, names)).encode()
        if self.config_path:
            out[self.config_path] = self._config_text().encode()
        usage = Counter(t for plan in plans.values() for t in set(plan.block_texts()))
        self.reused = {path for path, data in out.items() if path.startswith(
            f"{self.folder('blocks')}/") and _same_file(self.root / path, data)}
        self.blocks = [ImportedBlock(name, f"{self.folder('blocks')}/{name}.md", usage[text],
                                     f"{self.folder('blocks')}/{name}.md" in self.reused)
                       for text, name in names.items()]
        return out

    def _name_blocks(self, plans: dict[str, Plan]) -> dict[str, str]:
        names: dict[str, str] = {}
        for _, plan in sorted(plans.items()):
            for text in plan.block_texts():
                if text not in names:
                    base = heading_slug(Section(text, text.split("\n", 1)[0], 0).title)
                    name, n = base, 2
                    while name in names.values():
                        name, n = f"{base}-{n}", n + 1
                    names[text] = name
        return names

    def _config_text(self) -> str:
        import tomli_w

        data: dict[str, Any] = {"output": self.config.output}
        regenerates = {f.own_banner["regenerate"] for f in self.files.values() if f.own_banner}
        data["regenerate"] = regenerates.pop() if len(regenerates) == 1 else self.config.regenerate
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
        with tempfile.TemporaryDirectory(prefix="assembler-import-") as scratch:
            stage = Path(scratch)
            self._copy_catalog(stage)
            for path, data in planned.items():
                target = stage / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            mismatched, problems = self.prove(stage)
        for agent_id, why in self._blame(problems, plans).items():
            mismatched.setdefault(agent_id, why)
        return mismatched

    def _blame(self, problems: list[Diagnostic], plans: dict[str, Plan]) -> dict[str, str]:
        """Attribute load and render errors to imported files; others are fatal.

        A block that fails is not extracted again: its users keep the text as their own.
        """
        by_manifest = {self._manifest_path(i): i for i in self.files}
        blamed: dict[str, str] = {}
        fatal = []
        for problem in problems:
            if problem.path in by_manifest:
                blamed.setdefault(by_manifest[problem.path], problem.message)
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
        for folder in ("manifests", "blocks", "roles", "templates"):
            source = self.settings.folder(folder)
            if source.is_dir():
                shutil.copytree(source, stage / self.folder(folder), symlinks=True)

    def prove(self, root: Path) -> tuple[dict[str, str], list[Diagnostic]]:
        """Render the imported agents under ``root`` and compare them with their originals."""
        from ..compose.render import Renderer
        from ..outputs.render import render_agents
        from ..sources.catalog import load_partial

        catalog, diagnostics = load_partial(root, root)
        problems = list(diagnostics)
        mismatched: dict[str, str] = {}
        if catalog is None:
            return mismatched, problems
        renderer = Renderer(catalog)
        rendered = {r.agent.id: r for r in render_agents(
            renderer, [agent for agent in catalog.agents if agent.id in self.files])}
        problems += list(renderer.failures())
        loaded = {agent.id for agent in catalog.agents}
        for agent_id, file in self.files.items():
            if agent_id not in loaded or agent_id not in rendered:
                continue
            data = rendered[agent_id].data
            self.sizes[agent_id] = len(data)
            line = first_difference(without_banner(data, catalog.settings.config.banner),
                                    file.expected())
            if line:
                mismatched[agent_id] = f"its {self.modes[agent_id]} rendering differs at line {line}"
        return mismatched, problems


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


def toml_text(data: dict[str, Any]) -> str:
    """A manifest as TOML: keys in the given order, ``[[handoff]]`` and tables last."""
    parts, tables = [], {}
    for key, value in data.items():
        if isinstance(value, dict):
            tables[key] = value
        elif key != "handoff":
            parts.append(_dump({key: value}))
    for handoff in data.get("handoff", []):
        parts.append("\n[[handoff]]\n" + _dump(handoff))
    for name, table in tables.items():
        parts.append(f"\n[{name}]\n" + "".join(_dump({k: v}) for k, v in table.items()))
    return "".join(parts)


def _dump(mapping: dict[str, Any]) -> str:
    import tomli_w

    # TOML reads CRLF inside a multi-line string as LF: such text stays escaped.
    return tomli_w.dumps(mapping, multiline_strings=not _has_cr(mapping))


def _has_cr(value: Any) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_cr(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_cr(v) for v in value)
    return False


def without_banner(data: bytes, template: str | None = None) -> bytes:
    """A generated file without its banner line (in the words of the config's ``banner``
    template, if any) and the blank line after it."""
    return strip_banner(data, blank=True, template=template)


def first_difference(actual: bytes, expected: bytes) -> int | None:
    """The 1-based line where two files first differ, or None when they are equal."""
    if actual == expected:
        return None
    a, b = actual.splitlines(keepends=True), expected.splitlines(keepends=True)
    for number, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            return number
    return min(len(a), len(b)) + 1


def _same_file(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False
