"""The record of the files copied beside a generated SKILL.md.

A copy carries no banner, so the build writes, below the SKILL.md's banner (and
under its hash), one comment naming each file it copied with the hash of its
bytes: ``<!-- assembler copies: {"scripts/run.sh": "1a2b3c4d5e6f"} -->``. A copy
on disk that still has its recorded hash is what the last build wrote: stale
when its source changed, ours to remove when its source went. Any other
difference is a hand edit.
"""

from __future__ import annotations

import json

from .banner import content_hash

COPIES_OPEN, COPIES_CLOSE = "<!-- assembler copies: ", " -->"


def copies_comment(files: dict[str, bytes]) -> str:
    """The comment recording the files a skill copies (path in its folder → bytes)."""
    digests = {rel: content_hash(data) for rel, data in sorted(files.items())}
    return COPIES_OPEN + json.dumps(digests, ensure_ascii=False, separators=(",", ":")) + COPIES_CLOSE


def recorded_copies(skill_md: bytes | None) -> dict[str, str]:
    """What the copies comment of a SKILL.md on disk says (path → hash), or nothing."""
    if not skill_md:
        return {}
    marker = ("\n" + COPIES_OPEN).encode()
    start = skill_md.find(marker)
    if start == -1:
        return {}
    end = skill_md.find(b"\n", start + 1)
    line = skill_md[start + len(marker):end if end != -1 else len(skill_md)].decode("utf-8", "replace")
    try:
        found = json.loads(line.removesuffix(COPIES_CLOSE))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
