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

_PIECES = re.compile(r"(?P<word>[^\W\d_]+)|(?P<number>\d+)|(?P<symbols>[^\w\s]+|_+)")


def estimate_tokens(text: str) -> int:
    """Words cost one token per 4 letters (rounded up), numbers one per 3 digits,
    symbol runs one per 2 characters; whitespace is free."""
    total = 0
    for match in _PIECES.finditer(text):
        size = len(match.group(0))
        if match.lastgroup == "word":
            total += -(-size // 4)
        elif match.lastgroup == "number":
            total += -(-size // 3)
        else:
            total += -(-size // 2)
    return total
