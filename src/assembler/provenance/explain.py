"""Answers about generated files: which source made a line, who else shows it,
and where a difference between a file and its fresh render has to be made.

Everything here works on a :class:`Trace` (a tracing render of the catalog);
only :func:`write_sourcemaps` writes, and only when asked.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sources.catalog import Agent, Catalog
from ..diagnostics import CatalogError
from .. import parallel
from ..compose.render import BUILT_IN_PREFIX
from ..outputs.render import Rendered
from ..targets import registry
from ..sources.skills import Skill
from .sourcemap import LAYOUT_KINDS, LayoutTracer, MappedLine, Origin, SourceMap, TracingRenderer



@dataclass
class Trace:
    """Fresh renders of a catalog's agents, each with its source map."""

    catalog: Catalog
    maps: dict[str, SourceMap]  # by output path
    rendered: dict[str, Rendered]  # by output path
    approximate: tuple[str, ...] = ()
    # Outputs not in ``maps`` whose lines of LAYOUT_KINDS are known (see LayoutTracer):
    # (path, line) → output → line numbers, and each such output's agent.
    layout_users: dict[tuple[str, int], dict[str, list[int]]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    _index: dict[tuple[str, int], dict[str, list[int]]] | None = field(default=None, repr=False)

    def users(self, origin: Origin) -> dict[str, list[int]]:
        """Every output (path → line numbers) that contains this source line."""
        if self._index is None:
            self._index = {}
            for path, smap in self.maps.items():
                for line in smap.lines:  # a line's origins: its segments' and its end's
                    found = {(s.origin.path, s.origin.line) for s in line.segments}
                    found.add((line.end.path, line.end.line))
                    for key in found:
                        self._index.setdefault(key, {}).setdefault(path, []).append(line.number)
        key = (origin.path, origin.line)
        found = self._index.get(key, {})
        more = self.layout_users.get(key) if origin.kind in LAYOUT_KINDS else None
        return {**found, **more} if more else found

    def reach(self, origins: list[Origin]) -> list[str]:
        """The outputs that contain any of these source lines, sorted."""
        return sorted({path for origin in origins for path in self.users(origin)})

    def agents(self, paths) -> set[str]:
        """The agents these outputs belong to (an agent has one output per target)."""
        return {self.maps[path].agent.id if path in self.maps else self.owners[path]
                for path in paths}


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def reach_text(trace: Trace, paths: list[str]) -> str:
    """``7 agents``, or ``7 agents (28 files)`` when agents have several outputs."""
    agents = len(trace.agents(paths))
    return count(agents, "agent") + (f" ({count(len(paths), 'file')})" if len(paths) != agents else "")


def trace_catalog(catalog: Catalog, only: set[str] | None = None) -> Trace:
    """Render with source maps; raises :class:`CatalogError` on template errors."""
    renderer = TracingRenderer(catalog)
    results = renderer.trace_all(only)
    problems = renderer.failures()
    if problems:
        raise CatalogError(problems)
    return Trace(
        catalog,
        {smap.path: smap for _, smap in results},
        {rendered.path: rendered for rendered, _ in results},
        tuple(sorted(renderer.approximate)),
    )


def edit_hint(origin: Origin) -> str:
    """Where (and whether) a change to text from ``origin`` can be made."""
    if origin.kind == "banner":
        return "nothing: the banner is written on every build"
    if origin.path.startswith(BUILT_IN_PREFIX):
        name = origin.path.rsplit("/", 1)[-1]
        return (f"{origin.where} is the built-in layout; copy it to _templates/{name} "
                "to change it for this catalog")
    if origin.transform == "derived":
        return f"{origin.where} (the output is derived from `{origin.field}`, not copied)"
    return origin.where


def label(origin: Origin, agent: Agent | None = None) -> str:
    """``describe()`` plus how the agent gets a block (through its role)."""
    text = origin.describe()
    if origin.kind == "block" and agent is not None and agent.role is not None \
            and origin.name in agent.role.blocks and origin.name not in agent.manifest.blocks:
        text += f" (through role `{agent.role.name}`)"
    if origin.is_template:
        text += " (static text)" if origin.is_static else " (template line)"
    if origin.approximate:
        text += " (somewhere in this file: the line could not be pinned down)"
    return text


# -- differences between a file on disk and its fresh render --------------------------------
@dataclass(frozen=True)
class Change:
    """One difference: fresh-render lines ``expected`` became disk lines ``actual``.

    Ranges are 0-based and end-exclusive. ``start``/``end`` are the character
    offsets in the fresh render that the edit replaces (equal for an
    insertion), ``text`` what the disk has there instead, and ``origins`` every
    source the edit touches.
    """

    expected: tuple[int, int]
    actual: tuple[int, int]
    start: int
    end: int
    text: str
    origins: tuple[Origin, ...]

    @property
    def units(self) -> list[tuple]:
        seen: list[tuple] = []
        for origin in self.origins:
            if origin.unit not in seen:
                seen.append(origin.unit)
        return seen

    def sources(self) -> list[tuple[Origin, int, int]]:
        """One entry per unit touched: an origin, and its first and last source line."""
        out: dict[tuple, tuple[Origin, int, int]] = {}
        for origin in self.origins:
            if origin.unit in out:
                first, low, high = out[origin.unit]
                out[origin.unit] = (first, min(low, origin.line), max(high, origin.line))
            else:
                out[origin.unit] = (origin, origin.line, origin.line)
        return list(out.values())


def _split(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text.replace("\r\n", "\n").splitlines(keepends=True)


class CharMap:
    """The origin of every character of a fresh render (line breaks included)."""

    def __init__(self, smap: SourceMap):
        self.smap = smap
        self.starts: list[int] = []
        self.origins: list[Origin] = []
        for line in smap.lines:
            self.starts.append(len(self.origins))
            row = [line.end] * len(line.text)
            for segment in line.segments:
                row[segment.start:segment.end] = [segment.origin] * (segment.end - segment.start)
            self.origins.extend(row)
            self.origins.append(line.end)
        self.starts.append(len(self.origins))

    def line_of(self, offset: int) -> int:
        """0-based line index holding ``offset``."""
        low, high = 0, len(self.smap.lines) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    def occurrence(self, offset: int, unit: tuple) -> tuple[int, int]:
        """The run of characters of ``unit`` around ``offset``."""
        start = offset
        while start > 0 and self.origins[start - 1].unit == unit:
            start -= 1
        end = offset
        while end < len(self.origins) and self.origins[end].unit == unit:
            end += 1
        return start, end

    def occurrences(self, unit: tuple) -> list[tuple[int, int]]:
        runs, offset = [], 0
        while offset < len(self.origins):
            if self.origins[offset].unit == unit:
                run = self.occurrence(offset, unit)
                runs.append(run)
                offset = run[1]
            else:
                offset += 1
        return runs


def line_origin(line: MappedLine, edge: str) -> Origin:
    """The origin at one edge of a line's visible text (its break for a blank line)."""
    visible = [s for s in line.segments if line.text[s.start:s.end].strip()]
    if not visible:
        return line.end
    return visible[-1].origin if edge == "last" else visible[0].origin


def _insertion_origins(smap: SourceMap, index: int) -> tuple[Origin, ...]:
    """Who owns whole lines inserted before line ``index`` (0-based): above, else below."""
    candidates = []
    if index > 0:
        candidates.append(line_origin(smap.lines[index - 1], "last"))
    if index < len(smap.lines):
        candidates.append(line_origin(smap.lines[index], "first"))
    for origin in candidates:
        if origin.kind not in ("layout", "banner"):
            return (origin,)
    return tuple(candidates[:1])


def _touched(chars: CharMap, start: int, end: int, text: str) -> tuple[Origin, ...]:
    """Every origin an edit of ``[start, end)`` into ``text`` touches."""
    smap = chars.smap
    if start == end:
        index = chars.line_of(start)
        at_line_start = start == chars.starts[index]
        if at_line_start and (text.endswith("\n") or start >= len(chars.origins)):
            return _insertion_origins(smap, index)
        around = [chars.origins[i] for i in (start - 1, start) if 0 <= i < len(chars.origins)]
        own = [o for o in around if o.kind not in ("layout", "banner")]
        if len({o.unit for o in own}) == 1:
            return (own[0],)
        return tuple(dict.fromkeys(own or around))
    found: list[Origin] = []
    first, last = chars.line_of(start), chars.line_of(end - 1)
    for index in range(first, last + 1):
        line = smap.lines[index]
        line_start = chars.starts[index]
        low, high = max(start, line_start) - line_start, min(end, chars.starts[index + 1]) - line_start
        if low == 0 and high >= len(line.text) and line.unit() is not None:
            found.append(line_origin(line, "first"))
            found.extend(o.origin for o in line.segments if line.text[o.start:o.end].strip())
            continue
        for offset in range(line_start + low, line_start + high):
            found.append(chars.origins[offset])
    return tuple(dict.fromkeys(found))


def changes(smap: SourceMap, actual: bytes | str, autojunk: bool = True,
            chars: CharMap | None = None) -> list[list[Change]]:
    """The differences between the file on disk and its fresh render, grouped like
    the hunks of ``FileState.diff()`` (three lines of context)."""
    expected_lines = [line.text + "\n" for line in smap.lines]
    actual_lines = _split(actual)
    chars = chars or CharMap(smap)
    matcher = difflib.SequenceMatcher(None, actual_lines, expected_lines, autojunk=autojunk)
    groups = []
    for group in matcher.get_grouped_opcodes(3):
        found = []
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                continue
            old = "".join(expected_lines[b1:b2])
            new = "".join(actual_lines[a1:a2])
            prefix = 0
            while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
                prefix += 1
            suffix = 0
            while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
                suffix += 1
            base = chars.starts[b1]
            start, end = base + prefix, base + len(old) - suffix
            text = new[prefix:len(new) - suffix]
            if b1 == b2:  # whole lines inserted: keep them whole
                start = end = base
                text = new
            found.append(Change((b1, b2), (a1, a2), start, end, text,
                                _touched(chars, start, end, text)))
        groups.append(found)
    return groups


# A change to the banner is its hash following the file's other sources: there is nothing
# to edit there and no reach to count (every file's banner is its own).
BANNER_NOTE = "generated banner: its hash changes with the sources"


def describe_change(change: Change, trace: Trace) -> str:
    """``source:lines (what)`` for each source, and how many agents the change reaches."""
    every = change.sources()
    sources = [found for found in every if found[0].kind != "banner"]
    banner = BANNER_NOTE if len(sources) < len(every) else ""
    if not sources:
        return banner
    parts = []
    for origin, low, high in sources:
        lines = f"{low}" if low == high else f"{low}-{high}"
        parts.append(f"{origin.path}:{lines} ({origin.describe()})")
    agents = reach_text(trace, trace.reach([o for o in change.origins if o.kind != "banner"]))
    if len(parts) > 1:
        note = " + ".join(parts) + f": spans {len(parts)} sources, touches {agents}"
    else:
        note = f"{parts[0]}: touches {agents}"
    return f"{banner}; {note}" if banner else note


def annotated_diff(smap: SourceMap, actual: bytes, diff: str, trace: Trace,
                   groups: list[list[Change]] | None = None) -> str:
    """``diff`` (a/ disk, b/ fresh render) with each hunk header naming its sources
    (``groups``: :func:`changes` of ``smap`` and ``actual``, when already known)."""
    groups = changes(smap, actual) if groups is None else groups
    out, hunk = [], 0
    for line in diff.splitlines(keepends=True):
        if line.startswith("@@") and hunk < len(groups):
            found = groups[hunk]
            hunk += 1
            if found:
                notes = "; ".join(dict.fromkeys(describe_change(c, trace) for c in found))
                line = line.rstrip("\n") + f" {notes}\n"
        out.append(line)
    return "".join(out)


# -- explain ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineReport:
    """What ``explain FILE:LINE`` knows about one line of a file on disk."""

    path: str
    number: int  # line on disk (or in the fresh render when the file is missing)
    text: str
    mapped: MappedLine | None  # the fresh-render line it corresponds to
    change: Change | None  # set when the line differs from the fresh render
    others: dict[str, list[int]]  # other outputs holding the same source line
    state: str  # "clean", "differs" or "missing"


def explain_line(trace: Trace, path: str, number: int, actual: bytes | None) -> LineReport:
    """Map line ``number`` of the file ``path`` on disk to its source, through the diff if needed."""
    smap = trace.maps[path]
    expected = trace.rendered[path].data
    if actual is None or actual == expected:
        state = "missing" if actual is None else "clean"
        mapped = smap.line(number)
        return LineReport(path, number, mapped.text, mapped, None,
                          _others(trace, mapped.origin, path), state)
    actual_lines = _split(actual)
    text = actual_lines[number - 1].rstrip("\n")
    matcher = difflib.SequenceMatcher(None, actual_lines, [line.text + "\n" for line in smap.lines],
                                      autojunk=False)
    for tag, a1, a2, b1, _ in matcher.get_opcodes():
        if a1 <= number - 1 < a2 and tag == "equal":
            mapped = smap.line(b1 + number - a1)
            return LineReport(path, number, text, mapped, None,
                              _others(trace, mapped.origin, path), "differs")
    for change in [c for group in changes(smap, actual, autojunk=False) for c in group]:
        if change.actual[0] <= number - 1 < change.actual[1]:
            origin = change.origins[0]
            return LineReport(path, number, text, None, change,
                              _others(trace, origin, path), "differs")
    raise ValueError(f"line {number} not found in the diff")  # pragma: no cover


def _others(trace: Trace, origin: Origin, path: str) -> dict[str, list[int]]:
    return {p: lines for p, lines in sorted(trace.users(origin).items()) if p != path}


def explain_text(report: LineReport, trace: Trace, agent: Agent) -> str:
    lines = []
    if report.mapped is not None:
        origin = report.mapped.origin
        lines.append(f"{report.path}:{report.number}: {label(origin, agent)}")
        lines.append(f"  edit    {edit_hint(origin)}")
        lines.append(f"  line    {report.text}")
        if origin.is_template and origin.text != report.text and not origin.approximate:
            lines.append(f"  source  {origin.text}")
        for other in report.mapped.origins[1:]:
            lines.append(f"  also    {other.where} ({other.describe()})")
        if report.state == "differs" and report.mapped.number != report.number:
            lines.append(f"  note    the file differs from a fresh render; this is line "
                         f"{report.mapped.number} there")
    else:
        assert report.change is not None
        lines.append(f"{report.path}:{report.number}: differs from a fresh render "
                     "(edited by hand, or its sources changed)")
        lines.append(f"  line    {report.text}")
        lines.append(f"  source  {describe_change(report.change, trace)}")
    if report.others:
        own = trace.maps[report.path].agent.id
        others = len(trace.agents(report.others) - {own})
        files = len(report.others)
        shown = count(others, "other agent")
        if files != others:
            shown = f"{count(files, 'other file')} ({shown})" if others else count(files, "other file")
        lines.append(f"  used by {shown} with the same source line:")
        for path, numbers in report.others.items():
            lines.append(f"    {path}:{','.join(map(str, numbers))}")
    else:
        lines.append("  used by no other agent")
    return "\n".join(lines) + "\n"


def explain_json(report: LineReport) -> dict:
    data: dict = {"file": report.path, "line": report.number, "text": report.text,
                  "state": report.state}
    if report.mapped is not None:
        data["source"] = report.mapped.origin.as_dict()
        data["parts"] = [{"start": s.start, "end": s.end, **s.origin.as_dict()}
                         for s in report.mapped.segments]
        data["render_line"] = report.mapped.number
    if report.change is not None:
        data["sources"] = [{**o.as_dict(), "first_line": low, "last_line": high}
                           for o, low, high in report.change.sources()]
    data["other_agents"] = [{"file": p, "lines": n} for p, n in report.others.items()]
    return data


@dataclass(frozen=True)
class OutlineRow:
    first: int
    last: int
    origin: Origin
    source_first: int
    source_last: int
    fields: tuple[str, ...]
    agents: int


def outline(trace: Trace, smap: SourceMap) -> list[OutlineRow]:
    """Consecutive lines from the same source file, blank layout lines left out."""
    rows: list[OutlineRow] = []
    for line in smap.lines:
        origin = line.origin
        if origin.kind == "layout" and not line.text.strip():
            continue
        field_name = re.sub(r"\[\d+\]", "", origin.field)
        key = (origin.kind, origin.path, origin.name if origin.is_template else "")
        if rows and (rows[-1].origin.kind, rows[-1].origin.path,
                     rows[-1].origin.name if rows[-1].origin.is_template else "") == key:
            row = rows[-1]
            fields = row.fields + ((field_name,) if field_name and field_name not in row.fields
                                   else ())
            rows[-1] = OutlineRow(row.first, line.number, row.origin,
                                  min(row.source_first, origin.line),
                                  max(row.source_last, origin.line), fields, row.agents)
        else:
            rows.append(OutlineRow(line.number, line.number, origin, origin.line, origin.line,
                                   (field_name,) if field_name else (), 0))
    # agents: those with an output that shows any line of the row's source range
    return [
        OutlineRow(row.first, row.last, row.origin, row.source_first, row.source_last, row.fields,
                   len(trace.agents({p for number in range(row.source_first, row.source_last + 1)
                                     for p in trace.users(Origin(row.origin.kind, row.origin.path,
                                                                 number))})))
        for row in rows
    ]


def outline_text(trace: Trace, smap: SourceMap) -> str:
    rows = outline(trace, smap)
    out = [f"{smap.path} ({len(smap.lines)} lines, from {smap.agent.source})"]
    table = []
    for row in rows:
        lines = f"{row.first}" if row.first == row.last else f"{row.first}-{row.last}"
        span = (f"{row.source_first}" if row.source_first == row.source_last
                else f"{row.source_first}-{row.source_last}")
        what = {"block": f"block {row.origin.name}", "role": f"role {row.origin.name}",
                "banner": "banner"}.get(row.origin.kind, row.origin.kind)
        if row.fields:
            what += " " + ", ".join(row.fields)
        table.append((lines, f"{row.origin.path}:{span}", what, f"{row.agents}"))
    widths = [max(len(r[i]) for r in table) for i in range(3)] if table else [0, 0, 0]
    out.append(f"  {'lines':<{widths[0]}}  {'source':<{widths[1]}}  {'what':<{widths[2]}}  agents")
    for lines, source, what, agents in table:
        out.append(f"  {lines:<{widths[0]}}  {source:<{widths[1]}}  {what:<{widths[2]}}  {agents}")
    if smap.approximate:
        out.append("note: lines of " + ", ".join(smap.approximate)
                   + " are mapped to the whole template (whitespace control defeated tracing)")
    return "\n".join(out) + "\n"


# -- for other commands ------------------------------------------------------------------------
SOURCEMAPS = ".assembler/sourcemaps"


def annotated_diffs(catalog: Catalog, states: list) -> dict[str, str]:
    """Diffs of edited and stale files, each hunk header naming its sources.

    Only the agents with such a file are traced first. A hunk header also counts
    the agents each source line reaches (the banner's aside: see :data:`BANNER_NOTE`),
    and only the outputs that can hold those lines are traced for that: a block's
    users, a manifest's own agent, and, for a line of a layout, the config or a role,
    every other output by a
    :class:`~.sourcemap.LayoutTracer`, which maps just those kinds, as a full trace
    does, at a fraction of its cost. The annotations are a convenience: if tracing
    fails for any reason the plain diffs are shown, so the drift check itself never
    depends on it.
    """
    try:
        shown = [state for state in states
                 if state.kind in ("edited", "stale") and state.actual]
        makers = [*catalog.agents, *catalog.skills]
        renderer = TracingRenderer(catalog)
        first = {state.manifest for state in shown}
        traced = _trace(renderer, [m for m in makers if m.source in first])
        groups = {state.path: changes(traced[state.path][1], state.actual)
                  for state in shown if state.path in traced}
        origins = {origin for found in groups.values() for group in found
                   for change in group for origin in change.origins
                   if origin.kind != "banner"}  # whose reach is not counted
        rest = [m for m in makers if m.source not in first]
        traced |= _trace(renderer, [m for m in rest if _may_hold(m, origins)])
        users: dict[tuple[str, int], dict[str, list[int]]] = {}
        owners: dict[str, str] = {}
        if any(origin.kind in LAYOUT_KINDS for origin in origins):
            others = [m for m in rest if not _may_hold(m, origins)]
            for maker, path, keys in _layout_keys(catalog, others):
                owners[path] = maker.id
                for key, numbers in keys.items():
                    users.setdefault(key, {})[path] = numbers
        if renderer.failures():
            raise CatalogError(renderer.failures())
        trace = Trace(catalog, {path: smap for path, (_, smap) in traced.items()},
                      {path: rendered for path, (rendered, _) in traced.items()},
                      tuple(sorted(renderer.approximate)), users, owners)
        return {state.path: annotated_diff(trace.maps[state.path], state.actual, state.diff(),
                                           trace, groups[state.path])
                for state in shown if state.path in groups}
    except Exception:  # noqa: BLE001 — fall back to the plain diff
        return {}


def _trace(renderer: TracingRenderer, makers: list) -> dict[str, tuple[Rendered, SourceMap]]:
    """Each output of ``makers`` (agents and skills) with its source map."""
    found = {}
    for maker in makers:
        trace = renderer.trace_skill if isinstance(maker, Skill) else renderer.trace_agent
        for rendered, smap in trace(maker) or ():
            found[rendered.path] = (rendered, smap)
    return found


def _layout_keys(catalog: Catalog, makers: list) -> list[tuple[Any, str, dict]]:
    """``(maker, output, its lines of each layout, config and role line)`` for every
    output of ``makers``, worked out on every core (see :class:`~.sourcemap.LayoutTracer`)."""
    renderer = LayoutTracer(catalog)
    for target in registry.enabled(catalog.settings):  # compiled once, before forking
        if target.layout:
            renderer.layout(target.layout, target.name)

    def work(part: list) -> tuple[list[tuple[int, str, dict]], bool]:
        found = []
        for index, maker in enumerate(part):
            for path, keys in renderer.trace_keys(maker) or ():
                found.append((index, path, keys))
        return found, bool(renderer.failures())

    workers = parallel.worker_count(len(makers))
    size = -(-len(makers) // workers) if makers else 0
    result = []
    for number, (found, failed) in enumerate(parallel.fork_map(work, makers, workers)):
        if failed:
            raise CatalogError(renderer.failures())
        part = makers[number * size:(number + 1) * size] if workers > 1 else makers
        result += [(part[index], path, keys) for index, path, keys in found]
    return result


def _may_hold(maker, origins: set[Origin]) -> bool:
    """Whether an output of ``maker`` (an agent or a skill) can hold text from the blocks
    or manifests among ``origins``: a block is in its users' outputs only, a manifest
    value in its own agent's only (the other kinds: see :class:`~.sourcemap.LayoutTracer`)."""
    return any(origin.path in (maker.source, maker.document.path) if origin.kind == "manifest"
               else origin.kind == "block" and origin.name in maker.all_blocks
               for origin in origins)


def write_sourcemaps(catalog: Catalog, only: set[str] | None = None) -> list[str]:
    """Write ``.assembler/sourcemaps/<output>.json`` for each agent; returns the paths."""
    import json

    from ..outputs.write import write_atomic
    from ..sources.folders import check_state_path

    trace = trace_catalog(catalog, only)
    for path in trace.maps:
        check_state_path(catalog.root, f"{SOURCEMAPS}/{path}.json")
    written = []
    for path, smap in sorted(trace.maps.items()):
        target = f"{SOURCEMAPS}/{path}.json"
        data = json.dumps(smap.as_dict(), indent=1, ensure_ascii=False) + "\n"
        write_atomic(catalog.root / target, data.encode("utf-8"))
        written.append(target)
    return written
