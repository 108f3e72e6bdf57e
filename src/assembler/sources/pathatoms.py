"""Path atoms: ``path:NAME/rest`` references written ``{path::NAME}/rest``.

Another assembler rewrote such references only when the machine's own
registry knew ``NAME``, so the same catalog rendered differently on two
machines. Here the config lists the names (``path_atoms``): nothing outside
the catalog is looked up, and every machine writes the same bytes.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"^path:([A-Za-z0-9_][A-Za-z0-9_.-]*)(/.*)?$", re.DOTALL)


def rewrite(text: str, atoms: list[str]) -> str | None:
    """``text`` with its path atom written out, or None when it names none of ``atoms``."""
    match = _REFERENCE.match(text)
    if match is None or match.group(1) not in atoms:
        return None
    return f"{{path::{match.group(1)}}}{match.group(2) or ''}"
