"""What a credential looks like, and masking it in any message that quotes an input.

Messages quote file contents: a heading, a link target, a placeholder, a key
name. When that text holds a key or token, printing it would leak it into a
terminal, a CI log or an annotation. :func:`mask` replaces each such value
with the kind of secret it looks like; every located message of the package
(:class:`~assembler.diagnostics.Diagnostic` and lint findings) passes through
it when it is made, so no rule or loader has to remember to.

The same patterns find secrets for the lint rules of :mod:`assembler.lint.secrets`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Iterator

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
ASSIGNMENT = re.compile(
    r"(?i)(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|auth|credential|private[_-]?key"
    r"|access[_-]?key)[A-Za-z0-9_.-]*[\"']?\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9+/=_\-.~]{16,})"
)
# Fixed text that every match of PROVIDERS contains, and the words one of which every
# match of ASSIGNMENT contains in some case: a text with none of them holds no secret.
LITERALS = ("-----BEGIN ", "sk-", "AKIA", "ASIA", "glpat-", "xox", "AIza", "eyJ")
UNDERSCORED = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "k_live_", "hf_", "npm_")
WORDS = ("api", "secret", "token", "passw", "pwd", "auth", "credential", "private", "access")
DEFAULT_ENTROPY = 3.5  # bits per character above which an assigned value looks random
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def assignments(line: str) -> Iterator[tuple[str, str, int]]:
    """``(name, value, value_column)`` for each ``name = value`` whose name sounds secret.

    The regular expression starts at the telling word (``token``); the name is
    then widened to the left by hand, which keeps the scan linear.
    """
    for match in ASSIGNMENT.finditer(line):
        start = match.start()
        while start > 0 and line[start - 1] in _NAME_CHARS:
            start -= 1
        name = line[start:match.start("value")].rstrip(" \t:=\"'")
        yield name, match.group("value"), match.start("value")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str, threshold: float = DEFAULT_ENTROPY) -> bool:
    has_letter = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_letter and has_digit and entropy(value) >= threshold


def may_hold_secret(text: str) -> bool:
    """False when ``text`` lacks what every pattern needs (a cheap test for most text)."""
    if any(literal in text for literal in LITERALS):
        return True
    if "_" in text and any(literal in text for literal in UNDERSCORED):
        return True
    if ":" in text or "=" in text:
        lowered = text.lower()
        return any(word in lowered for word in WORDS)
    return False


@lru_cache(maxsize=4096)  # messages repeat: one per place a block is used
def mask(text: str) -> str:
    """``text`` with each value that looks like a credential replaced by ``[masked KIND]``."""
    if not may_hold_secret(text):
        return text
    for kind, pattern in PROVIDERS:
        text = pattern.sub(lambda _match, kind=kind: f"[masked {kind}]", text)
    for _name, value, start in sorted(assignments(text), key=lambda found: -found[2]):
        if looks_random(value):
            text = text[:start] + "[masked value]" + text[start + len(value):]
    return text
