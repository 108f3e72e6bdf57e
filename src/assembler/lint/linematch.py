"""Which template line produced each rendered line of a block, at catalog scale.

A block renders to nearly the same text for every agent that uses it, so the
mapping of one distinct rendering is worked out once and reused. Lines that
Jinja2 changed are given the most similar template line of their stretch by
``difflib`` ratio; candidates are tried in order of a cheap upper bound of
that ratio, so most are never compared in full, and the answer is still the
one ``max`` over every ratio gives (ties go to the earlier line).
"""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter


class BlockLines:
    """Memoised :func:`block_lines` for one lint run."""

    def __init__(self) -> None:
        self._offsets: dict[tuple[str, bytes], list[int | None]] = {}
        self._closest: dict[tuple[tuple[str, ...], str], int] = {}
        self._counts: dict[str, Counter[str]] = {}  # of template lines, which recur

    def lines(self, source: str, rendered: str, body_line: int) -> list[int | None]:
        """File line of each rendered line of a block; approximate where Jinja2 changed lines."""
        return [None if offset is None else body_line + offset
                for offset in self.offsets(source, rendered)]

    def offsets(self, source: str, rendered: str) -> list[int | None]:
        """:meth:`lines` counted from the block's first body line (0); do not change the list."""
        key = (source, hashlib.blake2b(rendered.encode("utf-8", "surrogatepass"), digest_size=16).digest())
        offsets = self._offsets.get(key)
        if offsets is None:
            offsets = self._offsets[key] = self._match(source, rendered)
        return offsets

    def _match(self, source: str, rendered: str) -> list[int | None]:
        out = rendered.split("\n")
        if rendered == source.strip("\n"):
            lead = len(source) - len(source.lstrip("\n"))
            return [lead + index for index in range(len(out))]
        src = source.split("\n")
        result: list[int | None] = [None] * len(out)
        matcher = difflib.SequenceMatcher(None, src, out, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(j2 - j1):
                    result[j1 + k] = i1 + k
            elif tag == "replace":  # lines Jinja2 changed: take the most similar source line
                candidates = tuple(src[i1:i2])
                for j in range(j1, j2):
                    result[j] = i1 + self.closest(candidates, out[j])
        return result

    def closest(self, candidates: tuple[str, ...], line: str) -> int:
        """Index of the first candidate with the highest ``difflib`` ratio to ``line``."""
        if len(candidates) == 1:
            return 0
        key = (candidates, line)
        found = self._closest.get(key)
        if found is None:
            found = self._closest[key] = self._search(candidates, line)
        return found

    def _search(self, candidates: tuple[str, ...], line: str) -> int:
        counts = Counter(line)
        bounds = []
        for index, candidate in enumerate(candidates):
            # quick_ratio(): common characters, ignoring order, bound the ratio from above
            common = sum((self._count(candidate) & counts).values())
            total = len(candidate) + len(line)
            bounds.append((2.0 * common / total if total else 1.0, index))
        bounds.sort(key=lambda item: (-item[0], item[1]))
        matcher = difflib.SequenceMatcher(None, "", line)  # indexes `line` once for all candidates
        best, best_index = -1.0, len(candidates)
        for bound, index in bounds:
            if bound < best or (bound == best and index > best_index):
                break  # neither this candidate nor any after it can win
            matcher.set_seq1(candidates[index])
            ratio = matcher.ratio()
            if ratio > best or (ratio == best and index < best_index):
                best, best_index = ratio, index
        return best_index

    def _count(self, text: str) -> Counter[str]:
        found = self._counts.get(text)
        if found is None:
            found = self._counts[text] = Counter(text)
        return found
