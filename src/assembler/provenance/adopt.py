"""Adopting a hand edit: writing an edit of a generated file back into its source.

An edit is adopted only when every changed part falls inside one source: static
lines of one block, or one string value of a manifest, role or config file. The
sources are rewritten, the catalog is rendered again, and the result must
reproduce the edited file exactly (banner aside); otherwise the sources are put
back and nothing else changes. Before anything is overwritten the edited file
is copied under ``.assembler/recovered/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..outputs.banner import content_hash, read_banner, strip_banner
from ..outputs.write import BuildResult, write_atomic, write_outputs
from ..sources.catalog import Agent, Catalog, load_catalog
from ..sources.folders import check_state_path
from ..diagnostics import CatalogError, Diagnostics
from ..compose.render import BUILT_IN_PREFIX
from .explain import Change, CharMap, Trace, changes, line_origin, trace_catalog
from ..outputs.render import render_catalog
from ..targets import registry
from .sourcemap import Origin
from ..sources.toml import TomlDocument, parse_toml
from ..sources.yaml import load_yaml
from .tomledit import TomlEditError, replace_string

RECOVERED = ".assembler/recovered"
_JINJA = ("{{", "{%", "{#")


@dataclass(frozen=True)
class SourceEdit:
    """One rewrite of one source: template lines, or a TOML string value."""

    origin: Origin
    first: int  # first source line replaced; for an insertion, the line it goes before
    last: int  # last source line replaced (first - 1 for an insertion)
    lines: tuple[str, ...] = ()  # new template lines
    value: str | None = None  # new TOML value

    @property
    def path(self) -> str:
        return self.origin.path

    def describe(self) -> str:
        if self.value is not None:
            return f"{self.origin.where} ({self.origin.describe()})"
        if self.last < self.first:
            return f"{self.path}: {len(self.lines)} line(s) inserted before line {self.first} " \
                   f"({self.origin.describe()})"
        span = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.path}:{span} ({self.origin.describe()})"


@dataclass
class AdoptOutcome:
    """What ``adopt`` did, or why it did nothing."""

    status: str  # adopted | refused | clean | not-edited
    path: str
    edits: list[SourceEdit] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    recovered: str | None = None
    build: BuildResult | None = None


def _lines_label(change: Change) -> str:
    first, last = change.actual[0] + 1, change.actual[1]
    if last < first:
        return f"after line {change.actual[0]}"
    return f"line {first}" if first == last else f"lines {first}-{last}"


def plan(trace: Trace, path: str, actual: bytes) -> tuple[list[SourceEdit], list[str]]:
    """The source edits that turn the fresh render of ``path`` into ``actual``, or the
    reasons it cannot be done."""
    smap = trace.maps[path]
    agent = smap.agent
    expected = trace.rendered[path].data
    refusals: list[str] = []
    try:
        actual_text = actual.decode("utf-8")
    except UnicodeDecodeError:
        return [], ["the file is not valid UTF-8"]
    banner = next(line for line in smap.lines if line.origin.kind == "banner")
    if banner.text + "\n" not in actual_text.replace("\r\n", "\n"):
        return [], [
            "the banner line was edited, or the sources changed since this file was generated: "
            "its difference from a fresh render would mix your edit with those changes. Save "
            "your edit elsewhere, run `assembler build --force`, and apply it again"
        ]
    actual = actual_text.replace("\r\n", "\n").encode("utf-8")
    chars = CharMap(smap)
    found = [c for group in changes(smap, actual, autojunk=False, chars=chars) for c in group]
    actual_lines = actual.decode("utf-8").splitlines(keepends=True)
    edits: list[SourceEdit] = []
    by_value: dict[tuple, list[Change]] = {}
    for change in found:
        reason = _refusal(change)
        if reason:
            refusals.append(f"{_lines_label(change)}: {reason}")
        elif change.origins[0].kind == "block":
            edit = _block_edit(trace, path, change, actual_lines, refusals)
            if edit is not None:
                edits.append(edit)
        else:
            by_value.setdefault(change.origins[0].unit, []).append(change)
    for unit_changes in by_value.values():
        edit = _value_edit(trace, agent, chars, expected.decode("utf-8").replace("\r\n", "\n"),
                           unit_changes, refusals)
        if edit is not None:
            edits.append(edit)
    return edits, refusals


def _refusal(change: Change) -> str | None:
    sources = change.sources()
    if len(sources) > 1:
        listed = ", ".join(f"{o.describe()} at {o.path}:{low}" + (f"-{high}" if high > low else "")
                           for o, low, high in sources)
        return (f"the edit spans {len(sources)} sources ({listed}); make one edit per source, "
                "or edit the sources directly")
    origin = change.origins[0]
    if origin.kind == "banner":
        return "the banner line is written by every build and cannot be adopted"
    if origin.kind == "layout":
        where = origin.where
        hint = (f"copy the built-in layout to _templates/{origin.path.rsplit('/', 1)[-1]} and edit it"
                if origin.path.startswith(BUILT_IN_PREFIX) else f"edit {where}")
        return (f"the edit falls in layout text ({where}), which every agent shares; "
                f"to change it, {hint}. To add an item to a list, add it to the manifest")
    if origin.approximate:
        return (f"the lines of {origin.path} could not be mapped one by one "
                "(whitespace control); edit that file directly")
    if origin.transform == "derived":
        return (f"this text is derived from `{origin.field}` ({origin.where}), not copied from "
                "it; edit the manifest directly")
    return None


def _block_edit(trace: Trace, path: str, change: Change, actual_lines: list[str],
                refusals: list[str]) -> SourceEdit | None:
    smap = trace.maps[path]
    origin = change.origins[0]
    label = _lines_label(change)
    new = tuple(line.rstrip("\n") for line in actual_lines[change.actual[0]:change.actual[1]])
    if any(token in line for line in new for token in _JINJA):
        refusals.append(f"{label}: the new text contains Jinja2 syntax (`{{{{`, `{{%` or `{{#`), "
                        f"which would be evaluated; edit {origin.path} directly")
        return None
    b1, b2 = change.expected
    if b1 == b2:  # whole lines inserted next to a block line
        above = b1 > 0 and line_origin(smap.lines[b1 - 1], "last") == origin
        if len(trace.users(origin).get(path, [])) != 1:
            refusals.append(f"{label}: {origin.where} appears more than once in this file "
                            "(a loop?), so the place to insert is ambiguous")
            return None
        at = origin.line + 1 if above else origin.line
        return SourceEdit(origin, at, at - 1, new)
    mapped = smap.lines[b1:b2]
    sources = []
    for line in mapped:
        source = line_origin(line, "first")
        if line.unit() != origin.unit or not source.is_static:
            refusals.append(
                f"{label}: line {line.number} of a fresh render comes from "
                f"{source.where}, a template line (`{source.text.strip()}`); only static "
                f"text can be adopted, so edit {source.path} directly")
            return None
        if len(trace.users(source).get(path, [])) != 1:
            refusals.append(f"{label}: {source.where} appears more than once in this file "
                            "(a loop?); edit it in the block directly")
            return None
        sources.append(source.line)
    if sources != list(range(sources[0], sources[0] + len(sources))):
        refusals.append(f"{label}: the lines come from {origin.path} lines "
                        f"{', '.join(map(str, sources))}, which are not next to each other "
                        "(a template statement sits between them); edit the block directly")
        return None
    first = line_origin(mapped[0], "first")
    return SourceEdit(first, sources[0], sources[-1], new)


def _document(trace: Trace, agent: Agent, origin: Origin) -> TomlDocument | None:
    if origin.kind == "manifest":
        return agent.document
    if origin.kind == "role":
        role = trace.catalog.roles.get(origin.name)
        return role.document if role else None
    return trace.catalog.settings.document


def _value_edit(trace: Trace, agent: Agent, chars: CharMap, expected: str,
                unit_changes: list[Change], refusals: list[str]) -> SourceEdit | None:
    origin = unit_changes[0].origins[0]
    document = _document(trace, agent, origin)
    value: Any = document.data if document else None
    for key in (document.prefix if document else ()) + origin.loc:
        value = value[key] if value is not None else None
    if not isinstance(value, str):
        refusals.append(f"{origin.where}: `{origin.field}` is not a string value")
        return None
    candidates = set()
    placed = 0
    runs = chars.occurrences(origin.unit)
    for start, end in runs:
        inside = [c for c in unit_changes if start <= c.start and c.end <= end]
        placed += len(inside)
        rendered = expected[start:end]
        new = rendered
        for change in sorted(inside, key=lambda c: c.start, reverse=True):
            new = new[:change.start - start] + change.text + new[change.end - start:]
        result = _inverse(origin, value, rendered, new)
        if result is None:
            refusals.append(f"{origin.where}: the edited text cannot be turned back into "
                            f"`{origin.field}`; edit the value directly")
            return None
        candidates.add(result)
    if placed != len(unit_changes):
        refusals.append(f"{origin.where}: the edit of `{origin.field}` does not stay inside "
                        "its text; edit the value directly")
        return None
    if len(candidates) != 1:
        refusals.append(f"`{origin.field}` appears {len(runs)} times in this file and the copies "
                        f"now differ; edit it once at {origin.where}")
        return None
    return SourceEdit(origin, origin.line, origin.line, value=candidates.pop())


def _inverse(origin: Origin, value: str, rendered: str, new: str) -> str | None:
    """The source value that renders as ``new`` where ``value`` rendered as ``rendered``."""
    if origin.transform == "yaml":
        import yaml

        try:
            data = load_yaml(new)
        except yaml.YAMLError:
            return None
        key = origin.loc[-1]
        if not isinstance(data, dict) or list(data) != [key] or not isinstance(data[key], str):
            return None
        rendered, new = value.strip(), data[key]
    at = value.find(rendered)
    if at < 0:
        return None
    return value[:at] + new + value[at + len(rendered):]


# -- writing ---------------------------------------------------------------------------------
def _apply(root: Path, edits: list[SourceEdit]) -> dict[str, bytes]:
    """Rewrite the sources; returns their previous bytes, for putting them back."""
    originals: dict[str, bytes] = {}
    by_path: dict[str, list[SourceEdit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    prepared: dict[str, bytes] = {}
    for path, items in by_path.items():
        raw = (root / path).read_bytes()
        originals[path] = raw
        crlf = b"\r\n" in raw
        text = raw.decode("utf-8").replace("\r\n", "\n")
        if items[0].value is None:
            lines = text.split("\n")
            for edit in sorted(items, key=lambda e: e.first, reverse=True):
                lines[edit.first - 1:edit.last] = list(edit.lines)
            text = "\n".join(lines)
        else:
            document = _parsed(text, path, items[0])
            for edit in items:
                assert edit.value is not None
                text = replace_string(document, edit.origin.loc, edit.value)
                document = _parsed(text, path, edit)
        prepared[path] = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    for path, data in prepared.items():
        write_atomic(root / path, data)
    return originals


def _parsed(text: str, path: str, edit: SourceEdit) -> TomlDocument:
    diagnostics = Diagnostics()
    document = parse_toml(text, path, diagnostics)
    if document is None:
        raise TomlEditError(f"{path} does not parse")
    if edit.origin.kind == "config" and path.endswith("pyproject.toml"):
        document.prefix = ("tool", "assembler")
    return document


def _restore(root: Path, originals: dict[str, bytes]) -> None:
    for path, data in originals.items():
        write_atomic(root / path, data)


def recover(root: Path, path: str, data: bytes) -> str:
    """Keep a copy of ``data`` under ``.assembler/recovered/``; returns its path."""
    stem, _, suffix = path.rpartition(".")
    name = f"{RECOVERED}/{stem}.{content_hash(data)}.{suffix}" if stem else \
        f"{RECOVERED}/{path}.{content_hash(data)}"
    check_state_path(root, name)
    write_atomic(root / name, data)
    return name


def adopt(catalog: Catalog, path: str) -> AdoptOutcome:
    """Write the hand edit of the generated file ``path`` back to its sources, then rebuild.

    Raises :class:`CatalogError` when the catalog cannot be rendered to begin with.
    """
    root = catalog.root
    target = root / path
    try:
        actual = target.read_bytes()
    except FileNotFoundError:
        return AdoptOutcome("refused", path,
                            refusals=["the file does not exist; there is no edit to adopt"])
    trace = trace_catalog(catalog)
    if actual == trace.rendered[path].data:
        return AdoptOutcome("clean", path)
    comment = registry.comment_of(trace.rendered[path].target)
    template = registry.banner_words(trace.rendered[path].target, catalog.settings.config.banner)
    banner = read_banner(actual, comment, template)
    if banner is not None and banner.intact:
        return AdoptOutcome("not-edited", path)
    if banner is not None and banner.intact is None:
        return AdoptOutcome("refused", path, refusals=[
            "its banner has no hash, so a hand edit cannot be told from a file that is only "
            "stale, and adopting a stale file would write old text back into the sources; "
            "add `{hash}` to the `banner` template in assembler.toml, run `assembler build`, "
            "then make the edit again and adopt it"])
    edits, refusals = plan(trace, path, actual)
    if refusals or not edits:
        return AdoptOutcome("refused", path, edits,
                            refusals or ["no difference that maps to a source was found"])
    recovered = recover(root, path, actual)
    try:
        originals = _apply(root, edits)
    except TomlEditError as exc:
        return AdoptOutcome("refused", path, edits, [str(exc)], recovered)
    try:
        fresh = load_catalog(root)
        rendered = render_catalog(fresh)
    except CatalogError as exc:
        _restore(root, originals)
        problems = "; ".join(d.format().replace("\n", " ") for d in exc.diagnostics[:3])
        return AdoptOutcome("refused", path, edits,
                            [f"the adopted sources do not render: {problems}"], recovered)
    mine = next(r for r in rendered if r.path == path)
    if strip_banner(mine.data.replace(b"\r\n", b"\n"), comment, template=template) \
            != strip_banner(actual.replace(b"\r\n", b"\n"), comment, template=template):
        _restore(root, originals)
        return AdoptOutcome("refused", path, edits, [
            "rewriting the sources would not reproduce the edited file exactly "
            "(the same source text shows up elsewhere in it, or a template changes it); "
            "edit the sources directly"], recovered)
    write_atomic(target, mine.data)
    result = write_outputs(fresh, rendered, force=False, prune=False)
    result.updated.insert(0, path)
    result.unchanged -= 1
    return AdoptOutcome("adopted", path, edits, [], recovered, result)
