"""An offline token estimate for size budgets.

Claude has no public offline tokenizer, and the linter never calls a network
service, so budgets use a documented estimate instead of an exact count. It
splits the text into words, numbers and runs of symbols and charges each piece
by length; on Markdown prompts it lands a little above the common "four
characters per token" rule of thumb, so a budget set with it errs on the safe
side. The formula is in docs/rules.md (AA703).
"""

from __future__ import annotations

import re

# Words, numbers and symbol runs never share a character, so each kind is found on its own.
_WORDS = re.compile(r"[^\W\d_]+")
_NUMBERS = re.compile(r"\d+")
_SYMBOLS = re.compile(r"[^\w\s]+|_+")


def estimate_tokens(text: str) -> int:
    """Words cost one token per 4 letters (rounded up), numbers one per 3 digits,
    symbol runs one per 2 characters; whitespace is free."""
    return (sum(-(-len(word) // 4) for word in _WORDS.findall(text))
            + sum(-(-len(number) // 3) for number in _NUMBERS.findall(text))
            + sum(-(-len(symbols) // 2) for symbols in _SYMBOLS.findall(text)))


class LineTokens:
    """:func:`estimate_tokens` of texts given as lines, each distinct line estimated once.

    No piece spans a line break, so a text's estimate is the sum of its lines';
    a catalog's outputs share most of their lines (blocks), which are then
    counted once per run instead of once per agent.
    """

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def count(self, lines: list[str]) -> int:
        known = self._known
        total = 0
        for line in lines:
            tokens = known.get(line)
            if tokens is None:
                tokens = known[line] = estimate_tokens(line)
            total += tokens
        return total
