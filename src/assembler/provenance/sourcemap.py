"""Where every generated line comes from: a tracing render.

The normal :class:`~assembler.render.Renderer` is left untouched, so builds
and checks pay nothing for provenance. :class:`TracingRenderer` renders the
same agents with private-use marker characters around every inserted value
(``OPEN id SEP … CLOSE``) and at the start of every template line
(``LINE id SEP``). The text without the markers is checked against the plain
render, byte for byte; the markers then say which source produced each
character of each output line. A template whose traced render differs (exotic
whitespace control) is still mapped, to the whole template, and flagged as
approximate rather than guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import jinja2

from ..compose.composition import TextOf, Value
from ..compose.render import Ink, Renderer
from ..outputs.render import Rendered, render_agent
from ..outputs.skills import render_skill
from ..sources.skills import Skill
from ..sources.catalog import Agent, Catalog
from ..sources.schema import dotted
from ..sources.toml import TomlDocument
from ..targets.base import PLACEHOLDER

# Plane-16 private-use characters: no catalog text has a reason to contain them.
OPEN, SEP, LINE, CLOSE = "\U0010fff0", "\U0010fff1", "\U0010fff2", "\U0010fff3"
_MARKER = re.compile("\U0010fff0(\\d+)\U0010fff1|\U0010fff2(\\d+)\U0010fff1|\U0010fff3")
_MARKER_CHARS = re.compile("[\U0010fff0-\U0010fff3]")
_JINJA = ("{{", "{%", "{#")
TOML_KINDS = ("manifest", "config", "role")


@dataclass(frozen=True)
class Origin:
    """One place in one source file that produced output text."""

    kind: str  # manifest | config | role | block | layout | banner
    path: str  # relative to the root; the built-in layout is "<assembler>/layouts/…"
    line: int  # 1-based line in that file
    name: str = ""  # the block, role or agent the source belongs to
    field: str = ""  # dotted TOML key of a value, e.g. "handoff[0].trigger"
    loc: tuple = ()  # the same key as a path, for rewriting the value
    text: str = ""  # the template line, for blocks and layouts
    transform: str = "exact"  # exact: the value verbatim; yaml: YAML-quoted; derived
    approximate: bool = False  # the line is somewhere in this template, not exactly here

    @property
    def unit(self) -> tuple:
        """What one edit changes: a TOML value, or a whole template file."""
        if self.kind in TOML_KINDS:
            return (self.kind, self.path, self.loc)
        return (self.kind, self.path)

    @property
    def is_template(self) -> bool:
        return self.kind in ("block", "layout")

    @property
    def is_static(self) -> bool:
        """A template line without Jinja2 syntax: its text is the output text."""
        return self.is_template and not self.approximate and not any(t in self.text for t in _JINJA)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        if self.kind == "block":
            return f"block `{self.name}`"
        if self.kind == "manifest":
            return f"manifest field `{self.field}`"
        if self.kind == "config":
            return f"config field `{self.field}`"
        if self.kind == "role":
            return f"role `{self.name}` field `{self.field}`"
        if self.kind == "banner":
            return "generated banner"
        return "layout"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "path": self.path, "line": self.line}
        if self.name:
            data["name"] = self.name
        if self.field:
            data["field"] = self.field
        if self.kind in TOML_KINDS or self.kind == "banner":
            data["transform"] = self.transform
        if self.is_template:
            data["static"] = self.is_static
        if self.approximate:
            data["approximate"] = True
        return data


@dataclass(frozen=True)
class Segment:
    """Columns ``start``–``end`` (0-based, end excluded) of a line, and their origin."""

    start: int
    end: int
    origin: Origin


@dataclass(frozen=True)
class MappedLine:
    """One output line: its text, what produced each part, and its line break."""

    number: int
    text: str
    segments: tuple[Segment, ...]
    end: Origin  # produced the line break; for a blank line, the whole line

    @property
    def origin(self) -> Origin:
        """The source to edit for this line: the part with the most visible text."""
        best, best_score = self.end, -1
        for segment in self.segments:
            visible = sum(1 for ch in self.text[segment.start:segment.end] if not ch.isspace())
            score = visible * 2 + (segment.origin.kind != "layout")
            if score > best_score:
                best, best_score = segment.origin, score
        return best

    @property
    def origins(self) -> tuple[Origin, ...]:
        """Every distinct origin of the line, primary first."""
        found = [self.origin]
        for segment in self.segments:
            if segment.origin not in found:
                found.append(segment.origin)
        return tuple(found)

    def unit(self) -> tuple | None:
        """The one unit that produced the whole visible line, or None when mixed."""
        units = {s.origin.unit for s in self.segments if self.text[s.start:s.end].strip()}
        if not units:
            return self.end.unit if not self.text.strip() else self.segments[0].origin.unit
        return units.pop() if len(units) == 1 else None


@dataclass(frozen=True)
class SourceMap:
    """The origin of every line of one generated file."""

    agent: Agent
    path: str
    lines: tuple[MappedLine, ...]
    approximate: tuple[str, ...] = ()  # templates mapped only as a whole

    def line(self, number: int) -> MappedLine:
        return self.lines[number - 1]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready map for editors: one entry per line, parts by column."""
        return {
            "version": 1,
            "file": self.path,
            "agent": self.agent.id,
            "lines": [
                {
                    "line": line.number,
                    "source": line.origin.as_dict(),
                    "parts": [
                        {"start": s.start, "end": s.end, **s.origin.as_dict()} for s in line.segments
                    ],
                }
                for line in self.lines
            ],
        }


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def _unmark(value: Any) -> Any:
    """A layout context with every marker removed, for the plain render."""
    if isinstance(value, str):
        return strip_markers(value) if _MARKER_CHARS.search(value) else value
    if isinstance(value, list):
        return [_unmark(v) for v in value]
    if isinstance(value, dict):
        return {k: _unmark(v) for k, v in value.items()}
    return value


# -- finding where template lines start -------------------------------------------------------
_TAG_BEGIN = ("variable_begin", "block_begin", "comment_begin", "raw_begin", "raw_end")
_TAG_END = ("variable_end", "block_end", "comment_end")


class _Tag(NamedTuple):
    start: int
    end: int
    text: str
    opens_raw: bool = False  # `{% raw %}`: what follows it, its own line break included, is data


@functools.cache
def _lexer() -> Any:
    """The lexer of the environment blocks and layouts are compiled with."""
    from ..compose.render import make_environment

    return make_environment().lexer


def _tags(source: str) -> list[_Tag] | None:
    """Every ``{{ }}``, ``{% %}`` and ``{# #}`` tag, as jinja2's lexer finds them.

    ``{% raw %}`` and ``{% endraw %}`` are tags too; the text between them is
    data. None when the lexer rejects the template (it does not compile either).
    """
    # jinja2 reads a lone CR as a line break and CRLF as one; a space keeps the offsets
    text = source.replace("\r", " ")
    tags: list[_Tag] = []
    position = start = 0
    try:
        for _, kind, value in _lexer().tokeniter(text, None):
            if kind in _TAG_BEGIN:
                # lstrip_blocks and `-` leave the whitespace before a tag out of the data
                found = text.index(value, position)
                if text[position:found].strip():
                    return None
                position = start = found
            elif not text.startswith(value, position):
                return None
            # a closing value also holds what trim_blocks or `-` eat after the tag
            if kind in _TAG_END:
                end = position + (3 if value[0] in "-+" else 2)
                tags.append(_Tag(start, end, source[start:end]))
            elif kind in ("raw_begin", "raw_end"):
                end = position + value.index("%}") + 2
                tags.append(_Tag(start, end, source[start:end], kind == "raw_begin"))
            position += len(value)
    except jinja2.TemplateSyntaxError:
        return None
    return tags


def instrument(source: str, marker_for_line: Callable[[int], str]) -> str:
    """``source`` with a line marker where each line's output starts.

    A marker is plain template data, so it is emitted exactly when the text of
    its line is. It goes at the start of a line, after the leading tags of a
    line that opens with a statement, and nowhere for lines that only hold
    statements or comments or that start inside a tag.
    """
    tags = _tags(source)
    if tags is None:
        return source
    inserts: list[tuple[int, str]] = []
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    index = 0  # first tag that ends after the current line start
    for number, start in enumerate(starts, start=1):
        if start >= len(source):
            break
        end = source.find("\n", start)
        end = len(source) if end == -1 else end
        while index < len(tags) and tags[index][1] <= start:
            index += 1
        if index < len(tags) and tags[index][0] < start:
            continue  # the line starts inside a tag or comment
        line = source[start:end]
        first = start + len(line) - len(line.lstrip(" \t"))
        trimmed = _trimmed_into(source, tags[index - 1] if index else None, start)
        leading = _leading_tags(tags, index, first, end)
        if (not leading and index < len(tags) and tags[index][0] == first
                and tags[index][2].startswith(("{%", "{#"))):
            continue  # a statement or comment that runs over several lines
        if index < len(tags) and tags[index][0] == first and tags[index][2][2:3] == "-":
            continue  # `{%-` eats the line break before it: the text joins the line above
        if leading and leading[0][2].startswith(("{%", "{#")):
            rest = source[leading[-1][1]:end]
            # trim_blocks leaves the line break after `{% raw %}`: it is the raw text's first line
            keeps_break = leading[-1].opens_raw and not leading[-1].text.endswith("-%}")
            if not rest.strip(" \t") and not keeps_break:
                continue  # a control line: it emits nothing of its own
            position = leading[-1][1]
            if leading[-1][2].endswith(("-%}", "-#}", "-}}")):
                position += len(rest) - len(rest.lstrip(" \t"))
        elif trimmed:
            if first == end:
                continue  # a blank line eaten by the whitespace control above
            position = first
        else:
            position = start
        inserts.append((position, marker_for_line(number)))
    out, last = [], 0
    for position, marker in inserts:
        out.append(source[last:position])
        out.append(marker)
        last = position
    out.append(source[last:])
    return "".join(out)


def _trimmed_into(source: str, tag: _Tag | None, start: int) -> bool:
    """Whether whitespace control of ``tag`` (`-%}`) eats up to the line at ``start``."""
    return (tag is not None and tag[2].endswith(("-%}", "-}}", "-#}"))
            and not source[tag[1]:start].strip())


def _leading_tags(tags: list[_Tag], index: int, first: int, end: int) -> list[_Tag]:
    """The tags that open the line at ``first`` and follow each other directly."""
    leading = []
    position = first
    while index < len(tags) and tags[index][0] == position and tags[index][1] <= end:
        leading.append(tags[index])
        position = tags[index][1]
        index += 1
    return leading


# -- the tracing renderer -------------------------------------------------------------------
class TracingRenderer(Renderer):
    """Renders like :class:`Renderer` and records the origin of every line."""

    def __init__(self, catalog: Catalog):
        super().__init__(catalog)
        self._ids: dict[Origin, int] = {}
        self._origins: list[Origin] = []
        self._marked: dict[str, str] = {}  # output path -> the marked render of its layout
        self._bases: dict[str, int] = {}  # output path -> its layout, as a whole
        self._lines: dict[str, list[str]] = {}
        self._traced: dict[str, jinja2.Template | str | None] = {}
        self.value_lines: dict[tuple, list[int]] = {}  # (id(document), loc) → file lines
        self.approximate: set[str] = set()

    # -- origins and markers ----------------------------------------------------------------
    def _id(self, origin: Origin) -> int:
        if origin not in self._ids:
            self._ids[origin] = len(self._origins)
            self._origins.append(origin)
        return self._ids[origin]

    def _open(self, origin: Origin) -> str:
        return f"{OPEN}{self._id(origin)}{SEP}"

    def _template_origin(self, name: str, number: int | None) -> Origin:
        source = self.sources[name]
        kind, label = ("layout", "") if name.startswith("layout:") else ("block", name.split(":", 1)[1])
        lines = self._lines.setdefault(name, source.text.split("\n"))
        if number is None:
            return Origin(kind, source.path, source.first_line, label, approximate=True)
        return Origin(kind, source.path, source.first_line + number - 1, label,
                      text=lines[number - 1] if number <= len(lines) else "")

    def _instrumented(self, name: str) -> jinja2.Template | str | None:
        """The template ``name`` with line markers (compiled once), or None when it cannot be."""
        if name in self._traced:
            return self._traced[name]
        source = self.sources[name]
        traced: jinja2.Template | str | None = None
        if not _MARKER_CHARS.search(source.text):
            text = instrument(
                source.text,
                lambda n: f"{LINE}{self._id(self._template_origin(name, n))}{SEP}",
            )
            if name.startswith("block:") and self.catalog.blocks[name[6:]].is_static:
                traced = text
            else:
                try:
                    traced = self.env.from_string(text)
                except jinja2.TemplateError:
                    traced = None
        self._traced[name] = traced
        return traced

    def _traced_text(self, name: str, context: dict[str, Any], plain: str) -> str:
        """The marked render of a template, or the plain text wrapped as a whole."""
        template = self._instrumented(name)
        marked = None
        if isinstance(template, str):
            marked = template
        elif template is not None:
            try:
                marked = template.render(context)
            except Exception:  # the plain render succeeded; tracing just falls back
                marked = None
        if marked is None or strip_markers(marked) != plain:
            self.approximate.add(self.sources[name].path)
            return self._open(self._template_origin(name, None)) + plain + CLOSE
        return marked

    def mark(self, value: Value) -> str:
        """``value``'s text with the part that is its source value marked, line by line."""
        text, source = value.text, value.source
        if source is None or not text:
            return text
        if source.whole:
            return self._open(self.value_origin(source, 0)) + text + CLOSE
        found = _value_part(value)
        if found is None:
            return text
        prefix, core, suffix, raw, offset = found
        first = raw.count("\n", 0, offset)
        pieces = core.splitlines(keepends=True)
        marked = "".join(self._open(self.value_origin(source, first + i)) + piece + CLOSE
                         for i, piece in enumerate(pieces))
        return prefix + marked + suffix

    def value_origin(self, source, line: int) -> Origin:
        """The origin of line ``line`` of a manifest, config or role value."""
        return _toml_origin(source.document, source.loc, line, source.kind, source.name,
                            source.transform, self.value_lines)

    # -- rendering hooks ----------------------------------------------------------------------
    def render_block(self, name: str, context: dict[str, Any], agent: Agent) -> str | None:
        plain = super().render_block(name, context, agent)
        if plain is None or not plain.strip("\n"):
            return plain
        key = f"block:{name}"
        marked = _strip_newlines(self._traced_text(key, context, plain))
        return self._open(self._template_origin(key, 1)) + marked + CLOSE

    def render_layout(self, filename: str, variables: Callable[[TextOf], dict[str, Any]],
                      agent: Agent, output: str, target: str | None = None) -> str | None:
        plain = super().render_layout(filename, lambda text_of: _unmark(variables(text_of)),
                                      agent, output, target)
        if plain is not None:
            key = self.layout_key(filename, target)
            self._bases[output] = self._id(Origin("layout", self.sources[key].path, 1,
                                                  approximate=True))
            self._marked[output] = self._traced_text(key, variables(self.mark), plain)
        return plain

    def transform(self, output: str, change: Callable[[str, Ink], str], text: str) -> str:
        self._marked[output] = change(self._marked[output], _MarkingInk(self))
        return super().transform(output, change, text)

    # -- results ------------------------------------------------------------------------------
    def trace_agent(self, agent: Agent) -> list[tuple[Rendered, SourceMap]] | None:
        """Render one agent and map the lines of each of its files; None when it fails."""
        files = render_agent(self, agent)
        if files is None:
            return None
        return [(rendered, self._map(agent, self._marked.pop(rendered.path), rendered))
                for rendered in files]

    def trace_skill(self, skill: Skill) -> list[tuple[Rendered, SourceMap]] | None:
        """Render one skill and map the lines of each of its SKILL.md files (the files copied
        beside them come from no template, and have no map); None when it fails."""
        files = render_skill(self, skill)
        if files is None:
            return None
        return [(rendered, self._map(skill, self._marked.pop(rendered.path), rendered))  # type: ignore[arg-type]
                for rendered in files if rendered.path in self._marked]

    def trace_all(self, only: set[str] | None = None) -> list[tuple[Rendered, SourceMap]]:
        return [
            result
            for agent in self.catalog.agents
            if only is None or agent.id in only
            for result in self.trace_agent(agent) or ()
        ] + [
            result
            for skill in self.catalog.skills
            if only is None or skill.id in only
            for result in self.trace_skill(skill) or ()
        ]

    def _map(self, agent: Agent, marked: str, rendered: Rendered) -> SourceMap:
        base = self._bases[rendered.path]
        lines = _split_lines(self._runs(marked, base))
        # like the renderer: trailing line breaks go, and exactly one is added
        while lines and not lines[-1][0]:
            lines.pop()
        if lines and lines[-1][1] is None:
            lines[-1] = (lines[-1][0], base)
        text = rendered.data.decode("utf-8").replace("\r\n", "\n")
        final = text.split("\n")
        if text.endswith("\n"):
            final.pop()
        while len(lines) < len(final):  # extra final newlines (`final_newlines`)
            lines.append(([], base))
        if len(final) != len(lines):
            raise AssertionError(f"source map of {rendered.path} has {len(lines)} lines, "
                                 f"the file {len(final)}")
        mapped = []
        for number, ((runs, end), text) in enumerate(zip(lines, final), start=1):
            origins = self._origins
            end_origin = origins[end if end is not None else base]
            joined = "".join(piece for piece, _ in runs)
            if PLACEHOLDER in joined:
                at = next((origins[i] for piece, i in runs if PLACEHOLDER in piece), end_origin)
                banner = Origin("banner", at.path, at.line, agent.id, text=at.text,
                                approximate=at.approximate)
                mapped.append(MappedLine(number, text, (Segment(0, len(text), banner),), banner))
                continue
            if joined != text:
                raise AssertionError(f"source map of {rendered.path} differs at line {number}")
            segments: list[Segment] = []
            column = 0
            for piece, index in runs:
                if not piece:
                    continue
                origin = origins[index]
                if segments and segments[-1].origin == origin:
                    segments[-1] = Segment(segments[-1].start, column + len(piece), origin)
                else:
                    segments.append(Segment(column, column + len(piece), origin))
                column += len(piece)
            mapped.append(MappedLine(number, text, tuple(segments), end_origin))
        return SourceMap(agent, rendered.path, tuple(mapped), tuple(sorted(self.approximate)))

    def _runs(self, marked: str, base: int) -> list[tuple[str, int]]:
        """The text between markers, each piece with the origin id it is under."""
        stack = [base]
        runs: list[tuple[str, int]] = []
        # split: text, then per marker its OPEN id, its LINE id (None when not that kind), text
        parts = _MARKER.split(marked)
        for at in range(0, len(parts) - 1, 3):
            if parts[at]:
                runs.append((parts[at], stack[-1]))
            opened, line = parts[at + 1], parts[at + 2]
            if opened is not None:
                stack.append(int(opened))
            elif line is not None:
                stack[-1] = int(line)
            elif len(stack) > 1:
                stack.pop()
        if parts[-1]:
            runs.append((parts[-1], stack[-1]))
        return runs


# What a layout tracer attributes every manifest value to: they are their own agent's.
_OWN_VALUE = Origin("manifest", "", 0)
# The kinds of origin a layout tracer maps as a full trace does.
LAYOUT_KINDS = frozenset({"layout", "banner", "config", "role"})


class LayoutTracer(TracingRenderer):
    """Maps only the lines of layouts, the config and roles, at a fraction of the cost.

    A block's text and a manifest value are each marked as one run of
    :data:`_OWN_VALUE`; everything else is marked as :class:`TracingRenderer` marks
    it. The text of a block or a value stays inside its markers either way, so the
    origins of the :data:`LAYOUT_KINDS` in each line come out as a full trace gives
    them: which outputs hold a layout line, a config value or a role's preamble.
    """

    def __init__(self, catalog: Catalog):
        super().__init__(catalog)
        self._own = self._open(_OWN_VALUE)

    def mark(self, value: Value) -> str:
        """As :meth:`TracingRenderer.mark`, with a manifest value's part marked as one run:
        its lines are all :data:`_OWN_VALUE`'s, which is all that is kept of them."""
        source = value.source
        if source is None or source.kind != "manifest" or not value.text:
            return super().mark(value)
        if source.whole:
            return self._own + value.text + CLOSE
        found = _value_part(value)
        if found is None:
            return value.text
        prefix, core, suffix, _, _ = found
        return prefix + self._own + core + CLOSE + suffix

    def render_block(self, name: str, context: dict[str, Any], agent: Agent) -> str | None:
        plain = Renderer.render_block(self, name, context, agent)
        if plain is None or not plain.strip("\n"):
            return plain
        return self._own + plain.strip("\n") + CLOSE  # of no kind kept: as one run

    def trace_keys(self, maker: Agent | Skill) -> list[tuple[str, dict[tuple[str, int], list[int]]]] | None:
        """Each output of an agent or skill with the lines (numbers) that hold each
        ``(path, line)`` of :data:`LAYOUT_KINDS`: what :meth:`_map` would record of them,
        without the map. None when it fails."""
        files = (render_skill if isinstance(maker, Skill) else render_agent)(self, maker)  # type: ignore[arg-type]
        if files is None:
            return None
        return [(item.path, self._keys(self._marked.pop(item.path), item))
                for item in files if item.path in self._marked]

    def _keys(self, marked: str, rendered: Rendered) -> dict[tuple[str, int], list[int]]:
        """What :meth:`_map` records of the :data:`LAYOUT_KINDS`, in one pass over the runs:
        the text of other origins is only counted for its line breaks."""
        origins = self._origins
        base = origins[self._bases[rendered.path]]
        lines: list[tuple[set, tuple | None, tuple | None]] = []  # keys, banner, line break
        keys: set[tuple[str, int]] = set()
        banner: tuple[str, int] | None = None
        last = 0  # the last line with any text: the lines after it are dropped, as in _map
        for text, index in self._runs(marked, self._bases[rendered.path]):
            origin = origins[index]
            if origin.kind in LAYOUT_KINDS:
                key = (origin.path, origin.line)
                parts = text.split("\n")
                for number, part in enumerate(parts, start=1):
                    if part:
                        keys.add(key)
                        last = len(lines) + 1
                        if banner is None and PLACEHOLDER in part:
                            banner = key
                    if number < len(parts):  # a line break follows: this run's origin made it
                        lines.append((keys, banner, key))
                        keys, banner = set(), None
                continue
            breaks = text.count("\n")
            first = len(lines) + 1
            tail = len(text.rstrip("\n"))
            if tail:
                last = max(last, first + text.count("\n", 0, tail - 1))
            if breaks:
                lines.append((keys, banner, None))
                keys, banner = set(), None
                lines += [(set(), None, None)] * (breaks - 1)
        final = len(lines) + 1
        lines.append((keys, banner, None))
        lines = lines[:last]
        base_key = (base.path, base.line)
        if last == final:  # the last line has no line break of its own
            keys, banner, _ = lines[-1]
            lines[-1] = (keys, banner, base_key)
        data = rendered.data.decode("utf-8").replace("\r\n", "\n")
        count = data.count("\n") + (not data.endswith("\n"))
        lines += [(set(), None, base_key)] * (count - len(lines))
        found: dict[tuple[str, int], list[int]] = {}
        for number, (keys, banner, end) in enumerate(lines, start=1):
            for key in ({banner} if banner is not None else
                        keys | {end} if end is not None else keys):
                found.setdefault(key, []).append(number)
        return found


class _MarkingInk(Ink):
    """Writes values with their origin markers, and strips line breaks around markers."""

    def __init__(self, renderer: TracingRenderer):
        self.text = renderer.mark  # type: ignore[method-assign]

    @staticmethod
    def rstrip(text: str) -> str:
        tail = _TRAILING.search(text)
        start = tail.start() if tail else len(text)
        return text[:start] + text[start:].replace("\n", "")


def _split_lines(runs: list[tuple[str, int]]) -> list[tuple[list[tuple[str, int]], int | None]]:
    """Runs cut into lines: each line's runs and the origin id of its line break."""
    lines: list[tuple[list[tuple[str, int]], int | None]] = []
    current: list[tuple[str, int]] = []
    for text, index in runs:
        parts = text.split("\n")
        for part in parts[:-1]:
            if part:
                current.append((part, index))
            lines.append((current, index))
            current = []
        if parts[-1]:
            current.append((parts[-1], index))
    lines.append((current, None))
    return lines


_EDGE = "(?:\U0010fff0\\d+\U0010fff1|\U0010fff2\\d+\U0010fff1|\U0010fff3|\n)*"
_LEADING, _TRAILING = re.compile("^" + _EDGE), re.compile(_EDGE + "$")


def _strip_newlines(marked: str) -> str:
    """Drop the newlines a plain ``strip("\\n")`` would, keeping every marker."""
    head = _LEADING.match(marked)
    start = head.end() if head else 0
    tail = _TRAILING.search(marked, start)
    end = tail.start() if tail else len(marked)
    return (marked[:start].replace("\n", "") + marked[start:end]
            + marked[end:].replace("\n", ""))


def _value_part(value: Value) -> tuple[str, str, str, str, int] | None:
    """``(prefix, core, suffix, raw, offset)``: the part of ``value``'s text that is its
    source value (``core``, at ``offset`` in the raw value), and the text around it; None
    when the text is not found in the value, nor the value in the text."""
    text, source = value.text, value.source
    assert source is not None
    raw = _lookup(source.document, source.loc)
    if not isinstance(raw, str):
        return None
    if text in raw:
        return "", text, "", raw, raw.find(text)
    if raw and raw in text:
        at = text.find(raw)
        return text[:at], raw, text[at + len(raw):], raw, 0
    return None


def _lookup(document: TomlDocument, loc: tuple) -> Any:
    value: Any = document.data
    for key in document.prefix + tuple(loc):
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _toml_origin(document: TomlDocument, loc: tuple, value_line: int, kind: str, name: str,
                 transform: str, cache: dict[tuple, list[int]] | None = None) -> Origin:
    cache = {} if cache is None else cache
    key = (id(document), tuple(loc))
    if key not in cache:
        cache[key] = value_lines(document, loc)
    lines = cache[key]
    line = lines[value_line] if value_line < len(lines) else lines[0]
    return Origin(kind, document.path, line, name, dotted(loc), tuple(loc), transform=transform)


def value_lines(document: TomlDocument, loc: tuple) -> list[int]:
    """The file line of each line of the string value at ``loc``.

    Lines map one to one when the value is a multi-line string whose raw text
    has as many line breaks as the value; otherwise every line maps to the
    line where the value starts.
    """
    from ..sources.toml import value_span

    line = document.locate(loc, value=True)[0]
    lines = [line]
    value = _lookup(document, loc)
    if not isinstance(value, str) or "\n" not in value:
        return lines
    span = value_span(document, loc)
    if span is not None:
        start, end = span
        literal = document.text[start:end]
        if literal[:3] in ('"""', "'''"):
            body = literal[3:-3]
            first = line + 1 if body.startswith("\n") else line
            body = body[1:] if body.startswith("\n") else body
            if body.count("\n") == value.count("\n"):
                lines = [first + i for i in range(value.count("\n") + 1)]
    return lines
