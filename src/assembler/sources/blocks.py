"""Shared blocks (``_blocks/**/*.md``) and roles (``_roles/**/*.toml``).

Each file is read and validated once per run, whatever the number of agents
that use it. Roles are resolved here (``extends`` and ``relaxes``) so that an
agent only ever sees a flat, ordered list of block names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import walk
from ..diagnostics import Diagnostics, did_you_mean, printable
from .folders import has_control
from .roleformat import BLOCK_ROLES, CAPABILITY, RoleFormat, capability_problem
from .yaml import FrontmatterError, parse_yaml_mapping, split_frontmatter
from .schema import BlockMeta, Role, report_validation_errors, validate
from .toml import TomlDocument, load_toml, read_text

_NAME_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Block:
    """A shared Markdown section; ``source`` is its Jinja2 text without frontmatter."""

    name: str
    path: str
    source: str
    body_line: int
    meta: BlockMeta
    verbatim: bool = False  # used as written, whatever it holds (`block_syntax = "verbatim"`)

    @property
    def is_static(self) -> bool:
        """True when the text is used as it is: verbatim, or without Jinja2 syntax."""
        return self.verbatim or (
            "{{" not in self.source and "{%" not in self.source and "{#" not in self.source)


def verbatim_block(name: str, rel: str, text: str) -> Block:
    """A block used as written: trimmed, no frontmatter, no Jinja2."""
    body = text.strip()
    leading = text[: len(text) - len(text.lstrip())]
    return Block(name, rel, body, 1 + leading.count("\n"), BlockMeta(), verbatim=True)


@dataclass(frozen=True)
class ResolvedRole:
    """A role with its inheritance applied: the blocks it renders, in order."""

    name: str
    path: str
    role: Role
    blocks: tuple[str, ...]
    document: TomlDocument


def name_problem(name: str, folder: str) -> str | None:
    """Why ``name`` cannot name a file inside ``folder``, or None when it can."""
    if not name:
        return "is empty"
    if name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return f"is an absolute or non-portable path; names are relative to {folder}/"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return f"would point outside {folder}/ (`.`, `..` and empty parts are not allowed)"
    bad = next((part for part in parts if not _NAME_SEGMENT.match(part)), None)
    if bad is not None:
        return f"has an invalid part `{bad}`: use letters, digits, `-`, `_` and `.`"
    return None


@dataclass
class BlockLibrary:
    """Every block of the catalog, and the names of those that failed to load."""

    folder: str
    blocks: dict[str, Block]
    broken: set[str]
    capabilities: str | None = None  # the folder of `cat::slug` blocks, when the config names one

    def check(self, name: str, document: TomlDocument, loc: tuple, diagnostics: Diagnostics) -> bool:
        """True when ``name`` names a loaded block; otherwise record why not.

        A block that exists but failed to load was reported at its own file, so
        references to it add no second error.
        """
        if name in self.blocks:
            return True
        if name in self.broken:
            return False
        at = document.locate(loc)
        if CAPABILITY in name:
            diagnostics.error(document.path, *at, *capability_problem(name, self.capabilities))
            return False
        problem = name_problem(name, self.folder)
        if problem:
            diagnostics.error(
                document.path, *at, f"block name `{name}` {problem}",
                f"name a block by its path under {self.folder}/, without `.md`",
            )
        else:
            diagnostics.error(
                document.path, *at, f"unknown block `{name}` (no {self.folder}/{name}.md)",
                did_you_mean(name.removesuffix(".md"), self.blocks, "blocks"),
            )
        return False


def discover(
    folder: Path, suffix: str, root: Path, diagnostics: Diagnostics, broken: set[str] | None = None
) -> dict[str, Path]:
    """Map names (relative paths without suffix) to files, refusing escaping links."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    real_root = root.resolve()
    unreadable: list[str] = []
    listed = walk.files(folder, suffix, unreadable=unreadable)
    for directory in unreadable:
        rel = Path(directory).relative_to(root).as_posix()
        diagnostics.error(
            rel, 1, 1, f"cannot read folder `{rel}/`: Permission denied",
            f"make it readable (`chmod u+rx {rel}`), or move it out of the catalog; what it "
            "holds cannot be left out silently",
        )
    for parts, entry in listed:
        name = "/".join(parts)[: -len(suffix)]
        path = Path(entry.path)
        if any(has_control(part) for part in parts):
            rel = printable(path.relative_to(root).as_posix())
            diagnostics.error(
                rel, 1, 1, f"the name of `{rel}` holds a line break or a control character",
                "rename the file or folder: names become output paths and banner lines",
            )
            if broken is not None:
                broken.add(name)
            continue
        if entry.is_symlink() and not path.resolve().is_relative_to(real_root):
            rel = path.relative_to(root).as_posix()
            diagnostics.error(
                rel, 1, 1,
                f"`{rel}` is a symbolic link to a file outside the catalog",
                "copy the file into the catalog, or remove the link",
            )
            if broken is not None:
                broken.add(name)
            continue
        found[name] = path
    return found


def load_blocks(folder: Path, root: Path, diagnostics: Diagnostics,
                verbatim: bool = False) -> BlockLibrary:
    """Every block under ``folder``; with ``verbatim``, each used as written (see
    :func:`verbatim_block`)."""
    blocks: dict[str, Block] = {}
    broken: set[str] = set()
    library = BlockLibrary(folder.relative_to(root).as_posix(), blocks, broken)
    for name, path in discover(folder, ".md", root, diagnostics, broken).items():
        rel = path.relative_to(root).as_posix()
        text = read_text(path, rel, diagnostics)
        if text is None:
            broken.add(name)
            continue
        if verbatim:
            blocks[name] = verbatim_block(name, rel, text)
            continue
        split = split_frontmatter(text)
        meta = BlockMeta()
        if split.header is None and text.startswith("---\n"):
            diagnostics.error(
                rel, 1, 1, "the frontmatter is not closed: no `---` line ends it",
                "end the frontmatter with a line `---`; a block that should open with a "
                "horizontal rule can write it `***`",
            )
            broken.add(name)
            continue
        if split.header is not None:
            meta = _block_meta(split.header, rel, diagnostics)
            if meta is None:
                broken.add(name)
                continue
        blocks[name] = Block(name, rel, split.body, split.body_line, meta)
    return library


def _block_meta(header: str, rel: str, diagnostics: Diagnostics) -> BlockMeta | None:
    try:
        data = parse_yaml_mapping(header)
    except FrontmatterError as exc:
        diagnostics.error(rel, exc.line + 1, exc.column, str(exc), "fix the YAML between the `---` lines")
        return None
    meta, errors = validate(BlockMeta, data)
    if errors:
        header_doc = TomlDocument(rel, data, "")
        for error in errors:
            key = str(error["loc"][0]) if error["loc"] else ""
            line = next(
                (n + 2 for n, text in enumerate(header.splitlines()) if text.startswith(f"{key}:")),
                1,
            )
            header_doc.pin(tuple(error["loc"]), (line, 1))
            report_validation_errors([error], header_doc, diagnostics, model=BlockMeta)
        return None
    return meta


def load_roles(
    folder: Path, root: Path, library: BlockLibrary, diagnostics: Diagnostics,
    form: RoleFormat = BLOCK_ROLES,
) -> tuple[dict[str, ResolvedRole], set[str]]:
    """Load every role (written in ``form``), check its block names, and resolve inheritance."""
    raw: dict[str, tuple[Role, TomlDocument]] = {}
    broken: set[str] = set()
    for name, path in discover(folder, ".toml", root, diagnostics, broken).items():
        rel = path.relative_to(root).as_posix()
        document = load_toml(path, rel, diagnostics)
        role = form.read(document, diagnostics) if document else None
        if role is None or document is None:
            broken.add(name)
            continue
        for index, block in enumerate(role.blocks):
            library.check(block, document, form.at("blocks", index), diagnostics)
        raw[name] = (role, document)

    resolved: dict[str, ResolvedRole] = {}
    for name in raw:
        if _resolve(name, raw, resolved, (), diagnostics, form) is None:
            broken.add(name)
    return resolved, broken


def _resolve(
    name: str,
    raw: dict[str, tuple[Role, TomlDocument]],
    resolved: dict[str, ResolvedRole],
    chain: tuple[str, ...],
    diagnostics: Diagnostics,
    form: RoleFormat = BLOCK_ROLES,
) -> ResolvedRole | None:
    if name in resolved:
        return resolved[name]
    role, document = raw[name]
    inherited: tuple[str, ...] = ()
    if role.extends is not None:
        at = partial(document.locate, form.at("extends"), value=True)
        if role.extends in chain + (name,):
            cycle = " → ".join(chain[chain.index(role.extends):] + (name, role.extends)) \
                if role.extends in chain else f"{name} → {name}"
            diagnostics.error(
                document.path, *at(), f"role `extends` forms a cycle: {cycle}",
                "remove `extends` from one of these roles",
            )
            return None
        problem = name_problem(role.extends, document.path.split("/")[0])
        if problem:
            diagnostics.error(document.path, *at(), f"parent role name `{role.extends}` {problem}",
                              "name a role by its path under the roles folder, without `.toml`")
            return None
        if role.extends not in raw:
            diagnostics.error(
                document.path, *at(), f"unknown parent role `{role.extends}`",
                did_you_mean(role.extends, raw, "roles"),
            )
            return None
        parent = _resolve(role.extends, raw, resolved, chain + (name,), diagnostics, form)
        if parent is None:
            return None
        inherited = parent.blocks
        for index, dropped in enumerate(role.relaxes if form.strict_relaxes else ()):
            if dropped not in inherited:
                diagnostics.error(
                    document.path, *document.locate(("relaxes", index)),
                    f"`relaxes` names `{dropped}`, which parent role `{parent.name}` does not include",
                    did_you_mean(dropped, inherited, "parent blocks"),
                )
    elif role.relaxes and form.strict_relaxes:
        diagnostics.error(
            document.path, *document.locate(("relaxes",)),
            "`relaxes` needs `extends`: there is no parent role to drop blocks from",
            "add `extends = \"<parent role>\"` or remove `relaxes`",
        )
    kept = form.merge(inherited, role)
    if not kept and form.requires_entries:
        diagnostics.error(document.path, *document.locate(form.at("blocks")), *form.empty(name))
        return None
    result = ResolvedRole(name, document.path, role, tuple(kept), document)
    resolved[name] = result
    return result
