"""Inline silencing: ``assembler: disable=CODES`` and ``assembler: disable-file=CODES`` comments.

Markdown files take an HTML comment (``<!-- assembler: disable=AA104 -->``) or
a Jinja2 comment (``{# assembler: disable=AA104 #}``, which never reaches the
generated file); TOML files and block frontmatter take ``# assembler: …``.
``disable`` covers the comment's own line and, when the comment stands alone
on its line, the next line; ``disable-file`` covers the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .rules import CODE, Finding, Rule, split_codes

_MARKDOWN = re.compile(r"(?:<!--|\{#)\s*assembler:\s*(?P<body>.*?)\s*(?:-->|#\})")
_HASH = re.compile(r"#\s*assembler:\s*(?P<body>.*?)\s*$")
MARK = "assembler:"  # both comment forms hold it; a file without it silences nothing
_DIRECTIVE = re.compile(r"^(?P<kind>disable-file|disable)\s*=\s*(?P<codes>[A-Za-z0-9,\s]*)$")

RULES = (
    Rule("AA001", "bad-silencing-comment", "meta", "warning",
         "an `assembler:` comment is malformed or names a rule that does not exist"),
)


@dataclass
class Silencer:
    """The silencing comments of one file."""

    whole_file: set[str] = field(default_factory=set)
    by_line: dict[int, set[str]] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    def covers(self, finding: Finding) -> bool:
        return finding.code in self.whole_file or finding.code in self.by_line.get(finding.line, set())


def read_silencer(path: str, lines: list[str], markdown: bool, known: dict[str, Rule]) -> Silencer:
    """Collect the directives of a file, and report those that cannot be applied."""
    silencer = Silencer()
    in_header = markdown and bool(lines) and lines[0] == "---"
    for index, line in enumerate(lines):
        number = index + 1
        if in_header and index > 0 and line == "---":
            in_header = False
            continue
        if MARK not in line:
            continue
        pattern = _HASH if (not markdown or in_header) else _MARKDOWN
        for match in pattern.finditer(line):
            codes = _parse(path, number, match.start() + 1, match.group("body"), known, silencer)
            if codes is None:
                continue
            kind, named = codes
            if kind == "disable-file":
                silencer.whole_file |= named
                continue
            silencer.by_line.setdefault(number, set()).update(named)
            if line.strip() == match.group(0).strip():
                silencer.by_line.setdefault(number + 1, set()).update(named)
    return silencer


def _parse(path: str, line: int, column: int, body: str, known: dict[str, Rule],
           silencer: Silencer) -> tuple[str, set[str]] | None:
    directive = _DIRECTIVE.match(body)
    if directive is None:
        silencer.problems.append(Finding(
            "AA001", path, line, column, f"cannot read the `assembler:` comment `{body}`",
            "write `assembler: disable=AA101` (this line) or `assembler: disable-file=AA101,AA102`"))
        return None
    named = set(split_codes([directive.group("codes")]))
    if not named:
        silencer.problems.append(Finding(
            "AA001", path, line, column, "the `assembler:` comment names no rule code",
            "list the codes to silence, e.g. `disable=AA104`"))
        return None
    for code in sorted(named):
        if code not in known:
            problem = "is not a rule code" if not CODE.match(code) else "is not a known rule"
            silencer.problems.append(Finding(
                "AA001", path, line, column, f"`{code}` {problem}; the comment silences nothing for it",
                "see docs/rules.md for the list of codes"))
    return directive.group("kind"), named & set(known)
