"""Secrets: credential values in any source or output, reported without echoing them.

The patterns live in :mod:`assembler.credentials`, which also masks them in every
message. Every line of every file is scanned, code and comments included: a key in a
code fence or a TOML comment is as leaked as one in prose. Messages name the
kind of secret and its position, never the value or any part of it.

Generated files repeat their sources' lines many times over, so each distinct
line is scanned once per run, and only when a cheap first pass finds in it
text that every pattern needs.
"""

from __future__ import annotations

from itertools import chain
from typing import Iterator

from ..credentials import LITERALS, PROVIDERS, UNDERSCORED, WORDS, assignments, entropy, looks_random
from .context import LintContext
from .linesearch import LineSearch
from .rules import Finding, Rule

_SOURCES_AT_ONCE = 500
RULES = (
    Rule("AA601", "known-secret-format", "secrets", "error",
         "a value in the format of a provider key, access token or private key"),
    Rule("AA602", "secret-assignment", "secrets", "error",
         "a high-entropy value assigned to a name like `api_key`, `token` or `password`"),
)


def check(ctx: LintContext) -> Iterator[Finding]:
    threshold = ctx.config.secret_entropy
    found: dict[str, tuple] = {}

    def look(search: LineSearch) -> None:
        for index in candidates(search.lines, search):
            line = search.lines[index]
            if line not in found and (secrets := tuple(scan(line, threshold))):
                found[line] = secrets

    sources = [file for file in ctx.files.values() if file.kind != "output"]
    for start in range(0, len(sources), _SOURCES_AT_ONCE):  # a few at a time: their lines
        look(LineSearch(list(dict.fromkeys(chain.from_iterable(  # are mostly their own
            file.split() for file in sources[start:start + _SOURCES_AT_ONCE])))))
    if ctx.outputs:  # their distinct lines, searched once for every rule (see SharedWork)
        look(ctx.outputs[0].shared.search)
    if not found:
        return
    for file in ctx.files.values():
        for index, line in enumerate(file.split()):
            for code, column, message, snippet in found.get(line, ()):
                yield Finding(code, file.path, index + 1, column, message, _HINT, snippet=snippet)


def candidates(lines: list[str], search: LineSearch | None = None) -> set[int]:
    """Indices of the lines that may hold a secret: all others lack the text every pattern
    needs. ``search``: a search of ``lines`` already made."""
    search = LineSearch(lines) if search is None else search
    found = set(search.containing(LITERALS))
    found.update(index for index in search.containing(("_",))
                 if any(text in lines[index] for text in UNDERSCORED))
    # An assignment has a ":" or "=" after the name: only those lines can hold one.
    assigning = [index for index, line in enumerate(lines) if ":" in line or "=" in line]
    named = LineSearch([lines[index] for index in assigning]).containing(any_case=WORDS)
    found.update(assigning[index] for index in named)
    return found


def scan(line: str, threshold: float) -> Iterator[tuple[str, int, str, str]]:
    """``(code, column, message, matched text)`` for each secret on one line."""
    spans: list[tuple[int, int]] = []
    for kind, pattern in PROVIDERS:
        for match in pattern.finditer(line):
            if any(start <= match.start() < end for start, end in spans):
                continue
            spans.append(match.span())
            yield ("AA601", match.start() + 1,
                   f"likely {kind} ({len(match.group(0))} characters)", match.group(0))
    for name, value, start in assignments(line):
        if any(s <= start < e for s, e in spans) or not looks_random(value, threshold):
            continue
        yield ("AA602", start + 1,
               f"`{name}` is assigned a value that looks like a secret "
               f"({len(value)} characters, {entropy(value):.1f} bits of entropy per character)",
               value)


_HINT = ("remove the value and rotate the credential; refer to it by the name of the variable "
         "or secret store that holds it (e.g. `$API_TOKEN`), never by its value")
