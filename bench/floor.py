"""The floor: what Python needs to import the dependencies and read every file.

Run as ``python bench/floor.py ROOT``. It imports what ``assembler check``
imports and reads every input (config, blocks, roles, manifests) and every
generated output once, as bytes, and does nothing else. No implementation of
the check can be faster than this on the same machine.

``python bench/floor.py --import SRC OUT`` is the floor of ``assembler import``:
the same imports, every file under SRC read once and written once under OUT (an
import writes at least one manifest per agent file).
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


def read_and_write(source: str, output: str) -> int:
    total = 0
    for parent, _, files in os.walk(source):
        target = os.path.join(output, os.path.relpath(parent, source))
        os.makedirs(target, exist_ok=True)
        for name in files:
            with open(os.path.join(parent, name), "rb") as handle:
                data = handle.read()
            with open(os.path.join(target, name), "wb") as handle:
                total += handle.write(data)
    return total


if __name__ == "__main__":
    if sys.argv[1] == "--import":
        print(read_and_write(sys.argv[2], sys.argv[3]))
    else:
        print(read_everything(sys.argv[1]))
