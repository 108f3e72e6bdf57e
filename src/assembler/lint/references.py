"""References: links, file references and tables of contents point at things that exist.

Links are checked in the rendered outputs, relative to the generated file's
folder: a block can be rendered into folders of different depths, and a
relative link must work from each. File references in backticks (AA202) name
project paths, so they resolve from the catalog root (or ``reference_root``).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import unquote

from ..credentials import mask
from .context import LintContext, Needs, Output
from ..markdown import (
    TOC_TITLES, anchors, inline_code_spans, link_targets, list_item, mask_inline_code, normalize,
)
from .rules import Finding, Rule

RULES = (
    Rule("AA201", "broken-link", "references", "error",
         "a relative link or table-of-contents entry points at a file that does not exist"),
    Rule("AA202", "missing-file-reference", "references", "warning",
         "a file path written in backticks does not exist (off by default)", enabled=False),
    Rule("AA203", "missing-anchor", "references", "error",
         "a `#anchor` link or table-of-contents entry names a heading that does not exist"),
)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_FILE_LIKE = re.compile(r"^(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[A-Za-z][A-Za-z0-9]{0,7}$")
_NUMBERED = re.compile(r"^(?:§\s*)?(\d+(?:\.\d+)*)[.)]?\s+")
LINKS = Needs(("](", "]:"))  # a link, or a link definition
CODE_SPANS = Needs(("`",))
LINE_NEEDS = (LINKS, CODE_SPANS)
_TOKEN_LENGTH = 30  # no word of a heading is this long; most keys and tokens are


class _Seen:
    """What one run has already worked out; outputs share most of their lines and links."""

    def __init__(self) -> None:
        self.links: dict[str, list[tuple[int, str]]] = {}
        self.spans: dict[str, list[tuple[int, str]]] = {}
        self.anchors: dict[Path, set[str] | None] = {}
        self.exists: dict[str, bool] = {}


def check(ctx: LintContext) -> Iterator[Finding]:
    seen = _Seen()
    for output in ctx.outputs:
        yield from _links(ctx, output, seen)
        yield from _table_of_contents(ctx, output)
        if ctx.runs("AA202"):  # off by default
            yield from _file_references(ctx, output, seen)


def _links(ctx: LintContext, output: Output, seen: _Seen) -> Iterator[Finding]:
    code = output.code_flags
    for index in output.lines_holding(LINKS):
        line = output.lines[index]
        if code[index] or index < output.body_start:
            continue
        targets = seen.links.get(line)
        if targets is None:
            targets = seen.links[line] = link_targets(mask_inline_code(line))
        for column, target in targets:
            yield from _check_target(ctx, output, index + 1, column + 1, target, seen)


def _check_target(ctx: LintContext, output: Output, line: int, column: int, target: str,
                  seen: _Seen) -> Iterator[Finding]:
    if not target or _SCHEME.match(target) or target.startswith(("/", "{{")):
        return
    path, _, fragment = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        own_anchors = output.anchor_names
        if fragment and fragment.lower() not in own_anchors:
            yield Finding("AA203", output.path, line, column,
                          f"link to `#{fragment}`, but no heading has that anchor",
                          _anchor_hint(own_anchors, fragment), snippet=target)
        return
    resolved = _resolve(ctx, output, path)
    if resolved is None:
        yield Finding("AA201", output.path, line, column,
                      f"link target `{path}` does not exist",
                      "fix the path; it is relative to the generated file's folder "
                      f"(`{PurePosixPath(output.path).parent}/`), wherever the link is written",
                      snippet=target)
    elif fragment and resolved.suffix == ".md":
        if resolved not in seen.anchors:
            seen.anchors[resolved] = _anchors_of(ctx, resolved)
        targets = seen.anchors[resolved]
        if targets is not None and fragment.lower() not in targets:
            yield Finding("AA203", output.path, line, column,
                          f"link to `{path}#{fragment}`, but that file has no heading with this anchor",
                          _anchor_hint(targets, fragment), snippet=target)


def _anchors_of(ctx: LintContext, resolved: Path) -> set[str] | None:
    """The anchors of a Markdown file: a generated one as rendered, else as on disk."""
    text = ctx.output_text(resolved.relative_to(ctx.root).as_posix()) \
        if resolved.is_relative_to(ctx.root) else None
    if text is None and resolved.is_file():
        text = resolved.read_text("utf-8", errors="replace")
    return anchors(text.split("\n")) if text is not None else None


def _resolve(ctx: LintContext, output: Output, path: str) -> Path | None:
    """The existing file or folder ``path`` names from the output's folder, or None.

    Generated files and their folders count as existing even before the first build.
    """
    candidate = Path(os.path.normpath(ctx.root / PurePosixPath(output.path).parent / path))
    if candidate.exists():
        return candidate
    if candidate.is_relative_to(ctx.root):
        rel = candidate.relative_to(ctx.root).as_posix()
        if ctx.output_text(rel) is not None or rel in ctx.output_folders:
            return candidate
    return None


def _anchor_hint(known: set[str], fragment: str) -> str:
    # An anchor is a heading folded to lower case, past what masking recognises: no
    # suggestion near a credential, nor one holding a token-length word.
    if mask(fragment) != fragment:
        known = set()
    known = {anchor for anchor in known if max(map(len, anchor.split("-"))) < _TOKEN_LENGTH}
    close = difflib.get_close_matches(fragment.lower(), sorted(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean `#{close[0]}`?"
    return "anchors are the heading text in lower case, punctuation dropped, spaces as `-`"


def _table_of_contents(ctx: LintContext, output: Output) -> Iterator[Finding]:
    """Plain entries of a table of contents must name a heading or a file that exists."""
    found = output.body_headings
    keys = [_strip_number(h.key) for h in found]
    numbers = {n for n in (_number(h.key) for h in found) if n}
    for index, heading in enumerate(found):
        if heading.key not in TOC_TITLES:
            continue
        end = next((h.line - 1 for h in found[index + 1:] if h.level <= heading.level),
                   len(output.lines))
        for row in range(heading.line, end):
            item = list_item(output.lines[row])
            if item is None or link_targets(item):
                continue  # linked entries are checked as links
            text = item.strip("`")
            column = output.lines[row].find(item) + 1
            if _FILE_LIKE.match(text):
                if _resolve(ctx, output, text) is None:
                    yield Finding("AA201", output.path, row + 1, column,
                                  f"table of contents lists `{text}`, which does not exist",
                                  "create the file or remove the entry", snippet=item)
                continue
            key = normalize(item)
            number = _number(key)
            if number and number in numbers:
                continue
            bare = _strip_number(key)
            if any(k == bare or k.startswith(bare) or bare.startswith(k) for k in keys if k):
                continue
            yield Finding("AA203", output.path, row + 1, column,
                          f"table of contents lists `{item}`, but no heading matches it",
                          "rename the entry to match its heading, or add the section",
                          snippet=item)


def _number(key: str) -> str | None:
    match = _NUMBERED.match(key)
    return match.group(1) if match else None


def _strip_number(key: str) -> str:
    return _NUMBERED.sub("", key, count=1)


def _file_references(ctx: LintContext, output: Output, seen: _Seen) -> Iterator[Finding]:
    """AA202: backticked paths such as `docs/testing.md`, resolved from the reference root."""
    base = (ctx.root / ctx.config.reference_root).resolve()
    code = output.code_flags
    for index in output.lines_holding(CODE_SPANS):
        line = output.lines[index]
        if code[index] or index < output.body_start:
            continue
        spans = seen.spans.get(line)
        if spans is None:
            spans = seen.spans[line] = inline_code_spans(line)
        for column, span in spans:
            span = span.strip()
            if not _FILE_LIKE.match(span) or ".." in span.split("/"):
                continue
            if span not in seen.exists:
                seen.exists[span] = (base / span).exists() or ctx.output_text(span) is not None
            if seen.exists[span]:
                continue
            yield Finding("AA202", output.path, index + 1, column + 1,
                          f"file `{span}` does not exist under the reference root",
                          f"fix the path (relative to `{ctx.config.reference_root}` in the catalog "
                          "root), create the file, or set [lint] reference_root", snippet=span)
