"""The floor: what Python needs to import the dependencies and read every file.

Run as ``python bench/floor.py ROOT``. It imports what ``assembler check``
imports and reads every input (config, blocks, roles, manifests) and every
generated output once, as bytes, and does nothing else. No implementation of
the check can be faster than this on the same machine.
"""

from __future__ import annotations

import os
import sys
import tomllib  # noqa: F401  (imported because the check imports it)

import jinja2  # noqa: F401
import jinja2.sandbox  # noqa: F401
import pydantic  # noqa: F401
import typer  # noqa: F401

FOLDERS = ("_blocks", "_roles", "_manifests", "agents")


def read_everything(root: str) -> int:
    total = 0
    with open(os.path.join(root, "assembler.toml"), "rb") as handle:
        total += len(handle.read())
    for folder in FOLDERS:
        for parent, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                with open(os.path.join(parent, name), "rb") as handle:
                    total += len(handle.read())
    return total


if __name__ == "__main__":
    print(read_everything(sys.argv[1]))
