"""Secrets: credential values in any source or output, reported without echoing them.

Every line of every file is scanned, code and comments included: a key in a
code fence or a TOML comment is as leaked as one in prose. Messages name the
kind of secret and its position, never the value or any part of it.

Generated files repeat their sources' lines many times over, so each distinct
line is scanned once per run, and only when a cheap first pass finds in it
text that every pattern needs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import chain
from typing import Iterator

from .context import LintContext
from .linesearch import LineSearch
from .rules import Finding, Rule

RULES = (
    Rule("AA601", "known-secret-format", "secrets", "error",
         "a value in the format of a provider key, access token or private key"),
    Rule("AA602", "secret-assignment", "secrets", "error",
         "a high-entropy value assigned to a name like `api_key`, `token` or `password`"),
)

PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        ("private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
        ("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
        ("OpenAI API key", r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
        ("AWS access key ID", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
        ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("Slack token", r"\bxox[abeprs]-[A-Za-z0-9-]{10,}"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("Stripe key", r"\b[rs]k_live_[0-9A-Za-z]{20,}"),
        ("Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}\b"),
        ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("JSON Web Token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    )
)
_ASSIGNMENT = re.compile(
    r"(?i)(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|auth|credential|private[_-]?key"
    r"|access[_-]?key)[A-Za-z0-9_.-]*[\"']?\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9+/=_\-.~]{16,})"
)
# Fixed text that every match of PROVIDERS contains, and the words one of which every
# match of _ASSIGNMENT contains in some case: a line with none of them holds no secret.
# Those with an underscore are looked for only on the (few) lines that have one.
_LITERALS = ("-----BEGIN ", "sk-", "AKIA", "ASIA", "glpat-", "xox", "AIza", "eyJ")
_UNDERSCORED = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "k_live_", "hf_", "npm_")
_WORDS = ("api", "secret", "token", "passw", "pwd", "auth", "credential", "private", "access")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def assignments(line: str) -> Iterator[tuple[str, str, int]]:
    """``(name, value, value_column)`` for each ``name = value`` whose name sounds secret.

    The regular expression starts at the telling word (``token``); the name is
    then widened to the left by hand, which keeps the scan linear.
    """
    for match in _ASSIGNMENT.finditer(line):
        start = match.start()
        while start > 0 and line[start - 1] in _NAME_CHARS:
            start -= 1
        name = line[start:match.start("value")].rstrip(" \t:=\"'")
        yield name, match.group("value"), match.start("value")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def check(ctx: LintContext) -> Iterator[Finding]:
    threshold = ctx.config.secret_entropy
    distinct = list(dict.fromkeys(chain.from_iterable(file.lines for file in ctx.files.values())))
    found = {line: secrets for line, secrets in (
        (distinct[index], tuple(scan(distinct[index], threshold))) for index in candidates(distinct)
    ) if secrets}
    if not found:
        return
    for file in ctx.files.values():
        for index, line in enumerate(file.lines):
            for code, column, message, snippet in found.get(line, ()):
                yield Finding(code, file.path, index + 1, column, message, _HINT, snippet=snippet)


def candidates(lines: list[str]) -> set[int]:
    """Indices of the lines that may hold a secret: all others lack the text every pattern needs."""
    search = LineSearch(lines)
    found = set(search.containing(_LITERALS))
    found.update(index for index in search.containing(("_",))
                 if any(text in lines[index] for text in _UNDERSCORED))
    # An assignment has a ":" or "=" after the name: only those lines can hold one.
    assigning = [index for index, line in enumerate(lines) if ":" in line or "=" in line]
    named = LineSearch([lines[index] for index in assigning]).containing(any_case=_WORDS)
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
        if any(s <= start < e for s, e in spans) or not _looks_random(value, threshold):
            continue
        yield ("AA602", start + 1,
               f"`{name}` is assigned a value that looks like a secret "
               f"({len(value)} characters, {entropy(value):.1f} bits of entropy per character)",
               value)


def _looks_random(value: str, threshold: float) -> bool:
    has_letter = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_letter and has_digit and entropy(value) >= threshold


_HINT = ("remove the value and rotate the credential; refer to it by the name of the variable "
         "or secret store that holds it (e.g. `$API_TOKEN`), never by its value")
