"""What the rules read: every source file, every rendered output, and where output lines come from.

Generated files are never edited by hand, so a problem seen in one belongs to
the manifest, block or config line that produced it. :class:`LineOrigins`
maps an output line back to that source line: blocks are rendered one by one
and found in the output, and the remaining lines are matched against the
string values of the manifest, its role and the config. The mapping is made
only for lines with a finding to move.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import accumulate, chain, compress, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from ..sources.blocks import Block
from ..sources.catalog import Agent, Catalog
from ..diagnostics import Diagnostics
from ..sources.yaml import split_frontmatter
from ..compose.composition import block_context
from ..compose.render import Renderer
from ..outputs.render import Rendered
from ..targets.registry import enabled
from ..sources.toml import TomlDocument, read_text
from ..sources.lintconfig import LintConfig
from .linematch import BlockLines
from .linesearch import LineSearch
from ..markdown import FENCE_TEXT, Heading, anchors, headings, in_code, mask_inline_code
from .rules import Finding
from .tokens import LineTokens


@dataclass(frozen=True)
class Origin:
    """A source line that produced an output line."""

    path: str
    line: int


class TextFile:
    """A file the linter reads: a source of the catalog or a rendered output.

    A rendered output is held as its lines only (shared with the other outputs, see
    :func:`keep_lines`); its text is joined again each time it is asked for.
    """

    def __init__(self, path: str, text: str | None, kind: str, lines: list[str] | None = None):
        self.path = path  # relative to the catalog root
        self.kind = kind  # config, manifest, role, block, layout or output
        self._text = text
        self._lines = lines

    @property
    def text(self) -> str:
        return self._text if self._text is not None else "\n".join(self.lines)

    @property
    def lines(self) -> list[str]:
        """The lines, split from the text when first asked for (most sources never are)."""
        if self._lines is None:
            self._lines = self.split()
        return self._lines

    def split(self) -> list[str]:
        """The lines, without keeping them when they were not kept yet."""
        return self._lines if self._lines is not None else self.text.split("\n")

    @property
    def markdown(self) -> bool:
        return self.kind in ("block", "layout", "output")


class Kept(NamedTuple):
    """One rendered output as lint keeps it: what :func:`keep_lines` makes of it."""

    path: str
    lines: list[str]  # line ends are `\n`; equal lines of all outputs are one string
    body_start: int  # index of the first line after the frontmatter
    data: bytes | None  # the bytes, when they are not the lines joined, in UTF-8 (CRLF)
    target: str


def keep_lines(item: Rendered, shared: dict[str, str]) -> Kept:
    """An output's lines, each equal line stored once in ``shared``: outputs repeat their
    blocks, so ten thousand of them hold a tenth as many distinct lines."""
    text = item.data.decode("utf-8").replace("\r\n", "\n")  # rules read lines, not endings
    lines = [shared.setdefault(line, line) for line in text.split("\n")]
    data = item.data if b"\r\n" in item.data else None
    return Kept(item.path, lines, split_frontmatter(text).body_line - 1, data, item.target)


class Needs(NamedTuple):
    """Fixed text a line must hold for a line check to look at it: one of ``exact`` as
    written, or one of ``any_case`` (lower-case ASCII words) in any case."""

    exact: tuple[str, ...] = ()
    any_case: tuple[str, ...] = ()


FENCES = Needs(FENCE_TEXT)
HASHES = Needs(("#",))  # every heading has one


class SharedWork:
    """What the outputs of one lint run work out once for all: they share most of their text.

    ``needs`` are those of the line checks that will run; each output then finds the
    lines holding any of them in one pass.
    """

    def __init__(self, catalog: Catalog, needs: Iterable[Needs] = ()):
        self.catalog = catalog
        self.outputs: list[Output] = []
        self.tokens = LineTokens()
        self.bits = {need: 1 << n for n, need in enumerate(dict.fromkeys((FENCES, HASHES, *needs)))}
        self._distinct: LineSearch | None = None
        self._marks: dict[str, int] | None = None
        self._holding: dict[Needs, set[str]] = {}
        self._renderer: Renderer | None = None
        self._documents: dict[str, dict[str, Origin]] = {}
        self._blocks = BlockLines()
        self._headings: dict[tuple, list[Heading]] = {}

    def values(self, agent: Agent) -> dict[str, Origin]:
        return value_lines(agent, self.catalog, self._documents)

    def holding(self, need: Needs) -> set[str]:
        """The distinct output lines that hold what ``need`` names; all outputs are searched
        as one text."""
        if need not in self._holding:
            lines = self.search.lines
            self._holding[need] = {lines[index] for index in self.search.containing(*need)}
        return self._holding[need]

    @property
    def search(self) -> LineSearch:
        """The distinct lines of every output, searchable as one text."""
        if self._distinct is None:
            self._distinct = LineSearch(list(dict.fromkeys(
                chain.from_iterable(output.lines for output in self.outputs))))
        return self._distinct

    @property
    def marks(self) -> dict[str, int]:
        """For each distinct output line that holds something a check needs, which needs (bits)."""
        if self._marks is None:
            self._marks = {}
            missing = [need for need in self.bits if need not in self._holding]
            lines = self.search.lines
            for need, indices in zip(missing, self.search.containing_each(missing)):
                self._holding[need] = {lines[index] for index in indices}
            for need, bit in self.bits.items():
                for line in self.holding(need):
                    self._marks[line] = self._marks.get(line, 0) | bit
        return self._marks

    def body_headings(self, output: Output) -> list[Heading]:
        """An output's headings after its frontmatter, one list for all outputs that agree.

        The headings depend only on where the frontmatter ends and on which lines
        (by index and text) may be headings or fences; outputs made from the same
        blocks agree on those line for line, so each such layout is scanned once and
        its list (and its headings) shared. Do not change the list."""
        lines, fences, marked = output.lines, output.lines_holding(FENCES), output._marked
        key = (output.body_start, tuple(fences), tuple([lines[index] for index in fences]),
               tuple(marked), tuple([lines[index] for index in marked]))
        found = self._headings.get(key)
        if found is None:
            found = self._headings[key] = headings(lines, output.body_start, output.code_flags,
                                                   marked)
        return found

    def origins(self, output: Output) -> LineOrigins:
        if self._renderer is None:
            self._renderer = Renderer(self.catalog)
        placed = place_blocks(output.agent, output.file.text, self.catalog, self._renderer)
        return LineOrigins(output.lines, placed, output.values, self._blocks)


@dataclass
class Output:
    """One rendered agent file, in memory.

    Everything past its text is worked out when a rule first asks for it.
    """

    agent: Agent
    file: TextFile
    raw: bytes | None  # see Kept.data
    body_start: int  # index of the first line after the frontmatter
    shared: SharedWork = field(repr=False)
    target: str = "claude-code"  # the output format it was rendered for

    @property
    def data(self) -> bytes:
        """The file's bytes, as rendered."""
        return self.raw if self.raw is not None else self.file.text.encode("utf-8")

    @cached_property
    def values(self) -> dict[str, Origin]:
        """Lines of the string values (manifest, role, config) the output may show."""
        return self.shared.values(self.agent)

    @cached_property
    def sorted_values(self) -> list[tuple[str, Origin]]:
        """:attr:`values` in a fixed order, sorted once for every finding that searches them."""
        return sorted(self.values.items())

    def origin(self, index: int) -> Origin | None:
        """The source line that output line ``index`` (0-based) came from, when known."""
        return self._origins[index]

    @cached_property
    def _origins(self) -> LineOrigins:
        return self.shared.origins(self)

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def lines(self) -> list[str]:
        return self.file.lines

    @cached_property
    def tokens(self) -> int:
        """Estimated tokens (see :mod:`.tokens`)."""
        return self.shared.tokens.count(self.lines)

    def lines_holding(self, need: Needs) -> list[int]:
        """Indices, in order, of the lines that hold what ``need`` names."""
        bit = self.shared.bits.get(need)
        if bit is None:  # not announced to the run: search for it alone
            found = self.shared.holding(need)
            return [index for index, line in enumerate(self.lines) if line in found]
        indices, marks = self._marked_lines
        return [index for index, mark in zip(indices, marks) if mark & bit]

    @cached_property
    def _marked_lines(self) -> tuple[array, array]:
        """The indices of the lines that hold something a check needs, and which (bits);
        as arrays, a few bytes a line for thousands of outputs."""
        found = list(map(self.shared.marks.get, self.lines))  # None or the bits (never 0)
        return array("l", compress(range(len(found)), found)), array("Q", filter(None, found))

    @cached_property
    def code_flags(self) -> list[bool]:
        """For each line, whether it is fenced code."""
        return in_code(self.lines, self.lines_holding(FENCES))

    def prose_line(self, index: int) -> str:
        """Line ``index`` with all code (fenced and inline) blanked out, columns kept."""
        return "" if self.code_flags[index] else mask_inline_code(self.lines[index])

    @cached_property
    def body_headings(self) -> list[Heading]:
        """The headings after the frontmatter (shared with other outputs: do not change it)."""
        return self.shared.body_headings(self)

    @cached_property
    def anchor_names(self) -> set[str]:
        """The anchors a link into this file may name."""
        return anchors(self.lines, self.code_flags, self._marked)

    @cached_property
    def _marked(self) -> list[int]:
        return self.lines_holding(HASHES)


@dataclass
class LintContext:
    """Everything a rule may look at. Rules never read the clock: ``today`` is given."""

    catalog: Catalog
    config: LintConfig
    today: date
    files: dict[str, TextFile]
    outputs: list[Output]
    active: frozenset[str] | None = None  # the rule codes that run; None: all of them
    skill_files: list[Rendered] = field(default_factory=list)  # SKILL.md files and their copies

    def runs(self, code: str) -> bool:
        """Whether findings of rule ``code`` are wanted (a rule may skip its work if not)."""
        return self.active is None or code in self.active

    @property
    def root(self) -> Path:
        return self.catalog.root

    def output_text(self, path: str) -> str | None:
        found = self.files.get(path)
        return found.text if found is not None and found.kind == "output" else None

    @cached_property
    def output_folders(self) -> set[str]:
        """Every folder that holds a generated file, at any depth (``agents``, ``agents/ml``)."""
        folders = set()
        for output in self.outputs:
            parts = output.path.split("/")[:-1]
            folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        return folders


@dataclass(frozen=True)
class Leaf:
    """A string value of a TOML document and where it starts."""

    loc: tuple[Any, ...]
    value: str
    line: int
    column: int


def string_leaves(document: TomlDocument) -> list[Leaf]:
    """Every string value in the document (below its prefix), with its position."""
    data: Any = document.data
    for key in document.prefix:
        data = data.get(key, {})
    leaves: list[Leaf] = []

    def walk(value: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(value, str):
            leaves.append(Leaf(loc, value, *document.locate(loc, value=True)))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, loc + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, loc + (index,))

    walk(data, ())
    return leaves


# Top-level keys whose string values can appear as text in a generated file.
_CONFIG_TEXT = ("layout", "vars")
_ROLE_TEXT = ("preamble",)
_MANIFEST_NAMES = ("name", "tools", "model", "substrate_role", "blocks", "footer", "newline")


def leaf_lines(document: TomlDocument, kind: str) -> dict[str, Origin]:
    """Each line (three characters or more) of each string value that may be rendered as text,
    mapped to its line in the file. Names and settings are left out: a short name like
    `tone` would otherwise claim any output line that mentions it."""
    starts = [0, *accumulate(len(line) + 1 for line in document.text.split("\n"))][:-1]
    found: dict[str, Origin] = {}
    for leaf in string_leaves(document):
        top = leaf.loc[0] if leaf.loc else ""
        if (kind == "config" and top not in _CONFIG_TEXT) or (kind == "role" and top not in _ROLE_TEXT) \
                or (kind == "manifest" and (top in _MANIFEST_NAMES or leaf.loc[-1] == "target")):
            continue
        offset = starts[leaf.line - 1] + leaf.column - 1
        for part in leaf.value.split("\n"):
            part = part.strip()
            if len(part) < 3 or part in found:
                continue
            at = document.text.find(part, offset)
            if at == -1:
                continue
            found[part] = Origin(document.path, bisect.bisect_right(starts, at))
            offset = at + len(part)
    return found


def build_context(catalog: Catalog, rendered: list[tuple[Agent, Kept]], config: LintConfig,
                  today: date, active: frozenset[str] | None = None,
                  needs: Iterable[Needs] = ()) -> LintContext:
    """Read the sources, and index the rendered outputs (as :func:`keep_lines` keeps them)
    with their origins.

    ``needs``: what the line checks that will run look for (see :class:`Needs`).
    """
    settings = catalog.settings
    files: dict[str, TextFile] = {}
    if settings.document is not None:
        files[settings.document.path] = TextFile(settings.document.path, settings.document.text, "config")
    for agent in catalog.agents:
        files[agent.source] = TextFile(agent.source, agent.document.text, "manifest")
    for role in catalog.roles.values():
        files[role.path] = TextFile(role.path, role.document.text, "role")
    ignored = Diagnostics()
    for block in catalog.blocks.values():
        text = read_text(catalog.root / block.path, block.path, ignored)
        if text is not None:
            files[block.path] = TextFile(block.path, text, "block")
    for target in enabled(settings):
        layout = settings.folder("templates") / target.layout if target.layout else None
        if layout is not None and layout.is_file():
            rel = layout.relative_to(catalog.root).as_posix()
            text = read_text(layout, rel, ignored)
            if text is not None:
                files[rel] = TextFile(rel, text, "layout")

    shared = SharedWork(catalog, needs)
    outputs = shared.outputs
    for agent, kept in rendered:
        file = TextFile(kept.path, None, "output", kept.lines)
        files[kept.path] = file
        outputs.append(Output(agent=agent, file=file, raw=kept.data, body_start=kept.body_start,
                              shared=shared, target=kept.target))
    return LintContext(catalog, config, today, files, outputs, active)


def value_lines(agent: Agent, catalog: Catalog,
                cache: dict[str, dict[str, Origin]]) -> dict[str, Origin]:
    """The lines of every string value an agent's output may show: manifest, role, config."""
    found: dict[str, Origin] = {}
    for kind, document in (("config", catalog.settings.document),
                           ("role", agent.role.document if agent.role else None),
                           ("manifest", agent.document)):
        if document is not None:
            if document.path not in cache:
                cache[document.path] = leaf_lines(document, kind)
            found.update(cache[document.path])
    return found


@dataclass(frozen=True)
class Placed:
    """Where the rendering of one block sits in an output."""

    first: int  # index of its first line
    count: int  # how many lines it has
    block: Block
    piece: str  # the rendering


def place_blocks(agent: Agent, text: str, catalog: Catalog, renderer: Renderer) -> list[Placed]:
    """Render the agent's blocks one by one and find each in its output, in order."""
    context = block_context(agent, catalog)
    names = [n for n in (*(agent.role.blocks if agent.role else ()), *agent.manifest.blocks)
             if n in catalog.blocks]  # `@key` entries are the manifest's own [text]
    body = [n for n in names if catalog.blocks[n].meta.placement != "footer"]
    footer = [n for n in names if catalog.blocks[n].meta.placement == "footer"]
    footer += [n for n in agent.manifest.footer if n in catalog.blocks]
    placed = []
    cursor = 0
    for name in body + footer:
        template = renderer.blocks.get(name)
        try:
            piece = template if isinstance(template, str) else template.render(context) if template else ""
        except Exception:  # the render already succeeded once; never fail the lint on this
            continue
        piece = piece.strip("\n")
        at = text.find(piece, cursor) if piece else -1
        if at == -1:
            continue
        placed.append(Placed(text.count("\n", 0, at), piece.count("\n") + 1, catalog.blocks[name],
                             piece))
        cursor = at + len(piece)
    return placed


class LineOrigins:
    """Where each line of one output comes from, worked out for a line when it is asked for.

    A line inside a block's rendering comes from the block line :class:`BlockLines` maps it
    to (the last block wins where two share a line); any other line of three characters or
    more from the longest value (see :func:`value_lines`) it contains.

    A block may hold thousands of findings, so each lookup costs the same whatever the
    number of lines and blocks: the spans are searched by bisection, and each block's line
    mapping is fetched once per output, not once per line asked for.
    """

    def __init__(self, lines: list[str], placed: list[Placed], values: dict[str, Origin],
                 blocks: BlockLines):
        self.lines = lines
        self.placed = placed
        self.values = values
        self.blocks = blocks
        self._firsts = [span.first for span in placed]  # ascending: blocks are found in order
        self._offsets: dict[int, list[int | None]] = {}  # by span index
        self._by_length: list[str] | None = None
        self._shortest_first: list[int] = []

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: int) -> Origin | None:
        # Spans do not overlap but for a line two may share, so their ends ascend too: going
        # back from the last span starting at or before ``index``, the first one ending
        # before it ends the search.
        at = bisect.bisect_right(self._firsts, index) - 1
        while at >= 0 and index < self.placed[at].first + self.placed[at].count:
            span = self.placed[at]
            line = self._span_offsets(at)[index - span.first]
            if line is not None:
                return Origin(span.block.path, span.block.body_line + line)
            at -= 1
        return self._from_values(self.lines[index])

    def _span_offsets(self, at: int) -> list[int | None]:
        found = self._offsets.get(at)
        if found is None:
            span = self.placed[at]
            found = self._offsets[at] = self.blocks.offsets(span.block.source, span.piece)
        return found

    def _from_values(self, line: str) -> Origin | None:
        stripped = line.strip()
        if len(stripped) < 3:
            return None
        if stripped in self.values:  # no longer value fits in the line, so this is the match
            return self.values[stripped]
        if self._by_length is None:
            self._by_length = sorted(self.values, key=len, reverse=True)
            self._shortest_first = [-len(part) for part in self._by_length]
        fits = bisect.bisect_left(self._shortest_first, -len(stripped))  # values are stripped too
        match = next((part for part in islice(self._by_length, fits, None) if part in line), None)
        return self.values[match] if match is not None else None


def prose_line_findings(
    outputs: Iterable["Output"], need: Needs,
    judge: Callable[[str], Iterable[tuple[str, int, str, str, str]]],
) -> Iterator[Finding]:
    """Findings for the prose lines holding ``need``; ``judge`` runs once per distinct line.

    ``judge`` yields ``(code, column, message, hint, matched text)``. Outputs
    share most of their lines, so each distinct line is judged only once.
    """
    known: dict[str, tuple[tuple[str, int, str, str, str], ...]] = {}
    for output in outputs:
        for index in output.lines_holding(need):
            line = output.prose_line(index)
            found = known.get(line)
            if found is None:
                found = known[line] = tuple(judge(line))
            for code, column, message, hint, snippet in found:
                yield Finding(code, output.path, index + 1, column, message, hint, snippet=snippet)
